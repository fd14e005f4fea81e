/// The relay edge's handle for one WebSocket connection. The edge assigns ids (unique for
/// the process lifetime, never reused); the core only compares and orders them.
public struct ConnectionID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(_ rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public static func < (lhs: ConnectionID, rhs: ConnectionID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "conn-\(rawValue)" }
}
