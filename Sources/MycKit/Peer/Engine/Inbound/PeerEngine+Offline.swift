/// The offline gate (§5.9 O1–O10): identity envelopes from a pinned peer, checked against
/// the pin (not a session), fresh within `OFFLINE_MAX_AGE`, deduplicated by msg_id only.
extension PeerEngine {
    mutating func receiveOffline(_ frame: InboundRoutedFrame, from peer: RoomPeer) {
        let (from, room) = (peer.name, peer.room)
        guard let pin = trust.pin(peer), let key = try? SigningPublicKey(base64: pin.key) else {
            refuse("offline envelope from unpinned peer", "BLOCKED: offline envelope from unknown peer \(from)@\(room) (first contact needs both online)", from, room)
            return
        }
        guard !trust.isStsFailed(peer) else {
            refuse("offline envelope from STS-failed peer", "BLOCKED: offline envelope from \(from)@\(room) (STS failed; myc_trust first)", from, room)
            return
        }
        guard frame.verifySignature(with: key) else {
            refuse("bad signature", "BLOCKED: bad signature from \(from)@\(room)", from, room)
            return
        }
        let msgID = frame.msgID
        guard let ts = frame.ts, abs(Double(now) - ts) <= Double(config.offlineMaxAgeMs) else {
            log(.warning, "stale offline envelope", line: "Stale offline envelope from \(from)@\(room) rejected",
                ["peer.name": from, "room": room, "msg.id": msgID ?? ""])
            let minutes = config.offlineMaxAgeMs / 60_000
            notifyEvent("offline_stale", ["from_peer": .string(from), "room": .string(room), "msg_id": .string(msgID ?? "")],
                        content: "⚠️ Stale offline message from \(from)@\(room) rejected (outside the \(minutes)-minute freshness window)")
            return
        }
        let acknowledged = Self.isAcknowledged(frame.type)
        if replay.check(peer: peer, msgID: msgID, seq: nil, sessionID: nil) != .fresh {
            replayed(msgID: msgID, from: peer, acknowledged: acknowledged)
            return
        }
        let opened: Result<String, RoutedFrameOpenError>
        if let identityCurve {
            opened = Result { () throws(RoutedFrameOpenError) in try frame.openOffline(identityCurve: identityCurve) }
        } else {
            opened = .failure(.decryptionFailed)
        }
        let plaintext: String
        switch opened {
        case let .success(text): plaintext = text
        case let .failure(error):
            undecryptable(msgID: msgID, from: peer, acknowledged: acknowledged, error: error)
            return
        }
        persist(replay.commit(peer: peer, msgID: msgID, seq: nil, sessionID: nil, nowMs: now))
        persist(trust.touch(peer, nowMs: now))
        switch frame.type.flatMap(ControlType.init(wireType:)) {
        case .ack?:
            if let id = ControlPayload.parseAck(plaintext) { handleAck(id, from: peer) }
            return
        case .nack?:
            if let id = ControlPayload.parseNack(plaintext) { handleNack(id, from: peer) }
            return
        case .keyRotate?:
            receiveKeyRotation(from: peer, plaintext: plaintext)
            return
        case .permVerdict?:
            break
        default:
            if frame.type?.utf8.first == UInt8(ascii: "_") {
                log(.warning, "reserved type dropped on the offline path", ["frame.type": frame.type ?? "", "peer.name": from, "room": room])
                return
            }
        }
        // Delivered (inbox entry in the commit's transaction) before the `_ack` leaves.
        deliver(frame, from: peer, plaintext: plaintext, offline: true)
        if let msgID { sendReceipt(.ack, for: msgID, to: peer) }
    }
}
