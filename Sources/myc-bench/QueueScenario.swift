import MycKit
import NIOCore

/// Offline queue: `queueEnvelopes` frames queued for `queueTargets` registered but absent
/// peers, the relay restarted (SIGTERM, then a new process on the same database), the
/// targets reconnected, and the time until the last queued frame arrives. Needs a relay it
/// can restart, so it always starts its own.
extension ScenarioRunner {
    func queue(binary: String) async throws -> FigureReport {
        let frameBytes = settings.payloadBytes + 260
        // A target's whole queue is written to its socket at once: keep it well under the
        // relay's 512 KiB per-socket backpressure limit.
        let targets = max(settings.queueTargets, (settings.queueEnvelopes * frameBytes + 256 * 1024 - 1) / (256 * 1024))
        let perTarget = (settings.queueEnvelopes + targets - 1) / targets
        let total = perTarget * targets
        let environment = [
            "RELAY_QUEUE_MAX_MSGS=\(perTarget)", "RELAY_QUEUE_MAX_BYTES=\(1 << 30)", "RELAY_QUEUE_TTL_S=3600",
        ]
        progress("queue: starting a dedicated relay (queue cap \(perTarget) per target)")
        let first = try await RelayChild.start(binary: binary, environment: environment)
        var firstStopped = false
        defer { if !firstStopped { first.stop() } }
        let a = ScenarioRunner(
            settings: settings.against(RelayAddress(host: "127.0.0.1", port: first.port, path: "/"), pid: first.pid),
            loops: loops, progress: progress)

        let targetIDs = (0..<targets).map { i -> ClientIdentity in
            var id = a.identity("q\(i)-t", room: namePrefix + "queue-\(i)")
            id.signing = SigningKeyPair.generate()
            return id
        }
        let senderIDs = (0..<targets).map { i in a.identity("q\(i)-s", room: namePrefix + "queue-\(i)") }
        progress("queue: registering \(targets) targets, then taking them offline")
        await BenchConnector.closeAll(try await BenchConnector.connectAll(
            targetIDs, to: a.settings.address, loops: loops, parallel: settings.connectParallel))
        try await Task.sleep(nanoseconds: 500_000_000)

        progress("queue: \(targets) senders queue \(perTarget) frames each (\(total) in all)")
        let senders = try await BenchConnector.connectAll(
            senderIDs, to: a.settings.address, loops: loops, parallel: settings.connectParallel)
        let payload = self.payload
        var plan: [(ConnectedClient, RoleFactory)] = []
        for (i, sender) in senders.enumerated() {
            let flow = a.makeFlow(for: sender, limit: a.frameWindow)
            let target = targetIDs[i].name, room = namePrefix + "queue-\(i)"
            plan.append((sender, { _ in QueueFillRole(target: target, room: room, payload: payload, count: perTarget, flow: flow) }))
        }
        let fillStart = MonotonicClock.nowNs()
        let fillCPU = CPUWindow(relayPID: first.pid)
        _ = try await a.begin(plan, window: MeasureWindow(startNs: fillStart, endNs: .max))
        var fill = ClientStats()
        let fillDeadline = fillStart + MonotonicClock.seconds(900)
        repeat {
            try await Task.sleep(nanoseconds: 50_000_000)
            fill = ClientStats.merged(try await a.collect(senders))
        } while fill.queuedTotal + fill.errors.values.reduce(0, +) < total && MonotonicClock.nowNs() < fillDeadline
        let fillSeconds = Double(MonotonicClock.nowNs() - fillStart) / 1e9
        let fillUsage = fillCPU.finish()
        await BenchConnector.closeAll(senders)
        let rssLoaded = ProcSampler.rssBytes(pid: first.pid)

        progress("queue: \(fill.queuedTotal) queued in \(ReportTable.fixed(fillSeconds, 1)) s; restarting the relay")
        let stopStart = MonotonicClock.nowNs()
        first.stop(keepDirectory: true)
        firstStopped = true
        let stopSeconds = Double(MonotonicClock.nowNs() - stopStart) / 1e9
        let restartStart = MonotonicClock.nowNs()
        let second = try await RelayChild.start(binary: binary, directory: first.directory, environment: environment)
        defer { second.stop() }
        let restartSeconds = Double(MonotonicClock.nowNs() - restartStart) / 1e9
        let rssRestarted = ProcSampler.rssBytes(pid: second.pid)

        progress("queue: reconnecting \(targets) targets; waiting for \(fill.queuedTotal) frames")
        let b = RelayAddress(host: "127.0.0.1", port: second.port, path: "/")
        let drainStart = MonotonicClock.nowNs()
        let drainCPU = CPUWindow(relayPID: second.pid)
        let receivers = try await BenchConnector.connectAll(targetIDs, to: b, loops: loops, parallel: settings.connectParallel)
        let connectedNs = MonotonicClock.nowNs()
        var drained = ClientStats()
        let drainDeadline = drainStart + MonotonicClock.seconds(120)
        repeat {
            try await Task.sleep(nanoseconds: 10_000_000)
            drained = ClientStats.merged(try await a.collect(receivers))
        } while drained.benchReceivedTotal < fill.queuedTotal && MonotonicClock.nowNs() < drainDeadline
        let drainUsage = drainCPU.finish()
        await BenchConnector.closeAll(receivers)

        var r = FigureReport(scenario: "queue", title: """
            \(total) bench frames (payload \(settings.payloadBytes) B) queued for \(targets) offline targets, relay restarted, targets reconnect
            """)
        r.add("envelopes_queued", "frames queued", Double(fill.queuedTotal))
        r.add("fill_seconds", "time to queue them (queued replies)", fillSeconds, "s", places: 2)
        r.add("fill_per_s", "enqueue rate", Double(fill.queuedTotal) / fillSeconds, "/s")
        r.add("relay_cpu_us_per_enqueue", "relay CPU per enqueue",
              fillUsage.relay.map { $0.seconds / Double(max(1, fill.queuedTotal)) * 1e6 }, "µs", places: 1)
        r.add("relay_rss_loaded_mb", "relay RSS with the queue full", rssLoaded.map { Double($0) / 1_048_576 }, "MB", places: 1)
        r.add("stop_seconds", "relay stop (SIGTERM → exit)", stopSeconds, "s", places: 2)
        r.add("restart_seconds", "relay restart (spawn → listening)", restartSeconds, "s", places: 2)
        r.add("relay_rss_restarted_mb", "relay RSS after restart", rssRestarted.map { Double($0) / 1_048_576 }, "MB", places: 1)
        r.add("frames_drained", "frames received after restart", Double(drained.benchReceivedTotal))
        let lastNs = drained.lastBenchNs
        r.add("drain_seconds", "drain time (reconnect → last frame)",
              lastNs > drainStart ? Double(lastNs - drainStart) / 1e9 : nil, "s", places: 3)
        r.add("reconnect_seconds", "of which: all targets authenticated", Double(connectedNs - drainStart) / 1e9, "s", places: 3)
        r.add("drain_per_s", "drain rate",
              lastNs > drainStart ? Double(drained.benchReceivedTotal) / (Double(lastNs - drainStart) / 1e9) : nil, "/s")
        r.add("relay_cpu_us_per_drained", "relay CPU per drained frame (incl. handshakes)",
              drainUsage.relay.map { $0.seconds / Double(max(1, drained.benchReceivedTotal)) * 1e6 }, "µs", places: 1)
        r.add("other_cpu_percent", "other processes' CPU (fill phase)", fillUsage.otherPercent, "% of a core")
        if drained.benchReceivedTotal < fill.queuedTotal {
            r.notes.append("only \(drained.benchReceivedTotal) of \(fill.queuedTotal) frames arrived within 120 s")
        }
        r.notes.append("the drain starts \(50) ms after each auth (PROTOCOL.md §4.4); each enqueue is one SQLite transaction")
        var errors = fill.errors
        errors.merge(drained.errors, uniquingKeysWith: +)
        r.errors = errors
        return r
    }
}

