/// Key rotation, sender side (§5.14), in two steps so that the key file is written before
/// anyone hears of the new key:
///
/// 1. `prepareRotation` draws the new keypair and signs the continuity statement with the
///    old key. It changes nothing the peer shows or sends. The runtime then writes the key
///    file (new key plus `prev`) atomically; if that fails, the rotation ends there.
/// 2. `.commitRotation` announces the statement — `_key_rotate` over every live session,
///    an offline envelope to every pinned peer that is not live, both signed by the old
///    key — then switches identities and closes the link with 4200, so the next `auth`
///    carries `rotation` and the relay migrates the name binding.
///
/// The reference persists after announcing; a crash or a full disk in between leaves
/// peers pinned to a key whose secret no longer exists anywhere. Writing first means the
/// worst case is a rotation nobody heard about, which `myc trust` on the other side can
/// still repair. A rotation without a relay link is refused: nobody would hear it.
extension PeerEngine {
    /// Step 1. Throws (and changes nothing) when the link is not authenticated.
    public mutating func prepareRotation(nowMs: Int64) throws(RotationRefusal) -> RotationPlan {
        guard link.isAuthenticated else { throw .notConnected }
        guard let keyPair = try? SigningKeyPair(seed: random.bytes(SigningKeyPair.seedByteCount)) else { throw .keyGeneration }
        let signature = RotationStatement.sign(oldKey: config.identity, newPublicKey: keyPair.publicKey,
                                               name: config.name, timestampMs: nowMs)
        let record = RotationRecord(previousPublicKey: config.identity.publicKey.base64, continuitySignature: signature,
                                    rotatedAt: Double(nowMs))
        return RotationPlan(identity: Identity(keyPair: keyPair, previous: record), timestampMs: nowMs)
    }

    /// Step 2, after the key file holds `plan.identity`.
    mutating func commitRotation(_ plan: RotationPlan) -> RotateOutcome {
        guard let record = plan.identity.previous, record.previousPublicKey.isExactly(config.identity.publicKey.base64) else {
            return .failed(reason: "the rotation was prepared for another identity")
        }
        let announcement = KeyRotateAnnouncement(newPublicKey: plan.identity.publicKey.base64,
                                                 continuitySignature: record.continuitySignature, tsMs: plan.timestampMs)
        var announcedLive = 0
        var announcedOffline = 0
        for (index, room) in config.rooms.enumerated() {
            let liveNames = live.names(roomIndex: index)
            for name in liveNames where !config.isSelf(name) {
                let peer = RoomPeer(room: room, name: name)
                guard sessions[peer] != nil else { continue }
                if sendSessionFrame(to: peer, type: ControlType.keyRotate.rawValue, msgID: msgIDs.next(nowMs: now),
                                    plaintext: announcement.plaintext) {
                    announcedLive += 1
                }
            }
            for name in trust.pinnedNames(in: room) where !config.isSelf(name) && !liveNames.contains(where: { $0.isExactly(name) }) {
                if sendOfflineFrame(to: RoomPeer(room: room, name: name), type: ControlType.keyRotate.rawValue,
                                    msgID: msgIDs.next(nowMs: now), plaintext: announcement.plaintext) {
                    announcedOffline += 1
                }
            }
        }
        let oldFingerprint = fingerprint
        config.identity = plan.identity.keyPair
        config.rotation = record
        identityCurve = try? plan.identity.keyPair.curve25519()
        fingerprint = plan.identity.fingerprint
        // What waits at rest was sealed to the old identity, whose secret is gone after this.
        resealOutbox()
        log(.notice, "identity rotated", line: "🔑 identity rotated — new fingerprint \(fingerprint)",
            ["peer.fp": fingerprint.text, "peer.prev_fp": oldFingerprint.text,
             "announced.live": String(announcedLive), "announced.offline": String(announcedOffline)])
        closeLink(.rekey, reason: CloseCode.rekey.defaultReason)
        return .rotated(oldFingerprint: oldFingerprint.text, newFingerprint: fingerprint.text,
                        announcedLive: announcedLive, announcedOffline: announcedOffline)
    }
}

/// A rotation drawn by `prepareRotation`, waiting for the key file to be written.
public struct RotationPlan: Sendable, Equatable {
    /// The new keypair and its `prev` record: exactly what goes into the key file.
    public let identity: Identity
    public let timestampMs: Int64

    public static func == (a: RotationPlan, b: RotationPlan) -> Bool {
        a.identity.publicKey == b.identity.publicKey && a.identity.previous == b.identity.previous && a.timestampMs == b.timestampMs
    }
}

public enum RotationRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case notConnected
    case keyGeneration

    public var description: String {
        switch self {
        case .notConnected:
            return "not connected to a relay: nobody would hear the rotation announcement, so the identity is unchanged; try again once connected"
        case .keyGeneration:
            return "could not generate a new keypair; the identity is unchanged"
        }
    }
}
