/// Validates an `auth` frame in the reference's order (PROTOCOL.md §3.4 steps 2–9).
///
/// Steps 7 and 8 change the allow-list even when a later step fails (legacy keys migrate,
/// new registrations bind), so the allow-list is `inout` and the changes come back with
/// every verdict, accepted or not. Steps 9b (eviction), 10 (room capacity) and 11 need
/// the live connection table and are sequenced by `RelayCore`; step 10 is `capacityFailure`.
struct AuthValidator: Sendable {
    let limits: RelayLimits
    /// `RELAY_TOKEN`; `nil` or empty closes registration (no token can match).
    let token: String?
    /// The relay's curve keys for opening `sealed_token`.
    let boxKeys: BoxKeyPair?

    /// A well-formed, authorized auth.
    struct Request: Sendable, Equatable {
        var peer: ExactString
        /// De-duplicated (byte-exactly), validated, 1...8 entries, in the order the peer sent.
        var rooms: [ExactString]
        var signKey: String
        var keyInfo: KeyInfo
        /// `auth_ok` shape: v2 if `rooms` was a non-empty array or `proto >= 2`.
        var wantsV2: Bool
    }

    /// A live connection holding the auth's name in one of its rooms.
    struct LiveHolder: Sendable, Equatable {
        var connection: ConnectionID
        var signKey: String
    }

    enum Verdict: Sendable, Equatable {
        /// Steps 2–9 passed; `evict` are the live connections of the same identity (step 9b).
        case accepted(Request, evict: [ConnectionID])
        /// `peer` is the name if step 2 passed (for logs).
        case rejected(AuthFailure, peer: String?)
    }

    /// Steps 2–9. `live(room, name)` finds the connection currently holding `name` in `room`.
    ///
    /// Names, rooms and keys are compared byte-exactly (`ExactString`), as JavaScript
    /// compares them: `"K"` and `"\u{212A}"` are two peers, `"é"` and `"e\u{301}"` two rooms.
    func validate(
        _ frame: JSONObject, nonce: [UInt8], allowList: inout AllowList,
        live: (_ room: ExactString, _ name: ExactString) -> LiveHolder?
    ) -> (verdict: Verdict, changes: [StoreChange]) {
        // 2. Name (our fix, §8.2: names starting with "_" are refused, so no peer can pose as "_relay").
        guard let peer = frame["peer"]?.stringValue, Self.isValidPeerName(peer) else {
            return (.rejected(.invalidName, peer: nil), [])
        }
        let peerName = ExactString(peer)
        // 3. Key. A truthy non-string key can never verify, so it is refused here as "no key".
        guard let signKey = frame["sign_pubkey"]?.stringValue, !signKey.isEmpty else {
            return (.rejected(.noKey, peer: peer), [])
        }
        // 4. Rooms.
        guard let (rooms, listedRooms) = roomList(frame) else {
            return (.rejected(.badRooms, peer: peer), [])
        }
        // 5. Proof of key possession over nonce ‖ peer ‖ rooms.join(",").
        var proven = false
        if let sig = frame["challenge_sig"], sig.isTruthy {
            let message = nonce + Array(peer.utf8) + Array(rooms.strings.joined(separator: ",").utf8)
            guard let sigText = sig.stringValue, let key = try? SigningPublicKey(base64: signKey),
                  key.verify(signatureBase64: sigText, message: message)
            else { return (.rejected(.badChallengeSignature, peer: peer), []) }
            proven = true
        } else if limits.requireChallenge {
            return (.rejected(.challengeRequired, peer: peer), [])
        }
        var changes: [StoreChange] = []
        // 6. Rotation, only with a proven key; never fails the auth.
        if proven, let rotation = frame["rotation"]?.objectValue {
            changes += applyRotation(rotation, peer: peer, newKey: signKey, rooms: rooms, allowList: &allowList)
        }
        // 7. Allow status per room, in list order.
        let key = ExactString(signKey)
        var unknownRooms: [ExactString] = []
        for room in rooms {
            let (status, migration) = allowList.status(room: room, name: peerName, key: key)
            changes += migration
            switch status {
            case .revoked: return (.rejected(.revoked(room: room.string), peer: peer), changes)
            case .nameConflict: return (.rejected(.nameConflict(peer: peer, room: room.string), peer: peer), changes)
            case .keyConflict: return (.rejected(.keyConflict(room: room.string), peer: peer), changes)
            case .unknown: unknownRooms.append(room)
            case .bound, .migrated: break
            }
        }
        // 8. New registrations need the token.
        if !unknownRooms.isEmpty {
            guard tokenMatches(frame) else { return (.rejected(.badToken, peer: peer), changes) }
            for room in unknownRooms { changes += allowList.bind(room: room, name: peerName, key: key) }
        }
        // 9. Live holders of the name: another key fails, the same key is superseded.
        var evict: [ConnectionID] = []
        for room in rooms {
            guard let holder = live(room, peerName) else { continue }
            guard holder.signKey.isExactly(signKey) else {
                return (.rejected(.liveIdentityMismatch(peer: peer), peer: peer), changes)
            }
            if !evict.contains(holder.connection) { evict.append(holder.connection) }
        }
        let request = Request(
            peer: peerName, rooms: rooms, signKey: signKey, keyInfo: KeyInfo(object: frame),
            wantsV2: listedRooms || (frame["proto"]?.numberValue ?? 0) >= 2)
        return (.accepted(request, evict: evict), changes)
    }

