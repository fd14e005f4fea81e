import MycKit
import NIOCore
import Synchronization

/// Connection churn: `churnClients` loops, each connecting, authenticating (the full §3
/// handshake) and closing, again and again, under identities registered beforehand (a
/// returning peer, as after a laptop wakes up: no new binding, so no store write).
extension ScenarioRunner {
    func churn() async throws -> FigureReport {
        let n = settings.churnClients
        let ids = (0..<n).map { i -> ClientIdentity in
            var id = identity("churn-\(i)", room: namePrefix + "churn-\(i)")
            id.signing = SigningKeyPair.generate()
            return id
        }
        progress("churn: registering \(n) identities")
        await BenchConnector.closeAll(try await BenchConnector.connectAll(ids, to: settings.address, loops: loops))

        let window = makeMeasureWindow()
        let tally = ChurnTally()
        progress("churn: \(n) clients connect → auth → close in a loop")
        let address = settings.address
        let loops = self.loops
        let cpu = try await withThrowingTaskGroup(of: CPUWindow.Result?.self) { group in
            for (i, id) in ids.enumerated() {
                let loop = loops[i % loops.count]
                group.addTask {
                    while MonotonicClock.nowNs() < window.endNs {
                        let t0 = MonotonicClock.nowNs()
                        do {
                            let client = try await BenchConnector.connect(id, to: address, on: loop)
                            tally.connected(startNs: t0, readyNs: MonotonicClock.nowNs(), in: window)
                            await BenchConnector.closeAll([client])
                        } catch {
                            tally.failed("\(error)".replacingOccurrences(of: id.name, with: "<peer>"))
                            try await Task.sleep(nanoseconds: 10_000_000)
                        }
                    }
                    return nil
                }
            }
            group.addTask { [settings] in
                try await MonotonicClock.sleep(untilNs: window.startNs)
                let cpu = CPUWindow(relayPID: settings.relayPID)
                try await MonotonicClock.sleep(untilNs: window.endNs)
                return cpu.finish()
            }
            var result: CPUWindow.Result?
            for try await r in group where r != nil { result = r }
            return result!
        }
        let t = tally.snapshot()
        var r = FigureReport(scenario: "churn", title: """
            \(n) clients connecting, authenticating and closing in a loop (identities already registered)
            """)
        let perSecond = Double(t.count) / window.seconds
        r.add("connections_per_s", "connect+auth+close cycles/s", perSecond, "/s")
        r.addLatency("handshake_us", "handshake (TCP connect → auth_ok)", t.latency)
        r.add("relay_cpu_percent", "relay CPU", cpu.relay?.percentOfCore, "% of a core")
        r.add("relay_cpu_us_per_connection", "relay CPU per connection",
              cpu.relay.flatMap { perSecond > 0 ? $0.percentOfCore / 100 / perSecond * 1e6 : nil }, "µs", places: 1)
        r.add("bench_cpu_percent", "bench CPU", cpu.bench?.percentOfCore, "% of a core")
        r.add("relay_rss_mb", "relay RSS", cpu.relayRSSBytes.map { Double($0) / 1_048_576 }, "MB", places: 1)
        r.add("other_cpu_percent", "other processes' CPU", cpu.otherPercent, "% of a core")
        r.errors = t.errors
        return r
    }

    /// The measure window, starting after the warm-up from now.
    func makeMeasureWindow() -> MeasureWindow {
        let start = MonotonicClock.nowNs() + MonotonicClock.seconds(settings.warmup)
        return MeasureWindow(startNs: start, endNs: start + MonotonicClock.seconds(settings.duration))
    }
}

/// Handshakes counted by the churn loops (any task).
final class ChurnTally: Sendable {
    private struct State {
        var count = 0
        var latency = LatencyHistogram()
        var errors: [String: Int] = [:]
    }
    private let state = Mutex(State())

    func connected(startNs: UInt64, readyNs: UInt64, in window: MeasureWindow) {
        guard window.contains(readyNs) else { return }
        state.withLock { s in
            s.count += 1
            s.latency.record(readyNs - startNs)
        }
    }

    func failed(_ kind: String) { state.withLock { $0.errors[kind, default: 0] += 1 } }

    func snapshot() -> (count: Int, latency: LatencyHistogram, errors: [String: Int]) {
        state.withLock { ($0.count, $0.latency, $0.errors) }
    }
}
