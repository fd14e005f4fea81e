/// Inbound routed frames (§5.9) on the session path. Every frame, control types included,
/// passes the same gate in the documented order — e2e, sender, sender == from, sig,
/// encrypted, (offline gate), nonce, session + signature, replay, decrypt, commit — and
/// each failure is a hard block with a log line. Compared with the reference, control
/// frames are signature- and replay-checked too (§8.9), and a frame for a room we have not
/// joined is rejected instead of being handled as `ROOMS[0]` (§8.8).
extension PeerEngine {
    mutating func receiveRouted(_ frame: InboundRoutedFrame) {
        guard let from = frame.from, !from.isEmpty else {
            log(.debug, "routed frame without from dropped")
            return
        }
        guard let roomText = frame.room, let room = config.joinedRoom(roomText) else {
            refuse("frame for a room not joined", "BLOCKED: frame from \(from) for a room not joined (\(frame.room ?? "no room"))", from, frame.room ?? "")
            return
        }
        let peer = RoomPeer(room: room, name: from)
        guard frame.isE2E else {
            refuse("non-E2E peer message", "BLOCKED: non-E2E peer message from \(from)", from, room)
            return
        }
        guard frame.isTruthy("sender") else {
            refuse("frame without sender", "BLOCKED: unsigned sender in frame from \(from)@\(room)", from, room)
            return
        }
        guard frame.senderMatchesFrom else {
            refuse("sender does not match from", "BLOCKED: sender ≠ from in frame from \(from)@\(room)", from, room)
            return
        }
        guard frame.isTruthy("sig") else {
            refuse("unsigned frame", "BLOCKED: unsigned frame from \(from)@\(room)", from, room)
            return
        }
        guard frame.isTruthy("encrypted") else {
            refuse("unencrypted frame", "BLOCKED: unencrypted frame from \(from)@\(room)", from, room)
            return
        }
        if frame.isOffline {
            receiveOffline(frame, from: peer)
            return
        }
        guard frame.isTruthy("nonce") else {
            refuse("frame without nonce", "BLOCKED: session frame without nonce from \(from)@\(room)", from, room)
            return
        }
        guard let session = sessions[peer] else {
            refuse("no session", "BLOCKED: no session with \(from)@\(room)", from, room)
            return
        }
        guard frame.verifySignature(with: session.signKey) else {
            refuse("bad signature", "BLOCKED: bad signature from \(from)@\(room)", from, room)
            return
        }
        let control = frame.type.flatMap(ControlType.init(wireType:))
        let msgID = frame.msgID
        let seq = frame["seq"]?.integerValue
        let sessionID = frame.sessionID
        let acknowledged = Self.isAcknowledged(frame.type)
        if replay.check(peer: peer, msgID: msgID, seq: seq, sessionID: sessionID) != .fresh {
            replayed(msgID: msgID, from: peer, acknowledged: acknowledged)
            return
        }
        let plaintext: String
        do {
            plaintext = try frame.openSession(key: session.shared)
        } catch {
            undecryptable(msgID: msgID, from: peer, acknowledged: acknowledged, error: error)
            return
        }
        persist(replay.commit(peer: peer, msgID: msgID, seq: seq, sessionID: sessionID,
                              recordID: control != .ack && control != .nack, nowMs: now))
        persist(trust.touch(peer, nowMs: now))
        switch control {
        case .ack?:
            if let id = ControlPayload.parseAck(plaintext) { handleAck(id, from: peer) }
        case .nack?:
            if let id = ControlPayload.parseNack(plaintext) { handleNack(id, from: peer) }
        case .stsInit?, .stsReply?, .stsComplete?:
            receiveSts(control!, from: peer, plaintext: plaintext)
        case .keyRotate?:
            receiveKeyRotation(from: peer, plaintext: plaintext)
        case .permRequest?:
            // Delivered (inbox entry in the commit's transaction) before the `_ack` leaves.
            receivePermissionRequest(frame, from: peer, plaintext: plaintext)
            if let msgID { sendReceipt(.ack, for: msgID, to: peer) }
        case .permVerdict?, nil:
            guard acknowledged else {
                log(.warning, "unknown reserved type dropped", ["frame.type": frame.type ?? "", "peer.name": from, "room": room])
                return
            }
            deliver(frame, from: peer, plaintext: plaintext, offline: false)
            if let msgID { sendReceipt(.ack, for: msgID, to: peer) }
        }
    }

    /// Types that are acked (and nacked, and re-acked as duplicates): messages, custom
    /// types, `_perm_req` and `_perm_verdict`; never `_ack`, `_nack`, `_sts_*`,
    /// `_key_rotate` or unknown reserved types.
    static func isAcknowledged(_ type: String?) -> Bool {
        guard let type else { return true }
        if let control = ControlType(wireType: type) { return control == .permRequest || control == .permVerdict }
        return type.utf8.first != UInt8(ascii: "_")
    }

    /// R9/O5: a verified duplicate is re-acked (its first ack may have been lost) and
    /// never delivered again.
    mutating func replayed(msgID: String?, from peer: RoomPeer, acknowledged: Bool) {
        if let msgID, acknowledged {
            sendReceipt(.ack, for: msgID, to: peer)
            log(.info, "duplicate re-acked", line: "Replay dedup: re-acked \(msgID) from \(peer.name)",
                ["msg.id": msgID, "peer.name": peer.name, "room": peer.room])
        } else {
            log(.debug, "duplicate dropped", ["msg.id": msgID ?? "", "peer.name": peer.name, "room": peer.room])
        }
    }

    /// R10/O6: nothing is committed, and the sender is asked to retransmit.
    mutating func undecryptable(msgID: String?, from peer: RoomPeer, acknowledged: Bool, error: RoutedFrameOpenError) {
        if let msgID, acknowledged {
            log(.warning, "decrypt failed; nacking",
                line: "decrypt failed from \(peer.name) (stale session ciphertext?) — nacking \(msgID)",
                ["msg.id": msgID, "peer.name": peer.name, "room": peer.room, "error": error.description])
            sendReceipt(.nack, for: msgID, to: peer)
        } else {
            log(.warning, "decrypt failed; dropped", line: "decrypt failed from \(peer.name) (control frame dropped)",
                ["msg.id": msgID ?? "", "peer.name": peer.name, "room": peer.room, "error": error.description])
        }
    }

    mutating func refuse(_ message: String, _ line: String, _ from: String, _ room: String) {
        log(.warning, message, line: line, ["peer.name": from, "room": room])
    }
}
