/// What happens to an accepted frame (R13/O10): chunk reassembly, `_perm_verdict`
/// dispatch, then the host notification with the §6.3 meta. Also the control payloads
/// that are not about delivery state: key rotation and permission requests.
extension PeerEngine {
    /// Runs after the frame's dedup commit was queued and before its `_ack` is: every store
    /// change made here (the chunk part, the buffer's removal, the inbox entry) joins that
    /// commit's transaction, so a crash can never leave a msg_id committed (and so
    /// re-acked, never delivered again) without what it carried being on disk.
    mutating func deliver(_ frame: InboundRoutedFrame, from peer: RoomPeer, plaintext: String, offline: Bool) {
        var text = plaintext
        var msgID = frame.msgID ?? ""
        var chunked: Int?
        var completedBuffer: ChunkBufferID?
        switch ChunkSplitter.tryParseChunk(plaintext: plaintext, maxLogicalBytes: config.maxLogicalBytes) {
        case .notAChunk:
            break
        case let .dropped(rejection):
            log(.warning, "chunk dropped", ["peer.name": peer.name, "room": peer.room, "reason": rejection.description])
            return
        case let .part(part):
            let buffer = ChunkBufferID(peer: peer, logicalID: part.id)
            switch chunks.add(part, from: peer, nowMs: now) {
            case let .stored(opened):
                storeChunkPart(buffer, index: part.index)
                if opened { arm(.chunkTimeout(buffer), afterMs: PeerConstants.chunkTimeoutMs) }
                return
            case .repeated:
                return
            case let .dropped(reason, discarded):
                if discarded {
                    persist([.removeChunkBuffer(buffer)])
                    cancel(.chunkTimeout(buffer))
                }
                log(.warning, "chunk dropped", ["peer.name": peer.name, "room": peer.room, "msg.id": part.id, "reason": reason])
                return
            case let .complete(reassembled):
                persist([.removeChunkBuffer(buffer)])
                guard let reassembled else {
                    cancel(.chunkTimeout(buffer))
                    log(.warning, "reassembled message is not UTF-8", ["peer.name": peer.name, "room": peer.room, "msg.id": part.id])
                    return
                }
                text = reassembled
                msgID = part.id
                chunked = part.count
                completedBuffer = buffer
            }
        }
        // The timeout is cancelled after the notification, whose inbox entry must share the
        // transaction of the commit and the buffer's removal.
        defer { if let completedBuffer { cancel(.chunkTimeout(completedBuffer)) } }
        let type = frame.type.flatMap { $0.isEmpty ? nil : $0 } ?? PeerConstants.defaultType
        if let control = ControlType(wireType: type), control == .permVerdict {
            receivePermissionVerdict(from: peer, plaintext: text)
            return
        }
        var meta: JSONObject = [
            "from_peer": .string(peer.name),
            "type": .string(type),
            "room": .string(peer.room),
            "msg_id": .string(msgID),
            "e2e": "encrypted",
            "sig": "✅",
        ]
        if offline { meta["offline"] = true }
        if let requestID = frame.requestID { meta["request_id"] = .string(requestID) }
        if let chunked { meta["chunked"] = .number(Double(chunked)) }
        meta["tofu"] = .string(offline ? "📮" : tofuMarker(peer))
        notify(PeerNotification(ts: now, kind: .message, content: text, meta: meta))
    }

    /// 🆕 new pin this session, 🔒 trusted, 🔴 no session.
    func tofuMarker(_ peer: RoomPeer) -> String {
        switch sessions[peer]?.tofu {
        case .new?: return "🆕"
        case .trusted?: return "🔒"
        case nil: return "🔴"
        }
    }

    mutating func chunkTimedOut(_ buffer: ChunkBufferID) {
        guard chunks.expire(buffer) else { return }
        // One transaction: the stored parts go together with the event that reports them.
        persist([.removeChunkBuffer(buffer)])
        notifyEvent("chunk_timeout", ["from_peer": .string(buffer.peer.name), "room": .string(buffer.peer.room),
                                      "msg_id": .string(buffer.logicalID)],
                    content: "⚠️ Incomplete chunked message \(buffer.logicalID) from \(buffer.peer.name)@\(buffer.peer.room) discarded after \(PeerConstants.chunkTimeoutMs / 1000) s")
        log(.warning, "chunked message timed out", ["peer.name": buffer.peer.name, "room": buffer.peer.room, "msg.id": buffer.logicalID])
    }

    // MARK: Permission relay (§5.17)

