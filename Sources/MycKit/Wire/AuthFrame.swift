/// The peer's `auth` frame (PROTOCOL.md §3.2–§3.3), built in answer to the relay's
/// `challenge`:
///
/// ```
/// {"type":"auth","peer","room":ROOMS[0],"rooms":ROOMS,"proto":2,"sign_pubkey",
///  "eph_enc_pubkey","eph_enc_pubkey_sig","session_id","challenge_sig",
///  ["rotation":{...}], "sealed_token" | "token"}
/// ```
///
/// Keys come in the reference's order so our frames are byte-identical to its frames
/// (order carries no meaning on the wire; it only makes captures comparable).
public enum AuthFrame {
    public static let type = "auth"

    /// Runs §3.2 steps 1–4 and returns the frame to send.
    ///
    /// - Parameters:
    ///   - identity: the long-term Ed25519 key; it signs the challenge and the ephemeral key.
    ///   - peer: this peer's name.
    ///   - rooms: `ROOMS`, already normalised (`normalizeRooms`). The reference signs and
    ///     sends this exact list, and the relay recomputes the signed bytes from it.
    ///   - ephemeralKey: this connection's X25519 public key.
    ///   - sessionID: this connection's session id.
    ///   - token: the invite token, or `nil` to send none (a peer already bound to its
    ///     name needs none; the reference always sends one).
    ///   - rotation: the key file's `prev` record; sent as `rotation` whenever present.
    ///   - relayPins: normalised relay fingerprints (`Fingerprint.pinSet`).
    /// - Throws: the pinning failure (close 4099 with its `closeReason`). The relay's
    ///   identity is checked here as well as by the caller so that no code path can seal —
    ///   or, worse, send in plaintext — a token to an unproven relay when pins exist.
    public static func build(
        identity: SigningKeyPair, peer: String, rooms: [String],
        ephemeralKey: BoxPublicKey, sessionID: String, challenge: ChallengeFrame,
        token: String?, rotation: RotationRecord?, relayPins: Set<String>
    ) throws(RelayIdentityFailure) -> JSONObject {
        // Step 1–2: with pins, the relay must prove the pinned key; without, nothing is checked.
        if case .failed(let failure) = challenge.checkRelayIdentity(pins: relayPins) { throw failure }

        // Step 4 before assembling anything, so a failure leaves nothing half-built.
        let tokenMember = try tokenField(token: token, relayPublicKey: challenge.relayPublicKey,
                                         pinned: !relayPins.isEmpty)

        var frame = JSONObject()
        frame["type"] = .string(type)
        frame["peer"] = .string(peer)
        // JSON.stringify drops `room: undefined`, which is what ROOMS[0] is for an empty list.
        if let first = rooms.first { frame["room"] = .string(first) }
        frame["rooms"] = .array(rooms.map { .string($0) })
        frame["proto"] = .number(Double(WireProtocol.version))
        frame["sign_pubkey"] = .string(identity.publicKey.base64)
        frame["eph_enc_pubkey"] = .string(ephemeralKey.base64)
        frame["eph_enc_pubkey_sig"] = .string(identity.signBase64(ephemeralKey.bytes))
        frame["session_id"] = .string(sessionID)
        frame["challenge_sig"] = .string(identity.signBase64(
            challengeSignatureInput(nonce: challenge.nonce, peer: peer, rooms: rooms)))
        if let rotation { frame["rotation"] = .object(RotationStatement.authField(rotation)) }
        if let (key, value) = tokenMember { frame[key] = .string(value) }
        return frame
    }

    /// The bytes `challenge_sig` covers (§3.2 step 3): `nonce ‖ utf8(peer) ‖ utf8(rooms.join(","))`,
    /// with no separators or length prefixes (§8 item 6 explains the ambiguity that leaves).
    public static func challengeSignatureInput(nonce: [UInt8], peer: String, rooms: [String]) -> [UInt8] {
        nonce + Array(peer.utf8) + Array(rooms.joined(separator: ",").utf8)
    }

    /// §3.2 step 4: which token member to send, if any.
    ///
    /// - relay key present → `sealed_token` = b64(seal(utf8(token), curve(relay key)));
    /// - sealing fails (malformed key) → with pins `.sealFailed`; without pins the
    ///   reference falls back to a plaintext `token`, and so do we, for parity;
    /// - no relay key → plaintext `token`. With pins this is unreachable: step 1 already
    ///   refused the challenge (`identityMissing`), so a pinned peer never downgrades.
    static func tokenField(
        token: String?, relayPublicKey: String?, pinned: Bool
    ) throws(RelayIdentityFailure) -> (key: String, value: String)? {
        guard let token else { return nil }
        guard let relayPublicKey else {
            if pinned { throw .identityMissing }
            return ("token", token)
        }
        do {
            let curve = try SigningPublicKey(base64: relayPublicKey).curve25519()
            return ("sealed_token", Base64.encode(try SealedBox.seal(Array(token.utf8), to: curve)))
        } catch {
            if pinned { throw .sealFailed }
            return ("token", token)
        }
    }

    /// `MYC_ROOM` → `ROOMS` (§5.1): split on `,`, trim each entry as JavaScript's `trim()`
    /// does, drop empty entries, drop repeats (first occurrence wins), keep the first 8.
    ///
    /// Repeats are compared by code units, as JavaScript does, not by Swift's canonical
    /// equivalence: `"é"` and `"e\u{301}"` are two different rooms to the relay, so they
    /// must be two rooms here too.
    public static func normalizeRooms(_ commaList: String) -> [String] {
        var seen = Set<[UInt8]>()
        var rooms: [String] = []
        for part in commaList.split(separator: ",", omittingEmptySubsequences: false) {
            let room = jsTrim(part)
            guard !room.isEmpty, seen.insert(Array(room.utf8)).inserted else { continue }
            rooms.append(room)
            if rooms.count == PeerConstants.maxRooms { break }
        }
        return rooms
    }

    /// `String.prototype.trim`: strips ECMAScript WhiteSpace and LineTerminator code
    /// points. That set differs from Unicode's White_Space property (it includes U+FEFF,
    /// excludes U+0085), so `trimmingWhitespace()` would not match the reference.
    static func jsTrim(_ text: Substring) -> String {
        var scalars = text.unicodeScalars[...]
        while let first = scalars.first, isJSWhitespace(first) { scalars.removeFirst() }
        while let last = scalars.last, isJSWhitespace(last) { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    private static func isJSWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x1680, 0x2000...0x200A,
             0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
            return true
        default:
            return false
        }
    }
}
