/// Accepting blocked keys: `myc_trust` through this engine, or another process writing
/// a pin to the store (`.storeChanged`).
extension PeerEngine {
    mutating func storeChanged(_ snapshot: PeerStateSnapshot) {
        let oldPins = trust.pins
        let oldFailed = trust.stsFailed
        var candidates = trust.blocked
        trust.adopt(snapshot)
        for (peer, entry) in trust.blocked.elements where candidates[peer] == nil { candidates[peer] = entry }
        for (peer, entry) in candidates.elements {
            guard let pin = trust.pin(peer), pin.key.isExactly(entry.keyInfo.signPublicKey) else { continue }
            let repinned = oldPins[peer].map { !$0.key.isExactly(pin.key) || $0.firstSeenMs != pin.firstSeenMs } ?? true
            let released = oldFailed.contains(peer) && !trust.isStsFailed(peer)
            guard repinned || released else { continue }
            log(.notice, "blocked key trusted by another process",
                line: "Key of \(peer.name)@\(peer.room) trusted (\(Self.fingerprintText(entry.keyInfo.signPublicKey)))",
                ["peer.name": peer.name, "room": peer.room])
            _ = retrust(peer, keyInfo: entry.keyInfo)
        }
    }

    /// Lifts the STS-failed mark and the block, then processes keys again: the live
    /// keys when the peer is present (a session and STS follow), else only validates
    /// the stored ones (a session built on a dead ephemeral key would be useless).
    mutating func retrust(_ peer: RoomPeer, keyInfo stored: KeyInfo) -> Bool {
        persist(trust.clearStsFailed(peer))
        persist(trust.unblock(peer))
        if link.isAuthenticated, let current = live.keyInfo(peer) {
            return admitKeys(peer, current)
        }
        switch processKeys(peer, stored, establish: false) {
        case .success: return true
        case let .failure(failure):
            persist(trust.block(peer, keyInfo: stored, reason: failure.blockReason, nowMs: now))
            return false
        }
    }

    static func fingerprintText(_ base64Key: String) -> String {
        (try? SigningPublicKey(base64: base64Key))?.fingerprint.text ?? "invalid key"
    }
}
