/// Relay control frames (§5.5 "Relay control at the peer", §3.7 `evicted`), accepted only
/// on an authenticated link and only with `from == "_relay"` (§8.1).
extension PeerEngine {
    mutating func receiveRelayControl(_ object: JSONObject) {
        let type = object["type"]?.stringValue ?? ""
        let payload = object["payload"]
        switch type {
        case "peer_joined": peerJoined(payload?.objectValue ?? JSONObject())
        case "peer_left": peerLeft(payload?.objectValue ?? JSONObject())
        case "relay_shutdown":
            attempt = 0
            log(.notice, "relay shutting down", line: "Relay shutting down; reconnecting")
        case "rooms": roomsListed(payload?.objectValue ?? JSONObject())
        case "queued":
            let detail = Self.relayDetail(payload)
            let id = object["msg_id"]?.stringValue ?? ""
            let ttl = object["ttl_s"].map { $0.description } ?? "?"
            log(.info, "relay queued a frame", line: "Relay queued: \(detail) (msg \(id), ttl \(ttl)s)",
                ["msg.id": id, "relay.detail": detail])
        case "error": relayError(detail: Self.relayDetail(payload), msgID: object["msg_id"]?.stringValue)
        case "evicted":
            let reason = payload?.stringValue ?? ""
            log(.warning, "evicted by relay", line: "Evicted by relay: \(reason)", ["evict.reason": reason])
            if reason == "revoked" {
                notifyEvent("revoked", [:], content: "🔴 This peer's key was revoked by the relay operator; it can no longer join its rooms.")
            }
        default:
            log(.debug, "relay frame ignored", ["frame.type": type])
        }
    }

    /// The room of a membership frame: `payload.room` if it is one of ours, else `ROOMS[0]`
    /// when absent (legacy relays), else `nil` (a room we did not join: ignored).
    private func membershipRoomIndex(_ payload: JSONObject) -> Int? {
        guard let room = payload["room"] else { return 0 }
        guard let text = room.stringValue else { return 0 }
        return config.roomIndex(text)
    }

    private mutating func peerJoined(_ payload: JSONObject) {
        guard payload.isTruthyKey("sign_pubkey"), payload.isTruthyKey("eph_enc_pubkey"),
              payload.isTruthyKey("eph_enc_pubkey_sig"),
              let name = payload["peer"]?.stringValue, !name.isEmpty, !config.isSelf(name),
              let index = membershipRoomIndex(payload) else {
            log(.debug, "peer_joined ignored")
            return
        }
        let room = config.rooms[index]
        let peer = RoomPeer(room: room, name: name)
        let keyInfo = KeyInfo(object: payload)
        live.add(peer, roomIndex: index, keyInfo: keyInfo)
        let accepted = admitKeys(peer, keyInfo)
        if !accepted {
            let reason = trust.blocked[peer]?.reason
            notifyEvent("tofu_violation", ["peer": .string(name), "room": .string(room)],
                        content: "🔴 \(name)@\(room): \(reason == .keyChanged ? "identity key changed" : "keys refused (\(reason?.rawValue ?? "invalid"))")! Messages to and from \(name) are BLOCKED. Verify the fingerprint out of band (myc_verify on their side), then myc_trust.")
        }
        // The full list replaces ours; anyone listed without a session is processed too.
        if let map = payload["peers"]?.objectValue {
            let members = Self.members(of: map, excluding: config.name)
            live.replace(roomIndex: index, with: members)
            for member in members where !member.name.isExactly(name) {
                let other = RoomPeer(room: room, name: member.name)
                guard sessions[other] == nil else { continue }
                if let blocked = trust.blocked[other], blocked.keyInfo == member.keyInfo { continue }
                _ = admitKeys(other, member.keyInfo)
            }
            if !live.isLive(peer) { live.add(peer, roomIndex: index, keyInfo: keyInfo) }
        }
        let marker = accepted ? (sessions[peer]?.tofu == .new ? "🆕" : "🔒") : "🔴"
        let names = live.names(roomIndex: index).joined(separator: ", ")
        notifyEvent("peer_joined", ["peer": .string(name), "room": .string(room)],
                    content: "➕ \(name) \(marker) joined \(room) (live: \(names))")
    }

    private mutating func peerLeft(_ payload: JSONObject) {
        guard let name = payload["peer"]?.stringValue, !name.isEmpty, !config.isSelf(name),
              let index = membershipRoomIndex(payload) else { return }
        let room = config.rooms[index]
        let peer = RoomPeer(room: room, name: name)
        dropSession(peer)
        // Blocked keys stay (durable, for myc_trust); the live list follows the relay.
        if let map = payload["peers"]?.objectValue {
            live.replace(roomIndex: index, with: Self.members(of: map, excluding: config.name)
                .filter { !$0.name.isExactly(name) })
        } else {
            live.remove(peer, roomIndex: index)
        }
        notifyEvent("peer_left", ["peer": .string(name), "room": .string(room)], content: "➖ \(name) left \(room)")
    }

    /// §5.12 relay `error`: a tracked msg_id is retransmitted (after 5 s when rate
    /// limited, when the target returns when its queue is full, at once otherwise);
    /// anything else is reported as `relay_error`.
    private mutating func relayError(detail: String, msgID: String?) {
        log(.warning, "relay reported an error", line: "Relay error: \(detail)\(msgID.map { " (msg \($0))" } ?? "")",
            ["relay.detail": detail, "msg.id": msgID ?? ""])
        if let msgID, outbox[msgID] != nil {
            cancelOutboxTimer(msgID)
            if detail.contains("rate limited") {
                outbox[msgID]?.timer = .rateLimited
                arm(.outbox(msgID: msgID), afterMs: PeerConstants.rateLimitResendDelayMs)
            } else if detail.contains("queue full") {
                // The target's mailbox at the relay is full: an immediate resend fails the
                // same way, and the reference burns every retry in milliseconds. Wait for
                // the target to return (its new session resends the outbox) or for the
                // offline window to end, as for any deferred send.
                outbox[msgID]?.wasOffline = true
                armOutboxTimer(msgID, .offlineAck)
            } else {
                resend(msgID, reason: "relay: \(detail)")
            }
            return
        }
        notifyEvent("relay_error", ["msg_id": .string(msgID ?? "")],
                    content: "⚠️ Relay reports failure: \(detail); NOT delivered")
    }
}

extension JSONObject {
    /// JavaScript truthiness of `self[key]` (absent is falsy).
    func isTruthyKey(_ key: String) -> Bool { self[key]?.isTruthy ?? false }
}
