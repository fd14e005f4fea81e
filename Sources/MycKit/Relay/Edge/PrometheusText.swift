/// Renders the relay's counters in the Prometheus text exposition format (version 0.0.4).
enum PrometheusText {
    static func render(_ m: RelayMetrics, connections: Int, rooms: Int, residentBytes: Int, cpuSeconds: Double) -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for s in samples { out += "\(name)\(s.labels) \(s.value)\n" }
        }
        func one(_ value: Int) -> [(labels: String, value: String)] { [("", String(value))] }
        metric("myc_relay_connections", "gauge", "Open WebSocket connections.", one(connections))
        metric("myc_relay_rooms", "gauge", "Rooms with at least one member.", one(rooms))
        metric("myc_relay_connections_opened_total", "counter", "WebSocket connections accepted.", one(m.connectionsOpened))
        metric("myc_relay_auth_ok_total", "counter", "Successful authentications.", one(m.connectionsAuthenticated))
        metric("myc_relay_auth_failures_total", "counter", "Refused authentications by reason.",
               RelayMetrics.AuthFailureKind.allCases.map { ("{reason=\"\($0.rawValue)\"}", String(m.authFailures[$0, default: 0])) })
        metric("myc_relay_frames_routed_total", "counter", "Frames stamped for routing.", one(m.framesRouted))
        metric("myc_relay_frames_delivered_total", "counter", "Frames written to a live recipient.", one(m.framesDelivered))
        metric("myc_relay_frames_queued_total", "counter", "Frames accepted into an offline queue.", one(m.framesQueued))
        metric("myc_relay_frames_drained_total", "counter", "Queued frames delivered after reconnect.", one(m.framesDrained))
        metric("myc_relay_frames_expired_total", "counter", "Queued frames that expired undelivered.", one(m.framesExpired))
        metric("myc_relay_frames_rate_limited_total", "counter", "Frames refused by the rate limit.", one(m.framesRateLimited))
        metric("myc_relay_frames_dropped_total", "counter", "Frames answered with an error instead of routed, by reason.",
               RelayMetrics.DropReason.allCases.map { ("{reason=\"\($0.rawValue)\"}", String(m.framesDropped[$0, default: 0])) })
        metric("myc_relay_closes_total", "counter", "Connections closed by the relay, by close code.",
               m.closes.sorted { $0.key.rawValue < $1.key.rawValue }.map { ("{code=\"\($0.key.rawValue)\"}", String($0.value)) })
        metric("myc_relay_queue_depth", "gauge", "Frames waiting in offline queues.", one(m.queueDepth))
        metric("myc_relay_queues", "gauge", "Non-empty offline queues.", one(m.queueCount))
        metric("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", one(residentBytes))
        metric("process_cpu_seconds_total", "counter", "User and system CPU time in seconds.", [("", String(cpuSeconds))])
        return out
    }
}