    /// Step 10, run after the evictions of step 9b: the first room already at capacity.
    func capacityFailure(rooms: [ExactString], count: (ExactString) -> Int) -> AuthFailure? {
        for room in rooms where count(room) >= limits.maxPeersPerRoom { return .roomFull(room: room.string) }
        return nil
    }

    // MARK: Names

    /// A name or room the relay accepts: a string of 1–64 UTF-16 units without U+0000.
    static func isValidName(_ name: String) -> Bool {
        let length = name.utf16.count
        return length >= 1 && length <= 64 && !name.utf8.contains(0)
    }

    /// A peer name: a valid name that does not start with `_` (reserved for the relay, §8.2).
    static func isValidPeerName(_ name: String) -> Bool {
        isValidName(name) && name.utf8.first != UInt8(ascii: "_")
    }

    // MARK: Steps

    /// Step 4. A non-empty `rooms` array is de-duplicated (first occurrence wins, by exact
    /// code units like JavaScript: `"K"` and `"\u{212A}"` both stay) and invalid entries are
    /// dropped silently; otherwise the legacy single `room` (or the configured default) must
    /// itself be valid. Returns the list and whether it came from a `rooms` array, or `nil`
    /// if it is empty or longer than the maximum.
    private func roomList(_ frame: JSONObject) -> ([ExactString], Bool)? {
        var rooms: [ExactString] = []
        let listed: Bool
        if let array = frame["rooms"]?.arrayValue, !array.isEmpty {
            listed = true
            for value in array {
                guard let name = value.stringValue, Self.isValidName(name) else { continue }
                let room = ExactString(name)
                if !rooms.contains(room) { rooms.append(room) }
            }
        } else {
            listed = false
            // `room ?? RELAY_ROOM`: JSON null counts as absent. (Careful: `nil` written where a
            // JSONValue is expected would be JSON null, since JSONValue is nil-literal expressible.)
            var room: JSONValue = .string(limits.defaultRoom)
            if let given = frame["room"], !given.isNull { room = given }
            guard let name = room.stringValue, Self.isValidName(name) else { return nil }
            rooms = [ExactString(name)]
        }
        guard !rooms.isEmpty, rooms.count <= limits.maxRoomsPerConnection else { return nil }
        return (rooms, listed)
    }

    /// Step 6 (§4.11.4): verify `continuity_sig` over `b64dec(new key) ‖ peer ‖ String(ts ?? "")`
    /// with `prev_sign_pubkey`, then move the bindings. Anything malformed is ignored.
    private func applyRotation(
        _ rotation: JSONObject, peer: String, newKey: String, rooms: [ExactString], allowList: inout AllowList
    ) -> [StoreChange] {
        guard let previous = rotation["prev_sign_pubkey"]?.stringValue,
              let continuity = rotation["continuity_sig"]?.stringValue,
              let ts = Self.jsString(rotation["ts"]),
              let newKeyBytes = try? Base64.decode(newKey),
              let previousKey = try? SigningPublicKey(base64: previous),
              previousKey.verify(signatureBase64: continuity, message: newKeyBytes + Array(peer.utf8) + Array(ts.utf8))
        else { return [] }
        return allowList.applyRotation(
            rooms: rooms, name: ExactString(peer), previousKey: ExactString(previous), newKey: ExactString(newKey))
    }

    /// `String(value ?? "")` in JavaScript, for the scalar values a `ts` can hold.
    /// Arrays and objects (which the reference would stringify oddly) are refused.
    static func jsString(_ value: JSONValue?) -> String? {
        switch value {
        case nil, .null?: return ""
        case .string(let s)?: return s
        case .bool(let b)?: return b ? "true" : "false"
        case .number(let n)?:
            if n.isNaN { return "NaN" }
            if n.isInfinite { return n > 0 ? "Infinity" : "-Infinity" }
            return JSONSerializer.string(of: .number(n))
        case .array?, .object?: return nil
        }
    }

    /// Step 8: a truthy `sealed_token` must open to the token (a plaintext `token` is then
    /// ignored); otherwise a truthy `token` must equal it. Compared in constant time.
    private func tokenMatches(_ frame: JSONObject) -> Bool {
        guard let token, !token.isEmpty else { return false }
        if let sealed = frame["sealed_token"], sealed.isTruthy {
            guard let text = sealed.stringValue, let boxKeys,
                  let box = try? Base64.decode(text), let opened = try? boxKeys.openSealed(box)
            else { return false }
            return ConstantTime.equal(Hash.sha512(opened), Hash.sha512(Array(token.utf8)))
        }
        if let plain = frame["token"], plain.isTruthy {
            guard let text = plain.stringValue else { return false }
            return ConstantTime.equalStrings(text, token)
        }
        return false
    }
}