    mutating func receivePermissionRequest(_ frame: InboundRoutedFrame, from peer: RoomPeer, plaintext: String) {
        guard let request = PermissionRequest(plaintext: plaintext) else {
            log(.warning, "malformed permission request dropped", ["peer.name": peer.name, "room": peer.room])
            return
        }
        var content = "⚠️ \(peer.name) needs approval: \(request.toolName): \(request.description)"
        if !request.inputPreview.isEmpty { content += "\n\(request.inputPreview)" }
        notifyEvent("permission_request", ["from_peer": .string(peer.name), "room": .string(peer.room),
                                           "request_id": .string(request.requestID)], content: content)
    }

    /// A verdict counts only from a peer we asked (and, if configured, an approver); the
    /// reference accepts it from anyone in any room (§8.9).
    private mutating func receivePermissionVerdict(from peer: RoomPeer, plaintext: String) {
        guard let verdict = PermissionVerdict(plaintext: plaintext) else { return }
        guard let requestID = verdict.requestID?.stringValue,
              let asked = permissionRequests[ExactString(requestID)], asked.contains(peer),
              config.approvers.isEmpty || config.approvers.contains(where: { $0.isExactly(peer.name) })
        else {
            log(.warning, "permission verdict ignored (not asked)", ["peer.name": peer.name, "room": peer.room])
            return
        }
        permissionRequests.removeValue(forKey: ExactString(requestID))
        log(.info, "permission verdict received", ["peer.name": peer.name, "room": peer.room, "request.id": requestID])
        let meta: JSONObject = ["type": "permission_verdict", "peer": .string(peer.name), "room": .string(peer.room),
                                "request_id": .string(requestID)]
        notify(PeerNotification(ts: now, kind: .event, content: "", meta: meta, permissionVerdict: verdict))
    }

    // MARK: Key rotation (§5.14, receiver)

    /// Verifies the continuity statement against each room's current pin and moves the
    /// pins that verify. A key that was blocked because the rotation arrived late is then
    /// accepted.
    mutating func receiveKeyRotation(from peer: RoomPeer, plaintext: String) {
        guard let announcement = KeyRotateAnnouncement(plaintext: plaintext) else { return }
        var updated: [String] = []
        for room in config.rooms {
            let target = RoomPeer(room: room, name: peer.name)
            guard let pin = trust.pin(target), let pinned = try? SigningPublicKey(base64: pin.key),
                  announcement.verify(name: peer.name, pinnedKey: pinned) else { continue }
            persist(trust.override(target, key: announcement.newPublicKey, nowMs: now))
            updated.append(room)
        }
        guard !updated.isEmpty else {
            log(.warning, "key rotation not verified", ["peer.name": peer.name, "room": peer.room])
            return
        }
        let fp = Self.fingerprintText(announcement.newPublicKey)
        log(.notice, "peer rotated its key", line: "Key rotated: \(peer.name) (\(updated.joined(separator: ", "))) → \(fp)",
            ["peer.name": peer.name, "peer.fp": fp])
        notifyEvent("key_rotated", ["peer": .string(peer.name), "rooms": .string(updated.joined(separator: ","))],
                    content: "🔑 \(peer.name) rotated its identity key (verified by its old key). New fingerprint: \(fp)")
        for room in updated {
            let target = RoomPeer(room: room, name: peer.name)
            if let entry = trust.blocked[target], entry.keyInfo.signPublicKey.isExactly(announcement.newPublicKey) {
                _ = retrust(target, keyInfo: entry.keyInfo)
            }
        }
    }

    // MARK: Events (§6.4)

    /// An event notification: `meta` starts with `type`; `kind` is `message` when the
    /// meta names a `from_peer` (§6.5), `event` otherwise.
    mutating func notifyEvent(_ type: String, _ meta: JSONObject, content: String) {
        var full: JSONObject = ["type": .string(type)]
        for (key, value) in meta { full[key] = value }
        let kind: PeerNotification.Kind = full.isTruthyKey("from_peer") ? .message : .event
        notify(PeerNotification(ts: now, kind: kind, content: content, meta: full))
    }

    /// The one way a notification leaves the engine: its inbox entry is queued as a store
    /// change first (merging with the changes queued just before it into one transaction),
    /// then the face is told. A permission verdict goes to the host, never to the inbox.
    mutating func notify(_ notification: PeerNotification) {
        if notification.permissionVerdict == nil {
            persist([.appendInbox(notification, cap: PeerConstants.inboxCap)])
        }
        emit(.notify(notification))
    }
}
