/// A log line the core wants written. The message is a constant; the data is metadata
/// under dotted keys (`conn.id`, `peer.name`, `peer.fp`, `room`, `close.code`, ...).
/// Never a token, a secret key or frame contents: only names, rooms, fingerprints, codes
/// and counts, which the relay sees anyway (§1.1).
public struct RelayLogEvent: Sendable, Equatable {
    public enum Level: String, Sendable {
        case debug, info, notice, warning
    }

    public var level: Level
    public var message: String
    public var metadata: [String: String]

    public init(_ level: Level, _ message: String, _ metadata: [String: String] = [:]) {
        self.level = level
        self.message = message
        self.metadata = metadata
    }
}
