/// Building and sending routed frames (§5.6–§5.7). Frames are written only while the link
/// is authenticated; otherwise nothing is sent (the outbox keeps the data).
extension PeerEngine {
    /// A session frame to `peer`: encrypted under the session key, signed, `no_queue`,
    /// with this connection's session id and the next seq. `false` when there is no
    /// session or no authenticated link.
    mutating func sendSessionFrame(to peer: RoomPeer, type: String, msgID: String, plaintext: String,
                                   requestID: String? = nil) -> Bool {
        guard case var .authenticated(connection) = link, let session = sessions[peer] else { return false }
        let header = RoutedFrameHeader(target: peer.name, room: peer.room, type: type, sender: config.name,
                                       msgID: msgID, ts: now, requestID: requestID)
        let nonce = random.bytes(PeerConstants.boxNonceByteCount)
        guard let frame = try? SessionFrame.build(header: header, sessionID: connection.sessionID, seq: connection.nextSeq,
                                                  plaintext: Array(plaintext.utf8), key: session.shared,
                                                  signer: config.identity, nonce: nonce)
        else { return false }
        connection.nextSeq += 1
        link = .authenticated(connection)
        emit(.sendFrame(RelayFrames.bytes(frame)))
        return true
    }

    /// An offline envelope sealed to `peer`'s **pinned** identity key. `false` without a
    /// pin or an authenticated link.
    mutating func sendOfflineFrame(to peer: RoomPeer, type: String, msgID: String, plaintext: String,
                                   requestID: String? = nil) -> Bool {
        guard link.isAuthenticated, let pin = trust.pin(peer), let key = try? SigningPublicKey(base64: pin.key) else { return false }
        let header = RoutedFrameHeader(target: peer.name, room: peer.room, type: type, sender: config.name,
                                       msgID: msgID, ts: now, requestID: requestID)
        guard let frame = try? OfflineEnvelope.build(header: header, plaintext: Array(plaintext.utf8), recipient: key,
                                                     signer: config.identity)
        else { return false }
        emit(.sendFrame(RelayFrames.bytes(frame)))
        return true
    }

    /// `_ack` / `_nack` for `msgID`: over the session if there is one, else as an offline
    /// envelope (which needs a pin). Fresh msg_id, not tracked.
    mutating func sendReceipt(_ control: ControlType, for msgID: String, to peer: RoomPeer) {
        let plaintext = control == .nack ? ControlPayload.nack(msgID) : ControlPayload.ack(msgID)
        let id = msgIDs.next(nowMs: now)
        if sendSessionFrame(to: peer, type: control.rawValue, msgID: id, plaintext: plaintext) { return }
        if !sendOfflineFrame(to: peer, type: control.rawValue, msgID: id, plaintext: plaintext) {
            log(.debug, "receipt not sent (no session, no pin)", ["peer.name": peer.name, "room": peer.room, "msg.id": msgID])
        }
    }
}
