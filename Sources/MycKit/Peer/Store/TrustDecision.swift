/// What `myc trust NAME` does, decided without I/O: which blocked key it is about, whether
/// the person still has to confirm, and whether a fingerprint they typed matches.
///
/// The CLI reads the blocked keys from the store, asks `decide`, renders the outcome, and
/// for `.trust` applies `changes(trusting:nowMs:)` in one transaction; the running peer
/// notices through the store's change token and rebuilds the session.
public enum TrustDecision: Sendable, Equatable {
    /// Nothing is blocked under this name (in `room`, when one was given).
    case nothingPending(peer: String, room: String?)
    /// The name is blocked in several rooms and no room was given.
    case ambiguous(peer: String, rooms: [String])
    /// The blocked `sign_pubkey` is not an Ed25519 public key: nothing to fingerprint, so
    /// nothing a person could verify. It cannot be trusted.
    case invalidKey(BlockedKey)
    /// A fingerprint was given and it is not the blocked key's: refuse, change nothing.
    case fingerprintMismatch(BlockedKey, fingerprint: String, given: String)
    /// No terminal to confirm on and no fingerprint given: refuse, change nothing.
    case needsFingerprint(BlockedKey, fingerprint: String)
    /// Show the fingerprint and ask the person to type `yes`.
    case confirm(BlockedKey, fingerprint: String)
    /// Accept the key.
    case trust(BlockedKey, fingerprint: String)

    /// - Parameters:
    ///   - peer: the name to trust; compared with the blocked names by UTF-8 bytes.
    ///   - room: only this room (byte-wise), or any room when nil.
    ///   - blocked: the store's blocked keys (`PeerStateSnapshot.blocked`).
    ///   - fingerprint: one the person verified out of band; compared trimmed and lowercased.
    ///   - interactive: whether there is a terminal to ask on.
    ///   - assumeYes: `--yes`, skip the typed confirmation (only on a terminal, where the
    ///     fingerprint is shown; without one, a fingerprint is still required).
    public static func decide(
        peer: String, room: String?, blocked: [BlockedKey], fingerprint: String?, interactive: Bool, assumeYes: Bool
    ) -> TrustDecision {
        let matches = blocked.filter { entry in
            entry.peer.name.utf8.elementsEqual(peer.utf8) && (room.map { entry.peer.room.utf8.elementsEqual($0.utf8) } ?? true)
        }
        guard let key = matches.first else { return .nothingPending(peer: peer, room: room) }
        guard matches.count == 1 else { return .ambiguous(peer: peer, rooms: matches.map(\.peer.room)) }
        guard let actual = Self.fingerprint(of: key) else { return .invalidKey(key) }
        if let fingerprint {
            return Fingerprint.normalize(fingerprint) == actual
                ? .trust(key, fingerprint: actual)
                : .fingerprintMismatch(key, fingerprint: actual, given: fingerprint)
        }
        guard interactive else { return .needsFingerprint(key, fingerprint: actual) }
        return assumeYes ? .trust(key, fingerprint: actual) : .confirm(key, fingerprint: actual)
    }

    /// Whether a typed answer confirms: `yes`, trimmed, any case.
    public static func isConfirmation(_ answer: String) -> Bool {
        answer.trimmingWhitespace().lowercased() == "yes"
    }

    /// The one transaction that trusts `key` (`tofuOverride`, §5.4/§6.2): pin it with
    /// first and last seen now, and clear the block and the STS-failed mark.
    public static func changes(trusting key: BlockedKey, nowMs: Int64) -> [PeerStoreChange] {
        [
            .setPin(Pin(peer: key.peer, key: key.keyInfo.signPublicKey, firstSeenMs: nowMs, lastSeenMs: nowMs)),
            .clearBlocked(key.peer),
            .clearStsFailed(key.peer),
        ]
    }

    /// The fingerprint of the blocked identity key, or nil when it is not one.
    public static func fingerprint(of key: BlockedKey) -> String? {
        (try? SigningPublicKey(base64: key.keyInfo.signPublicKey))?.fingerprint.text
    }
}
