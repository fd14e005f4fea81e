import Logging
import MycKit
import Synchronization

/// Two `PeerRuntime`s through a relay: the sender keeps `window` messages unacknowledged.
struct PeerPairScenario {
    let relayURL: String
    let relayPID: Int32?
    let token: String
    let directory: String
    let sqlite: Bool
    let duration: Double
    let warmup: Double
    let window: Int
    let textBytes: Int
    let progress: @Sendable (String) -> Void

    func run() async throws -> FigureReport {
        let quiet = Logger(label: "myc.bench.peer") { _ in SwiftLogNoOpLogHandler() }
        let suffix = Hex.encode(RandomBytes.generate(3))
        let room = "bench-\(suffix)-peer"
        let names = ["bench-\(suffix)-alice", "bench-\(suffix)-bob"]
        var runtimes: [PeerRuntime] = []
        for name in names {
            let store: any PeerStore = sqlite ? try SQLitePeerStore(path: directory + "/\(name).state.db") : InMemoryPeerStore()
            let config = PeerEngineConfig(
                name: name, rooms: [room], identity: SigningKeyPair.generate(), relayURLs: [relayURL], token: token)
            let engine = PeerEngine(config: config, snapshot: try store.loadSnapshot(nowMs: RelayRuntime.wallClockMs()))
            runtimes.append(PeerRuntime(engine: engine, store: store, logger: quiet))
        }
        let (alice, bob) = (runtimes[0], runtimes[1])
        let tracker = PeerTracker(window: window)
        var tasks: [Task<Void, Never>] = []
        for runtime in runtimes { tasks.append(Task { await runtime.run() }) }
        tasks.append(Task { for await event in alice.events { tracker.senderEvent(event) } })
        tasks.append(Task {
            for await event in bob.events {
                // The echo: the same text back, a full message of its own.
                if tracker.receiverEvent(event) {
                    let outcome = await bob.send(SendRequest(target: names[0], text: event.content))
                    if case .sentLive = outcome {} else { tracker.count(error: "echo: \(outcome)") }
                }
            }
        })
        func stopAll() async {
            tracker.stop()
            for runtime in runtimes { await runtime.shutdown() }
            for task in tasks { _ = await task.value }
        }
        do {
            progress("peer: waiting for both peers to hold a confirmed session")
            for (runtime, other) in [(alice, names[1]), (bob, names[0])] {
                try await waitForSession(runtime, with: other)
            }
            let report = try await measure(alice: alice, to: names[1], tracker: tracker)
            await stopAll()
            return report
        } catch {
            await stopAll()
            throw error
        }
    }

    private func waitForSession(_ runtime: PeerRuntime, with other: String) async throws {
        let deadline = MonotonicClock.nowNs() + MonotonicClock.seconds(30)
        while MonotonicClock.nowNs() < deadline {
            let snapshot = await runtime.peers()
            if snapshot.rooms.contains(where: { $0.live.contains { $0.name == other && $0.stsVerified && !$0.blocked } }) {
                return
            }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        throw BenchError("\(runtime.profile.name) saw no confirmed session with \(other) within 30 s")
    }

    private func measure(alice: PeerRuntime, to target: String, tracker: PeerTracker) async throws -> FigureReport {
        let start = MonotonicClock.nowNs() + MonotonicClock.seconds(warmup)
        let window = MeasureWindow(startNs: start, endNs: start + MonotonicClock.seconds(duration))
        tracker.setWindow(window)
        let padding = String(repeating: "m", count: max(0, textBytes - 21))
        // Wakes the sender at least every 50 ms, so a lost ack cannot stall the loop.
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 50_000_000)
                tracker.poke()
            }
        }
        defer { ticker.cancel() }
        var cpu: CPUWindow?
        progress("peer: \(ReportTable.fixed(warmup, 1)) s warm-up, then \(ReportTable.fixed(duration, 1)) s measured")
        while true {
            let now = MonotonicClock.nowNs()
            if cpu == nil && now >= window.startNs { cpu = CPUWindow(relayPID: relayPID) }
            if now >= window.endNs { break }
            guard tracker.hasRoom else {
                await tracker.waitForRoom()
                continue
            }
            let t0 = MonotonicClock.nowNs()
            let stamp = String(t0)
            let text = stamp + String(repeating: " ", count: max(1, 21 - stamp.count)) + padding
            let outcome = await alice.send(SendRequest(target: target, text: text))
            if case .sentLive = outcome {
                tracker.sent(atNs: t0)
            } else {
                tracker.count(error: "send: \(outcome)")
                try await Task.sleep(nanoseconds: 5_000_000)
            }
        }
        let result = (cpu ?? CPUWindow(relayPID: relayPID)).finish()
        // Let the last acks land so the outbox is empty when the peers stop.
        let drainDeadline = MonotonicClock.nowNs() + MonotonicClock.seconds(3)
        while tracker.inFlight > 0 && MonotonicClock.nowNs() < drainDeadline {
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        return tracker.report(cpu: result, sqlite: sqlite, window: self.window, textBytes: textBytes)
    }
}

