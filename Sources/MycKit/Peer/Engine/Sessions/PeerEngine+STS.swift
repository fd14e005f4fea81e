/// STS session confirmation (§5.8): both peers sign the same binding of both ephemeral
/// keys, both session ids and the room. A mismatch means someone in the middle (the relay)
/// handed out keys that are not the other peer's: the peer is blocked until `myc_trust`.
extension PeerEngine {
    /// ~100 ms after key processing: the initiator sends `_sts_init` and waits 10 s.
    mutating func startSts(with peer: RoomPeer) {
        guard sessions[peer] != nil, StsBinding.isInitiator(local: config.name, remote: peer.name) else { return }
        let id = msgIDs.next(nowMs: now)
        guard sendSessionFrame(to: peer, type: ControlType.stsInit.rawValue, msgID: id, plaintext: ControlPayload.stsInit)
        else { return }
        stsPending.insert(peer)
        arm(.stsTimeout(peer), afterMs: PeerConstants.stsTimeoutMs)
    }

    mutating func stsTimedOut(_ peer: RoomPeer) {
        guard stsPending.remove(peer) != nil else { return }
        log(.warning, "STS timed out", line: "STS timeout for \(peer.name)@\(peer.room) (session usable, unconfirmed)",
            ["peer.name": peer.name, "room": peer.room])
    }

    func stsBinding(_ session: PeerSession) -> [UInt8]? {
        guard let connection = link.connection else { return nil }
        return StsBinding.bytes(
            localName: config.name, localEphemeral: connection.ephemeral.publicKey.bytes,
            localSessionID: connection.sessionID,
            remoteName: session.peer.name, remoteEphemeral: session.ephemeralKey.bytes,
            remoteSessionID: session.remoteSessionID, room: session.peer.room)
    }

    /// A verified, decrypted `_sts_*` frame.
    mutating func receiveSts(_ control: ControlType, from peer: RoomPeer, plaintext: String) {
        guard let session = sessions[peer], let binding = stsBinding(session) else { return }
        switch control {
        case .stsInit:
            // The responder keeps no state and does not check its role.
            let signature = config.identity.signBase64(binding)
            _ = sendSessionFrame(to: peer, type: ControlType.stsReply.rawValue, msgID: msgIDs.next(nowMs: now),
                                 plaintext: ControlPayload.stsSignature(signature))
        case .stsReply:
            guard stsPending.contains(peer) else { return }
            guard let signature = ControlPayload.parseStsSignature(plaintext) else { return }
            guard session.signKey.verify(signatureBase64: signature, message: binding) else {
                stsFailed(peer, phase: "reply")
                return
            }
            stsPending.remove(peer)
            cancel(.stsTimeout(peer))
            _ = sendSessionFrame(to: peer, type: ControlType.stsComplete.rawValue, msgID: msgIDs.next(nowMs: now),
                                 plaintext: ControlPayload.stsSignature(config.identity.signBase64(binding)))
            stsVerified(peer)
        case .stsComplete:
            guard let signature = ControlPayload.parseStsSignature(plaintext) else { return }
            guard session.signKey.verify(signatureBase64: signature, message: binding) else {
                stsFailed(peer, phase: "complete")
                return
            }
            stsVerified(peer)
        default:
            return
        }
    }

    private mutating func stsVerified(_ peer: RoomPeer) {
        sessions[peer]?.stsVerified = true
        log(.info, "STS verified", line: "STS verified: \(peer.name)@\(peer.room)", ["peer.name": peer.name, "room": peer.room])
    }

    /// Fails closed: keys kept as blocked, session gone, STS-failed until `myc_trust`.
    private mutating func stsFailed(_ peer: RoomPeer, phase: String) {
        guard let session = sessions[peer] else { return }
        persist(trust.block(peer, keyInfo: session.keyInfo, reason: .stsFailed, nowMs: now))
        persist(trust.markStsFailed(peer))
        dropSession(peer)
        log(.error, "STS verification failed",
            line: "STS VERIFICATION FAILED (\(phase)) for \(peer.name)@\(peer.room)",
            ["peer.name": peer.name, "room": peer.room, "sts.phase": phase])
        notifyEvent("sts_failed", ["peer": .string(peer.name), "room": .string(peer.room)],
                    content: "🔴 STS verification FAILED for \(peer.name)@\(peer.room): possible man-in-the-middle. \(peer.name) is BLOCKED. Compare fingerprints out of band (myc_verify on both sides), then myc_trust.")
    }
}
