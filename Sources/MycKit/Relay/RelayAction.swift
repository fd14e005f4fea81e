/// What `RelayCore` asks its edge to do, in order. The edge carries them out one after the
/// other and makes no decisions: a `persist` comes before every send that depends on it
/// (a binding before `auth_ok`, an enqueue before its `queued` reply), so applying the
/// changes synchronously, in order, keeps the promise made on the wire.
public enum RelayAction: Sendable, Equatable {
    /// Send this JSON text frame to the connection.
    case send(ConnectionID, [UInt8])
    /// A unicast routed frame to its live target. If the target's socket is over its
    /// backpressure limit, the edge drops it and reports `forwardDropped(_:nowMs:)`, which
    /// answers the sender (§4.3 step 4).
    case forward(Delivery)
    /// Close the WebSocket with this code and reason. The core has already forgotten the
    /// connection's memberships; it ignores anything that arrives on it until `closed`.
    case close(ConnectionID, CloseCode, reason: String)
    /// Send a WebSocket protocol-level ping.
    case ping(ConnectionID)
    /// Apply these changes to the `RelayStore`, atomically, before the next action.
    case persist([StoreChange])
    /// Write a structured log line.
    case log(RelayLogEvent)

    /// A routed frame for one live target.
    public struct Delivery: Sendable, Equatable {
        public var target: ConnectionID
        public var bytes: [UInt8]
        /// Who to tell if the frame is dropped for backpressure.
        public var sender: ConnectionID
        public var targetName: String
        /// The stamped `msg_id`, echoed in the sender's error.
        public var msgID: JSONValue

        public init(target: ConnectionID, bytes: [UInt8], sender: ConnectionID, targetName: String, msgID: JSONValue) {
            self.target = target
            self.bytes = bytes
            self.sender = sender
            self.targetName = targetName
            self.msgID = msgID
        }
    }
}
