/// What `/health` reports (PROTOCOL.md §4.9), minus the process memory the edge measures.
public struct RelayHealth: Sendable, Equatable {
    public struct Room: Sendable, Equatable {
        public var name: String
        /// Member names in join order.
        public var members: [String]
    }

    public var uptimeSeconds: Int64
    /// Open WebSockets, authenticated or not.
    public var totalConnections: Int
    /// Live rooms in creation order.
    public var rooms: [Room]
    /// Number of non-empty offline queues.
    public var offlineQueues: Int
    public var metrics: RelayMetrics

    /// The `/health` body:
    /// `{"uptime_s","total_connections","memory":{"rss_mb","heap_mb"},"metrics":{...},"rooms":{<room>:[names]},"offline_queues","proto":2}`.
    public func jsonObject(rssMB: Int, heapMB: Int) -> JSONObject {
        var roomMap = JSONObject()
        for room in rooms { roomMap[room.name] = .array(room.members.map { .string($0) }) }
        return [
            "uptime_s": .number(Double(uptimeSeconds)),
            "total_connections": .number(Double(totalConnections)),
            "memory": ["rss_mb": .number(Double(rssMB)), "heap_mb": .number(Double(heapMB))],
            "metrics": .object(metrics.healthObject),
            "rooms": .object(roomMap),
            "offline_queues": .number(Double(offlineQueues)),
            "proto": .number(Double(WireProtocol.version)),
        ]
    }
}
