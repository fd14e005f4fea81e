import MycKit
import NIOCore
import Synchronization

/// Idle connections: `idleConnections` clients authenticate (each a first registration,
/// `idleRoomSize` peers per room) and then only answer pings. Reports what a connection
/// costs the relay in memory (RSS growth ÷ connections) and what the handshakes cost.
extension ScenarioRunner {
    func idle(sources: Int) async throws -> FigureReport {
        let n = settings.idleConnections
        let size = max(1, settings.idleRoomSize)
        let ids = (0..<n).map { i in identity("idle-\(i)", room: namePrefix + "idle-\(i / size)") }
        let rssBefore = settings.relayPID.flatMap { ProcSampler.rssBytes(pid: $0) }
        let benchBefore = ProcSampler.sampleSelf().rssBytes
        progress("idle: connecting \(n) clients (\(size) per room, \(settings.connectParallel) handshakes at a time)")
        let started = MonotonicClock.nowNs()
        let cpu = CPUWindow(relayPID: settings.relayPID)
        let step = max(1, n / 10)
        let progress = self.progress
        let clients = try await BenchConnector.connectAll(
            ids, to: settings.address, loops: loops, parallel: settings.connectParallel, sources: sources,
            connected: { done in if done % step == 0 { progress("idle: \(done)/\(n) connected") } })
        let connectSeconds = Double(MonotonicClock.nowNs() - started) / 1e9
        let connectCPU = cpu.finish()
        // Let the joins settle (peer_joined fan-out, store writes), then read the memory.
        try await Task.sleep(nanoseconds: 2_000_000_000)
        let idleCPU = CPUWindow(relayPID: settings.relayPID)
        try await Task.sleep(nanoseconds: UInt64(min(settings.duration, 10) * 1e9))
        let quiet = idleCPU.finish()
        let stats = ClientStats.merged(try await collect(clients))
        let alive = clients.filter { $0.channel.isActive }.count
        progress("idle: closing \(n) clients")
        await BenchConnector.closeAll(clients)

        var r = FigureReport(scenario: "idle", title: """
            \(n) authenticated connections held open (new registrations, \(size) per room)
            """)
        r.add("connections", "connections open at the end", Double(alive))
        r.add("connect_seconds", "time to connect and authenticate all", connectSeconds, "s", places: 2)
        r.add("handshakes_per_s", "handshakes/s (registration incl.)", Double(n) / connectSeconds, "/s")
        r.add("relay_cpu_us_per_handshake", "relay CPU per handshake",
              connectCPU.relay.map { $0.seconds / Double(n) * 1e6 }, "µs", places: 1)
        r.add("relay_rss_before_mb", "relay RSS before", rssBefore.map { Double($0) / 1_048_576 }, "MB", places: 1)
        r.add("relay_rss_after_mb", "relay RSS with all connected", quiet.relayRSSBytes.map { Double($0) / 1_048_576 }, "MB", places: 1)
        var perConnection: Double?
        if let rssBefore, let after = quiet.relayRSSBytes { perConnection = Double(after - rssBefore) / Double(n) / 1024 }
        r.add("relay_rss_per_connection_kb", "relay RSS per connection", perConnection, "KB", places: 1)
        r.add("relay_idle_cpu_percent", "relay CPU while idle", quiet.relay?.percentOfCore, "% of a core", places: 1)
        r.add("bench_rss_per_connection_kb", "bench RSS per connection",
              Double(quiet.benchRSSBytes - benchBefore) / Double(n) / 1024, "KB", places: 1)
        r.add("other_cpu_percent", "other processes' CPU (connect phase)", connectCPU.otherPercent, "% of a core")
        r.notes.append("rooms of \(size) peers: each join sends peer_joined with the room's key map to the others")
        r.errors = stats.errors
        return r
    }
}
