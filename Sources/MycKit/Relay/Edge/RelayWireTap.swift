/// One WebSocket text frame as it crossed the relay's socket edge, for an observer that
/// wants to see exactly what the relay sees (`myc demo`). Read-only: a tap cannot change,
/// drop or delay a frame, and the relay behaves the same with or without one.
public struct RelayWireFrame: Sendable, Equatable {
    public enum Direction: Sendable, Equatable {
        /// A peer sent it; the relay received it.
        case fromPeer
        /// The relay wrote it to a peer (a reply, a relay control frame, or a routed frame).
        case toPeer
    }

    public var direction: Direction
    /// The relay's id for the socket (the same id for both directions of one connection).
    public var connection: UInt64
    public var bytes: [UInt8]

    public init(direction: Direction, connection: UInt64, bytes: [UInt8]) {
        self.direction = direction
        self.connection = connection
        self.bytes = bytes
    }
}

/// Called for every text frame, on an event-loop or store thread: must be quick and must
/// not block.
public typealias RelayWireTap = @Sendable (RelayWireFrame) -> Void
