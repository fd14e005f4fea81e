/// Key processing (§5.5): a peer's advertised keys become a session only if the
/// ephemeral key is signed by its identity key and that identity matches the room-scoped
/// TOFU pin. Anything else fails closed and is kept as a blocked key for `myc_trust`.
extension PeerEngine {
    /// Processes keys the relay advertised and records the outcome (session, or blocked
    /// keys when `sign_pubkey` was given). Returns whether a session now exists.
    @discardableResult
    mutating func admitKeys(_ peer: RoomPeer, _ keyInfo: KeyInfo) -> Bool {
        switch processKeys(peer, keyInfo, establish: true) {
        case .success:
            persist(trust.unblock(peer))
            return true
        case let .failure(failure):
            dropSession(peer)
            if !keyInfo.signPublicKey.isEmpty {
                persist(trust.block(peer, keyInfo: keyInfo, reason: failure.blockReason, nowMs: now))
            }
            let metadata = ["peer.name": peer.name, "room": peer.room, "reason": failure.text]
            if failure == .keyChanged {
                log(.error, "TOFU violation", line: "TOFU VIOLATION: \(peer.name)@\(peer.room) key changed! BLOCKED.", metadata)
            } else {
                log(.error, "peer keys refused", line: "BLOCKED: keys of \(peer.name)@\(peer.room) refused (\(failure.text))", metadata)
            }
            return false
        }
    }

    /// Steps 1–7 of §5.5. With `establish`, also derives the shared key and stores the
    /// session (which needs this connection's ephemeral key); without, only validates
    /// and pins (used for `myc_trust` of a peer that is not live).
    mutating func processKeys(_ peer: RoomPeer, _ info: KeyInfo, establish: Bool) -> Result<Void, KeyProcessingFailure> {
        guard !info.signPublicKey.isEmpty, !info.ephemeralPublicKey.isEmpty, !info.ephemeralPublicKeySignature.isEmpty
        else { return .failure(.missingKeys) }
        guard !trust.isStsFailed(peer) else { return .failure(.stsFailed) }
        guard let signKey = try? SigningPublicKey(base64: info.signPublicKey),
              let ephemeralKey = try? BoxPublicKey(base64: info.ephemeralPublicKey)
        else { return .failure(.malformed) }
        guard signKey.verify(signatureBase64: info.ephemeralPublicKeySignature, message: ephemeralKey.bytes)
        else { return .failure(.badEphemeralSignature) }
        let (tofu, changes) = trust.check(peer, key: info.signPublicKey, nowMs: now)
        persist(changes)
        let status: PeerSession.Tofu
        switch tofu {
        case .changed: return .failure(.keyChanged)
        case .new:
            status = .new
            log(.notice, "new peer pinned", line: "New peer pinned: \(peer.name)@\(peer.room) (\(signKey.fingerprint))",
                ["peer.name": peer.name, "room": peer.room, "peer.fp": signKey.fingerprint.text])
        case .trusted: status = .trusted
        }
        guard establish else { return .success(()) }
        guard case let .authenticated(connection) = link,
              let shared = try? connection.ephemeral.sharedKey(with: ephemeralKey)
        else { return .failure(.malformed) }
        dropSession(peer)
        sessions[peer] = PeerSession(peer: peer, keyInfo: info, signKey: signKey, ephemeralKey: ephemeralKey,
                                     shared: shared, tofu: status)
        log(.debug, "session established", ["peer.name": peer.name, "room": peer.room])
        arm(.stsStart(peer), afterMs: PeerConstants.stsStartDelayMs)
        arm(.sessionRetry(peer), afterMs: PeerConstants.outboxRetryAfterSessionMs)
        return .success(())
    }

    /// Forgets a session and everything pending on it (STS, the outbox retry).
    mutating func dropSession(_ peer: RoomPeer) {
        sessions[peer] = nil
        stsPending.remove(peer)
        cancel(.stsStart(peer))
        cancel(.stsTimeout(peer))
        cancel(.sessionRetry(peer))
    }
}
