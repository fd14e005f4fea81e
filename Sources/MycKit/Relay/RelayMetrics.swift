/// The relay's counters, kept by `RelayCore` and rendered by the edge (`/health` and a
/// Prometheus page). Plain values: the edge reads a copy after each event.
public struct RelayMetrics: Sendable, Equatable {
    /// WebSocket connections handed to the core (`opened`).
    public var connectionsOpened = 0
    /// Successful auths.
    public var connectionsAuthenticated = 0
    /// Frames that reached stamping (§4.3 step 1): `msg_relayed` in `/health`.
    public var framesRouted = 0
    /// Frames delivered live (unicast, or once per broadcast recipient).
    public var framesDelivered = 0
    /// Frames accepted into an offline queue: `msg_queued`.
    public var framesQueued = 0
    /// Queued frames delivered by a drain: `msg_drained`.
    public var framesDrained = 0
    /// Frames refused by the token bucket: `msg_rate_limited`.
    public var framesRateLimited = 0
    /// Queued frames that expired before delivery (sweep or drain).
    public var framesExpired = 0
    /// Frames answered with an error and not routed, by reason.
    public var framesDropped: [DropReason: Int] = [:]
    /// Refused auths, by reason.
    public var authFailures: [AuthFailureKind: Int] = [:]
    /// Connections the relay closed, by close code.
    public var closes: [CloseCode: Int] = [:]
    /// Entries in all offline queues right now.
    public var queueDepth = 0
    /// Non-empty offline queues right now.
    public var queueCount = 0

    public init() {}

    /// Why a received frame was answered with an error instead of being routed.
    /// Raw values are Prometheus label values.
    public enum DropReason: String, Sendable, Hashable, CaseIterable {
        case invalidJSON = "invalid_json"
        case notAnObject = "not_an_object"
        case binary
        case reservedType = "reserved_type"
        case notMember = "not_member"
        case invalidTarget = "invalid_target"
        case noQueue = "no_queue"
        case unknownTarget = "unknown_target"
        case queueFull = "queue_full"
        case backpressure
    }

    /// Why an auth failed. Raw values are Prometheus label values.
    public enum AuthFailureKind: String, Sendable, Hashable, CaseIterable {
        case authRequired = "auth_required"
        case timeout
        case badName = "bad_name"
        case noKey = "no_key"
        case badRooms = "bad_rooms"
        case badChallengeSignature = "bad_challenge_sig"
        case challengeRequired = "challenge_required"
        case revoked
        case nameConflict = "name_conflict"
        case keyConflict = "key_conflict"
        case badToken = "bad_token"
        case liveIdentityMismatch = "live_identity_mismatch"
        case roomFull = "room_full"
    }

    /// The `metrics` object of `/health` (§4.9).
    public var healthObject: JSONObject {
        [
            "msg_relayed": .number(Double(framesRouted)),
            "msg_rate_limited": .number(Double(framesRateLimited)),
            "msg_queued": .number(Double(framesQueued)),
            "msg_drained": .number(Double(framesDrained)),
        ]
    }

    mutating func dropped(_ reason: DropReason) { framesDropped[reason, default: 0] += 1 }
    mutating func authFailed(_ kind: AuthFailureKind) { authFailures[kind, default: 0] += 1 }
    mutating func closed(_ code: CloseCode) { closes[code, default: 0] += 1 }
}