/// Shared between the sender loop and the two event streams. A `delivered` event only
/// reaches the face for offline or retried messages, so the sender cannot see a live
/// `_ack`; the receiver echoes each message instead (a full message of its own, acked in
/// turn), and the echo's arrival frees the sender's slot.
final class PeerTracker: Sendable {
    private struct State {
        var window = MeasureWindow(startNs: .max, endNs: .max)
        var inFlight = 0
        var sentInWindow = 0
        /// Messages that reached a face inside the window (requests at bob, echoes at alice).
        var received = 0
        var echoes = 0
        var roundTrip = LatencyHistogram()
        var oneWay = LatencyHistogram()
        var errors: [String: Int] = [:]
        var waiter: CheckedContinuation<Void, Never>?
        var stopped = false
    }

    private let limit: Int
    private let state = Mutex(State())

    init(window: Int) { limit = window }

    func setWindow(_ window: MeasureWindow) { state.withLock { $0.window = window } }

    var hasRoom: Bool { state.withLock { $0.inFlight < limit || $0.stopped } }
    var inFlight: Int { state.withLock { $0.inFlight } }

    func waitForRoom() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { s -> Bool in
                if s.inFlight < limit || s.stopped { return true }
                s.waiter?.resume()
                s.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func poke() { state.withLock { s in s.waiter.take()?.resume() } }

    func stop() {
        state.withLock { s in
            s.stopped = true
            s.waiter.take()?.resume()
        }
    }

    func count(error kind: String) { state.withLock { $0.errors[kind, default: 0] += 1 } }

    func sent(atNs t0: UInt64) {
        state.withLock { s in
            if s.window.contains(t0) { s.sentInWindow += 1 }
            s.inFlight += 1
        }
    }

    /// The send time at the start of a message's text.
    private func stamp(_ event: PeerNotification) -> UInt64? {
        guard event.kind == .message else { return nil }
        guard let t0 = UInt64(event.content.prefix { $0 != " " }) else {
            count(error: "message without a send time")
            return nil
        }
        return t0
    }

    /// An echo at the sender ends a round trip and frees a slot.
    func senderEvent(_ event: PeerNotification) {
        let now = MonotonicClock.nowNs()
        guard let t0 = stamp(event) else {
            if event.kind == .event, let type = event.meta["type"]?.stringValue, type != "peer_joined", type != "peer_left" {
                count(error: "sender event \(type)")
            }
            return
        }
        state.withLock { s in
            s.inFlight -= 1
            if s.window.contains(now) {
                s.received += 1
                s.echoes += 1
                s.roundTrip.record(now > t0 ? now - t0 : 0)
            }
            if s.inFlight < limit { s.waiter.take()?.resume() }
        }
    }

    /// A request at the receiver; true when it should be echoed.
    func receiverEvent(_ event: PeerNotification) -> Bool {
        let now = MonotonicClock.nowNs()
        guard let t0 = stamp(event) else { return false }
        state.withLock { s in
            guard s.window.contains(now) else { return }
            s.received += 1
            s.oneWay.record(now > t0 ? now - t0 : 0)
        }
        return true
    }

    func report(cpu: CPUWindow.Result, sqlite: Bool, window: Int, textBytes: Int) -> FigureReport {
        let s = state.withLock { $0 }
        let seconds = s.window.seconds
        var r = FigureReport(scenario: "peer", title: """
            two PeerRuntimes through the relay; each message signed+encrypted, verified+decrypted, \
            committed and _acked; the receiver echoes every message; store \(sqlite ? "SQLite (as myc mcp)" : "in memory"); \
            \(window) requests in flight; text \(textBytes) B
            """)
        let perSecond = Double(s.received) / seconds
        r.add("messages_per_s", "E2E messages/s (both directions)", perSecond, "msg/s")
        r.add("round_trips_per_s", "request+echo round trips/s", Double(s.echoes) / seconds, "/s")
        r.addLatency("one_way_us", "one-way (send call → receiver's face)", s.oneWay)
        r.addLatency("round_trip_us", "round trip (send → echo at sender)", s.roundTrip)
        let benchPercent = cpu.bench?.percentOfCore
        r.add("peers_cpu_percent", "both peers' CPU", benchPercent, "% of a core")
        r.add("peers_cpu_us_per_message", "both peers' CPU per message",
              benchPercent.flatMap { perSecond > 0 ? $0 / 100 / perSecond * 1e6 : nil }, "µs", places: 1)
        r.add("relay_cpu_percent", "relay CPU", cpu.relay?.percentOfCore, "% of a core")
        r.add("relay_cpu_us_per_message", "relay CPU per message (message + _ack)",
              cpu.relay.flatMap { perSecond > 0 ? $0.percentOfCore / 100 / perSecond * 1e6 : nil }, "µs", places: 1)
        r.add("other_cpu_percent", "other processes' CPU", cpu.otherPercent, "% of a core")
        r.add("bench_rss_mb", "bench RSS (both peers)", Double(cpu.benchRSSBytes) / 1_048_576, "MB", places: 1)
        r.errors = s.errors
        return r
    }
}
