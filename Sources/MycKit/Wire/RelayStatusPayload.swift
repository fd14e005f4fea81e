/// The exact `payload` strings of the relay's `error` and `queued` frames (PROTOCOL.md §3.4
/// step 0–1 and §4.5), plus the ones our relay adds for the wire-compatible fixes of §8.
/// Peers only log these, so the added texts change no peer behaviour.
public enum RelayStatusPayload {
    /// The text was not JSON (before or after auth; the connection stays open).
    public static let invalidJSON = "invalid JSON"
    /// The first frame was not `auth` (followed by close 4004).
    public static let authRequired = "auth required"
    /// The token bucket is empty (§4.1).
    public static let rateLimited = "rate limited"

    /// `room` names a room this connection did not join.
    public static func notMember(_ room: String) -> String { "not a member of room \"\(room)\"" }
    /// The target's socket is over its backpressure limit.
    public static func backpressured(_ target: String) -> String { "\(target) backpressured; message dropped" }
    /// The target is absent and the frame asked not to be queued (`no_queue`).
    public static func notQueuedSessionFrame(_ target: String) -> String { "\(target) offline; not queued (session frame)" }
    /// The target is absent and a queue cap rejected the frame.
    public static func queueFull(_ target: String) -> String { "\(target) offline; queue full, message dropped" }
    /// `queued` reply: the target is absent and the frame was queued.
    public static func offline(_ target: String) -> String { "\(target) offline" }

    // MARK: Our additions (§8 fixes; not sent by the reference relay)

    /// The target is absent and has no binding in the room, so nothing can ever drain the
    /// queue (§8.18: the reference queues for any name, an unbounded memory sink).
    public static func notQueuedUnknownPeer(_ target: String) -> String { "\(target) offline; not queued (unknown peer)" }
    /// A peer tried to route a handshake or relay-control type (§8.1).
    public static func reservedType(_ type: String) -> String { "type \"\(type)\" is reserved for the relay" }
    /// A routed frame's `target` was truthy but not a string.
    public static let invalidTarget = "target must be a string"
    /// Valid JSON whose top level is not an object (the reference crashes on `null`, §8.11).
    public static let notAnObject = "frame must be a JSON object"
    /// A binary WebSocket message (the protocol only uses text frames, §1.2).
    public static let binaryUnsupported = "binary frames are not supported"
}
