/// What `PeerEngine` asks its runtime to do, in order. The runtime carries them out one
/// after the other and decides nothing: a `.persist` comes before the send or
/// notification that depends on it (a committed msg_id before its `_ack`), so a runtime
/// that runs nothing after a `.persist` until it is on disk keeps the promise made on the
/// wire (`PeerRuntime` batches several into one write: `PersistPipeline`).
public enum PeerAction: Sendable, Equatable {
    /// Open a link to this relay URL. Any backoff delay has already elapsed (the engine
    /// armed `.reconnect` first). Answer with `.linkOpened` or `.linkClosed`.
    case connect(url: String)
    /// Send this text frame (serialized JSON) on the open link.
    case sendFrame([UInt8])
    /// Close the link with this code and reason; `.linkClosed` is still expected.
    case closeLink(code: UInt16, reason: String)
    /// Fire `.timerFired(id)` at this wall-clock time (replaces an armed one).
    case armTimer(PeerTimerID, atMs: Int64)
    case cancelTimer(PeerTimerID)
    /// Apply to the `PeerStore` atomically, in order, before the next action.
    case persist([PeerStoreChange])
    /// A delivered message or an event (§6.3–§6.4), for the face's stream. Its inbox entry
    /// is not written here: the engine queued it as `.appendInbox` in the `.persist` just
    /// before (a `permissionVerdict` goes to the host and never to the inbox).
    case notify(PeerNotification)
    /// A tracked send ended: acknowledged by its target, or failed for good. Every one,
    /// live sends included (the `delivered` event covers only deferred or retried ones);
    /// for a face that shows delivery state per message, never part of the inbox.
    case delivery(DeliveryReport)
    /// The relay link changed (for the face's banner; never part of the inbox).
    case linkStatus(PeerLinkStatus)
    /// The answer to a `.command`.
    case reply(PeerCommandID, PeerReply)
    case log(PeerLogEvent)
}

/// A log record. `message` is a constant (for structured logs); the data is in
/// `metadata` under dotted keys (`peer.name`, `room`, `msg.id`, `relay.fp`, ...); `line`
/// is the operator-facing text in the reference's wording, for the stderr stream.
/// Never a token, a secret key or plaintext.
public struct PeerLogEvent: Sendable, Equatable {
    public enum Level: String, Sendable {
        case debug, info, notice, warning, error
    }

    public var level: Level
    public var message: String
    public var metadata: [String: String]
    public var line: String?

    public init(_ level: Level, _ message: String, line: String? = nil, _ metadata: [String: String] = [:]) {
        self.level = level
        self.message = message
        self.line = line
        self.metadata = metadata
    }
}
