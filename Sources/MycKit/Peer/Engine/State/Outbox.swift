/// Unacknowledged outbound messages (§5.12), keyed by msg_id in send order. Each entry is
/// retransmitted under the same msg_id until an `_ack` from the same `(room, target)`
/// arrives or `RETRY_MAX` retransmissions are spent. Unlike the reference it is durable:
/// each entry is in the peer store (plaintext sealed to our own identity key) before it
/// first goes on the wire, and is restored from there after a restart.
struct Outbox: Sendable {
    struct Entry: Sendable {
        var msgID: String
        /// `(room, target)`.
        var peer: RoomPeer
        var plaintext: String
        var type: String
        var requestID: String?
        /// Retransmissions so far (0 after the first send).
        var attempts = 0
        /// Sent (or queued) without a live session at some point: the face hears `delivered`.
        var wasOffline = false
        var createdAtMs: Int64
        /// `_perm_req` and other session-only types never go out as offline envelopes.
        var sessionOnly = false
        /// Which `.outbox(msgID)` timer is armed, if any.
        var timer: Timer?
        /// The last transmission, so bulk triggers resend only what this connection (or
        /// this session) has not carried yet.
        var lastTransmission: Transmission?
        /// The plaintext sealed to our own identity key, once the entry is in the store.
        var sealed: [UInt8]?
        /// The last (re)transmission attempt, stored so a restart re-arms the delivery window.
        var armedAtMs: Int64?

        /// The row to store (needs `sealed`).
        func durable(sealed: [UInt8]) -> DurableOutboxEntry {
            DurableOutboxEntry(msgID: msgID, peer: peer, type: type, requestID: requestID, sealedPlaintext: sealed,
                               attempts: attempts, wasOffline: wasOffline, sessionOnly: sessionOnly,
                               createdAtMs: createdAtMs, armedAtMs: armedAtMs ?? createdAtMs)
        }
    }

    enum Timer: Sendable, Equatable {
        /// 30 s wait for a session ack.
        case sessionAck
        /// `OFFLINE_MAX_AGE + 5 min` wait for an offline or local send.
        case offlineAck
        /// The relay said `rate limited`: resend after 5 s.
        case rateLimited

        var expiryReason: String {
            switch self {
            case .sessionAck: return "delivery NOT confirmed (30s)"
            case .offlineAck: return "offline delivery window expired"
            case .rateLimited: return "relay rate limit"
            }
        }
    }

    enum Transmission: Sendable, Equatable {
        case session(generation: Int, remoteSessionID: String)
        case offline(generation: Int)

        var generation: Int {
            switch self {
            case let .session(g, _), let .offline(g): return g
            }
        }
    }

    private(set) var entries = OrderedMap<ExactString, Entry>()
    /// Stored entries that did not open at restore: reported and dropped at `.start`.
    var unrestorable: [DurableOutboxEntry] = []

    var count: Int { entries.count }

    subscript(id: String) -> Entry? {
        get { entries[ExactString(id)] }
        set { entries[ExactString(id)] = newValue }
    }

    @discardableResult
    mutating func remove(_ id: String) -> Entry? {
        entries.removeValue(forKey: ExactString(id))
    }

    /// msg_ids in send order.
    var ids: [String] { entries.keys.map(\.string) }
}
