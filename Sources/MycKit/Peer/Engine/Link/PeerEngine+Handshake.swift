/// The handshake (§3.2–§3.7) with the §8.1 fix: `challenge` counts only as the first
/// frame of a connection, `auth_ok`/`auth_error` only while our `auth` is pending and only
/// from `_relay`. A challenge forwarded later by a room member can no longer make us sign
/// its nonce, and a forged `auth_ok` can no longer replace our sessions.
extension PeerEngine {
    mutating func receiveFirstFrame(_ object: JSONObject, connection: LinkConnection) {
        guard let type = object["type"]?.stringValue, type.isExactly(ChallengeFrame.type) else {
            log(.warning, "first frame is not a challenge; not authenticating on this link",
                line: "Auth fail: relay did not send a challenge", ["frame.type": object["type"]?.stringValue ?? ""])
            link = .handshaking(connection, .refused)
            return
        }
        let challenge: ChallengeFrame
        do {
            challenge = try ChallengeFrame(object: object)
        } catch {
            // The reference crashes on a bad nonce without pins (§8.11); we refuse the relay.
            log(.error, "malformed challenge", line: "RELAY IDENTITY ERROR: \(error)")
            closeLink(.relayIdentity, reason: RelayIdentityFailure.identityError.closeReason)
            return
        }
        var verified: SigningPublicKey?
        switch challenge.checkRelayIdentity(pins: config.relayPins) {
        case .unpinned: break
        case let .verified(key): verified = key
        case let .failed(failure):
            refuseRelay(failure)
            return
        }
        let auth: JSONObject
        do {
            auth = try AuthFrame.build(
                identity: config.identity, peer: config.name, rooms: config.rooms,
                ephemeralKey: connection.ephemeral.publicKey, sessionID: connection.sessionID,
                challenge: challenge, token: config.token, rotation: config.rotation, relayPins: config.relayPins)
        } catch {
            refuseRelay(error)
            return
        }
        var connection = connection
        if let verified {
            log(.info, "relay identity verified", line: "Relay identity verified: \(verified.fingerprint)",
                ["relay.fp": verified.fingerprint.text])
            connection.relayFingerprint = verified.fingerprint.text
            connection.relayPinned = true
        } else if case let .verified(key) = challenge.verifiedRelayKey() {
            // Unpinned: shown to the user so they can pin it, never trusted by itself.
            connection.relayFingerprint = key.fingerprint.text
        }
        link = .handshaking(connection, .awaitingAuth)
        emit(.sendFrame(RelayFrames.bytes(auth)))
    }

    /// §3.2 step 1: close 4099 with the exact reason. Nothing was sent, so no token leaks.
    private mutating func refuseRelay(_ failure: RelayIdentityFailure) {
        let line: String
        var metadata = ["close.reason": failure.closeReason]
        if case let .identityMismatch(fp) = failure {
            line = "RELAY IDENTITY MISMATCH: got \(fp), not in pinned set"
            metadata["relay.fp"] = fp.text
        } else {
            line = "Relay identity check failed: \(failure.description)"
        }
        log(.error, "relay identity refused", line: line, metadata)
        emit(.linkStatus(.refused(reason: line)))
        lossAnnounced = true
        closeLink(.relayIdentity, reason: failure.closeReason)
    }

    mutating func receiveDuringAuth(_ object: JSONObject, connection: LinkConnection) {
        let type = object["type"]?.stringValue ?? ""
        let fromRelay = object["from"]?.stringValue?.isExactly(RelayFrames.relayName) ?? false
        switch type {
        case "auth_ok" where fromRelay:
            authenticated(object, connection: connection)
        case "auth_error" where fromRelay:
            let reason = Self.relayDetail(object["payload"])
            log(.error, "auth refused", line: "Auth fail: \(reason)", ["auth.reason": reason])
            emit(.linkStatus(.refused(reason: "relay refused authentication: \(reason)")))
            lossAnnounced = true
            link = .handshaking(connection, .refused)
        case "error" where fromRelay:
            let detail = Self.relayDetail(object["payload"])
            log(.warning, "relay error before auth", line: "Relay error: \(detail)", ["relay.detail": detail])
        default:
            log(.debug, "frame ignored while authenticating", ["frame.type": type])
        }
    }

    /// §3.6, with the fixes: keys only for rooms we joined; blocked keys stay blocked
    /// (they are durable) until processing accepts the peer again.
    private mutating func authenticated(_ object: JSONObject, connection: LinkConnection) {
        link = .authenticated(connection)
        attempt = 0
        live.clear()
        let payload = object["payload"]?.objectValue ?? JSONObject()
        var peersByRoom: [(index: Int, map: JSONObject)] = []
        if payload["rooms"]?.isTruthy ?? false {
            for (room, value) in payload["peers"]?.objectValue ?? JSONObject() {
                guard let index = config.roomIndex(room) else { continue }
                peersByRoom.append((index, value.objectValue ?? JSONObject()))
            }
        } else {
            let room = payload["room"]?.stringValue ?? config.rooms[0]
            if let index = config.roomIndex(room) {
                peersByRoom.append((index, payload["peers"]?.objectValue ?? JSONObject()))
            }
        }
        log(.info, "authenticated", line: "Auth OK (proto \(WireProtocol.version), rooms: \(config.rooms.joined(separator: ", ")))",
            ["relay.url": connection.url, "session.id": connection.sessionID])
        for (index, map) in peersByRoom {
            let members = Self.members(of: map, excluding: config.name)
            live.replace(roomIndex: index, with: members)
            for member in members {
                _ = admitKeys(RoomPeer(room: config.rooms[index], name: member.name), member.keyInfo)
            }
        }
        linkAnnounced = true
        lossAnnounced = false
        emit(.linkStatus(.connected(url: connection.url, relayFingerprint: connection.relayFingerprint, pinned: connection.relayPinned)))
        // §8.13: every entry not yet carried by this connection goes out again, ~500 ms on.
        arm(.outboxFlush, afterMs: PeerConstants.outboxRetryAfterAuthMs)
    }

    /// The names (other than ours) and keyinfos of a relay key map, in its order. A
    /// non-object keyinfo (the reference crashes on `null`, §8.11) becomes empty keys,
    /// which key processing refuses.
    static func members(of map: JSONObject, excluding own: String) -> [(name: String, keyInfo: KeyInfo)] {
        map.compactMap { name, value in
            name.isExactly(own) ? nil : (name, KeyInfo(object: value.objectValue ?? JSONObject()))
        }
    }

    /// `String(payload)` with CR/LF runs turned into one space, cut to 160 characters.
    static func relayDetail(_ payload: JSONValue?) -> String {
        let raw: String
        switch payload {
        case nil: raw = "undefined"
        case .string(let s)?: raw = s
        case let value?: raw = value.description
        }
        var out = ""
        var inBreak = false
        for ch in raw.unicodeScalars {
            if ch == "\r" || ch == "\n" {
                if !inBreak { out.unicodeScalars.append(" ") }
                inBreak = true
            } else {
                out.unicodeScalars.append(ch)
                inBreak = false
            }
        }
        return String(out.prefix(PeerConstants.relayErrorDetailMax))
    }
}
