/// The relay link as the engine sees it (§3, §5.15). Each phase carries only what it
/// needs; the per-connection keys live in `LinkConnection` from the `.connect` on.
enum LinkState: Sendable {
    /// Before `.start`.
    case idle
    /// Waiting for the `.reconnect` timer.
    case backingOff
    /// `.connect` emitted; waiting for `.linkOpened`.
    case connecting(LinkConnection)
    /// Open, not yet authenticated.
    case handshaking(LinkConnection, Handshake)
    /// `auth_ok` received: sessions, sends and relay control are live.
    case authenticated(LinkConnection)
    /// We asked for a close (4099, 4100, ...); everything but `.linkClosed` is ignored.
    case closing
    /// `.shutdown`: nothing more happens.
    case stopped

    enum Handshake: Sendable, Equatable {
        /// Open; the first frame must be the relay's `challenge`.
        case awaitingChallenge
        /// `auth` sent; only `auth_ok` / `auth_error` from `_relay` are accepted.
        case awaitingAuth
        /// The first frame was not a challenge, or `auth_error` arrived: nothing more is
        /// accepted on this link; the relay's close (auth timeout, 400x) ends it.
        case refused
    }

    var connection: LinkConnection? {
        switch self {
        case let .connecting(c), let .handshaking(c, _), let .authenticated(c): return c
        case .idle, .backingOff, .closing, .stopped: return nil
        }
    }

    var isAuthenticated: Bool {
        if case .authenticated = self { return true }
        return false
    }

    /// A socket exists (or is being opened) that a close would end.
    var hasLink: Bool {
        switch self {
        case .connecting, .handshaking, .authenticated, .closing: return true
        case .idle, .backingOff, .stopped: return false
        }
    }
}

/// One connection attempt's keys (§5.3): a fresh X25519 ephemeral key, a fresh session id,
/// and the outbound sequence counter from 0.
struct LinkConnection: Sendable {
    var url: String
    var ephemeral: BoxKeyPair
    var sessionID: String
    var nextSeq: Int64 = 0
    /// The relay's proven identity (from its challenge), for the face's banner.
    var relayFingerprint: String?
    /// Whether that identity matched a pin.
    var relayPinned = false
    /// Increases on every connection attempt; outbox entries remember on which one they
    /// were last transmitted.
    var generation: Int
}
