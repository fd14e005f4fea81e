/// Every WebSocket close code the protocol uses (PROTOCOL.md §7.1).
///
/// The 1xxx codes are the WebSocket standard's; the 4xxx codes are the application range
/// the reference assigns. An edge that receives a code outside this set keeps the raw
/// number (for logs) and maps it to "unknown" itself; the engines only ever see these.
public enum CloseCode: UInt16, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Peer process exiting (normal closure). Sent by peers.
    case normal = 1000
    /// Graceful relay shutdown, after `relay_shutdown`. Reason `shutdown`.
    case goingAway = 1001
    /// Incoming message larger than `RELAY_MAX_MSG_BYTES`; sent by the relay's WebSocket layer.
    case messageTooBig = 1009
    /// No pong since the previous ping round. Reason `pong timeout`.
    case pongTimeout = 4000
    /// Last pong older than 4 × the ping interval (five-minute sweep). Reason `stale`.
    case stale = 4001
    /// A send to this socket failed during a broadcast. Reason `send failed`.
    case sendFailed = 4002
    /// No successful auth within `RELAY_AUTH_TIMEOUT_MS`. Reason `auth timeout`.
    case authTimeout = 4003
    /// The first frame was not `auth`. Reason `auth required`.
    case authRequired = 4004
    /// Challenge or token failure. Reasons `bad challenge sig`, `challenge required`, `bad token`.
    case badCredentials = 4005
    /// Malformed auth. Reasons `bad name`, `no key`, `bad rooms`.
    case malformedAuth = 4006
    /// A requested room already holds `RELAY_MAX_PEERS` connections. Reason `full`.
    case roomFull = 4010
    /// The same identity connected again elsewhere; this connection lost. Reason `superseded`.
    case superseded = 4020
    /// Name↔key binding conflict. Reasons `identity mismatch`, `key conflict`.
    case identityMismatch = 4021
    /// The key is revoked in a requested room (at auth, or live by an admin). Reason `revoked`.
    case revoked = 4022
    /// The relay failed the peer's pinning checks (§3.2). Sent by peers; reasons in `RelayIdentityFailure`.
    case relayIdentity = 4099
    /// No message from the relay for more than 45 s. Sent by peers. Reason `heartbeat`.
    case heartbeat = 4100
    /// Reconnecting after an identity rotation. Sent by peers. Reason `rekey`.
    case rekey = 4200

    /// The reason text the reference sends with this code when there is only one
    /// (codes with several reasons return the first one listed in §7.1).
    public var defaultReason: String {
        switch self {
        case .normal: return ""
        case .goingAway: return "shutdown"
        case .messageTooBig: return ""
        case .pongTimeout: return "pong timeout"
        case .stale: return "stale"
        case .sendFailed: return "send failed"
        case .authTimeout: return "auth timeout"
        case .authRequired: return "auth required"
        case .badCredentials: return "bad challenge sig"
        case .malformedAuth: return "bad name"
        case .roomFull: return "full"
        case .superseded: return "superseded"
        case .identityMismatch: return "identity mismatch"
        case .revoked: return "revoked"
        case .relayIdentity: return "relay identity mismatch"
        case .heartbeat: return "heartbeat"
        case .rekey: return "rekey"
        }
    }

    public var description: String { String(rawValue) }
}