/// Sends `count` frames to one absent target, keeping the flow window's worth awaiting
/// their `queued` reply.
final class QueueFillRole: ClientRole {
    private let target: String
    private let room: String
    private let payload: String
    private let count: Int
    private let flow: SendWindow
    private var sent = 0
    private var rescheduled = false
    private static let burst = 32

    init(target: String, room: String, payload: String, count: Int, flow: SendWindow) {
        self.target = target
        self.room = room
        self.payload = payload
        self.count = count
        self.flow = flow
    }

    var expectsQueued: Bool { true }
    func start(_ client: BenchClient) { pump(client) }
    func receivedBench(from sender: String, on client: BenchClient) {}
    func relayQueued(on client: BenchClient) { flow.release() }
    func relayRejected(on client: BenchClient) { flow.release() }

    func tick(_ client: BenchClient) -> Bool {
        pump(client)
        return sent < count
    }

    private func pump(_ client: BenchClient) {
        guard client.isReady else { return }
        var written = 0
        while written < Self.burst && sent < count {
            guard flow.tryAcquire(1) else {
                if flow.park() { continue }
                break
            }
            client.sendBench(target: target, room: room, payload: payload)
            sent += 1
            written += 1
        }
        if written > 0 { client.flush() }
        if written == Self.burst && sent < count && !rescheduled {
            rescheduled = true
            client.soon { [self] client in
                rescheduled = false
                pump(client)
            }
        }
    }
}
