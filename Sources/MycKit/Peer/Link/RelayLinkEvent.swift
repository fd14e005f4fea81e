/// What the link reports to the peer runtime. The link decides nothing: reconnects,
/// timeouts and close codes are the engine's business.
public enum RelayLinkEvent: Sendable, Equatable {
    /// The WebSocket is up; reported before any message, carrying the handle to send with,
    /// so a reply to the first frame can never race the caller's bookkeeping.
    case opened(RelayLink)
    /// One complete text message.
    case text([UInt8])
    /// A ping, pong or any other frame: proof the connection is alive (§8.14).
    case activity
    /// The connection is gone; `code` is the close code the relay sent, if any.
    case closed(code: UInt16?, reason: String)
}
