#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import MycKit
import NIOCore
import NIOPosix

/// `myc-bench soak`: a long load run against `myc relay` (issue #8, item 4). Thousands of
/// authenticated connections stay open for the whole run while pairs of clients exchange
/// frames continuously at a fixed offered rate, in back-to-back segments (each segment
/// connects fresh pairs, so handshakes and closes churn all along). The relay's RSS is
/// sampled every `--sample` seconds and printed as a series; at the end the run reports
/// throughput, errors, connections lost, and whether memory stayed flat: the median RSS of
/// the last quarter of the run against the median of the second quarter (after warm-up)
/// must not grow by more than `--max-growth` percent. Exit status 1 when it did, when any
/// error was counted, or when a held connection was lost.
struct SoakCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Soak a relay: thousands of held connections plus continuous traffic; RSS series, errors, throughput.",
        discussion: """
            Starts the relay under test like `myc-bench relay` does (or use --url with --relay-pid). \
            Exits 1 if RSS grew more than --max-growth % between the second and the last quarter of \
            the run, if any error was counted, or if a held connection was lost.
            """
    )

    @Option(help: ArgumentHelp("Soak a relay that is already running (ws://127.0.0.1:PORT).", valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("With --url: the relay's pid, to sample its RSS.", valueName: "pid"))
    var relayPid: Int32?

    @Option(help: ArgumentHelp("The myc binary to start as the relay.", valueName: "path"))
    var myc: String?

    @Option(help: ArgumentHelp("Total seconds of traffic.", valueName: "seconds"))
    var duration: Double = 600

    @Option(help: ArgumentHelp("Authenticated connections held open for the whole run.", valueName: "n"))
    var connections: Int = 2000

    @Option(help: ArgumentHelp("Sender/receiver pairs exchanging frames.", valueName: "n"))
    var pairs: Int = 20

    @Option(help: ArgumentHelp("Offered frames/s over all senders.", valueName: "n"))
    var rate: Double = 2000

    @Option(help: ArgumentHelp("Seconds per traffic segment (fresh pairs each segment).", valueName: "seconds"))
    var segment: Double = 30

    @Option(help: ArgumentHelp("Seconds between RSS samples.", valueName: "seconds"))
    var sample: Double = 10

    @Option(help: ArgumentHelp("Largest allowed RSS growth, last quarter vs second quarter, in percent.", valueName: "percent"))
    var maxGrowth: Double = 10

    @Option(help: ArgumentHelp("Loopback source addresses for the held connections (127.0.0.1…).", valueName: "n"))
    var sourceAddresses: Int = 1

    func validate() throws {
        guard duration >= 10, duration <= 86_400 else { throw ValidationError("--duration must be 10…86400") }
        guard (0...100_000).contains(connections) else { throw ValidationError("--connections must be 0…100000") }
        guard (1...5000).contains(pairs) else { throw ValidationError("--pairs must be 1…5000") }
        guard rate > 0, rate.isFinite else { throw ValidationError("--rate must be a positive number") }
        guard segment >= 2, sample >= 1 else { throw ValidationError("--segment ≥ 2 and --sample ≥ 1") }
        guard (1...254).contains(sourceAddresses) else { throw ValidationError("--source-addresses must be 1…254") }
        if relayPid != nil && url == nil { throw ValidationError("--relay-pid only applies with --url") }
    }

    func run() async throws {
        let files = BenchEnvironment.raiseFileLimit()
        guard files >= connections + 2 * pairs + 200 else {
            throw BenchError("--connections \(connections) needs about \(connections + 2 * pairs + 200) open files; the limit is \(files) (ulimit -n)")
        }
        let (address, relay) = try await RelayChild.target(url: url, myc: myc, label: "soak: ")
        defer { relay?.stop() }
        let pid = relay?.pid ?? relayPid
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loops = group.makeIterator().map { $0 }
        let base = BenchSettings(
            address: address, relayPID: pid, token: RelayChild.token, duration: segment, warmup: 0,
            pairs: pairs, receivers: 1, payloadBytes: 64, rate: rate, window: 64, runID: Hex.encode(RandomBytes.generate(3)))
        let runner = ScenarioRunner(settings: base, loops: loops, progress: { _ in })

        Console.out("myc-bench soak: \(connections) held connections, \(pairs) pairs at \(Int(rate)) frames/s offered, "
                    + "\(Int(duration)) s, RSS every \(Int(sample)) s; relay \(address) pid \(pid.map(String.init) ?? "?")")
        // The held connections: ten peers per room, authenticated, answering pings.
        let held = (0..<connections).map { i in runner.identity("held-\(i)", room: runner.namePrefix + "held-\(i / 10)") }
        let connectStart = MonotonicClock.nowNs()
        let heldClients = try await BenchConnector.connectAll(held, to: address, loops: loops, parallel: 32, sources: sourceAddresses)
        Console.out(String(format: "held: %d connections authenticated in %.1f s", heldClients.count,
                           Double(MonotonicClock.nowNs() - connectStart) / 1e9))

        let start = MonotonicClock.nowNs()
        let elapsed = { Double(MonotonicClock.nowNs() - start) / 1e9 }
        var series: [(t: Double, rssMB: Double)] = []
        func sampleRSS() {
            guard let pid, let rss = ProcSampler.rssBytes(pid: pid) else { return }
            let point = (elapsed(), Double(rss) / 1_048_576)
            series.append(point)
            Console.out(String(format: "  t=%6.0f s  relay RSS %7.1f MB", point.0, point.1))
        }
        sampleRSS()
        var routed = 0.0, seconds = 0.0, segments = 0
        var errors: [String: Int] = [:]
        var p99: [Double] = []
        var nextSample = sample
        while elapsed() < duration {
            let length = min(segment, max(2, duration - elapsed()))
            let segmentRunner = ScenarioRunner(settings: base.with(duration: length, runID: base.runID + "s\(segments)"), loops: loops, progress: { _ in })
            // Sample during the segment, from a concurrent task.
            let sampler = Task { [nextSample] in
                var due = nextSample
                var points: [(Double, Double)] = []
                while !Task.isCancelled {
                    let now = Double(MonotonicClock.nowNs() - start) / 1e9
                    if now >= due, let pid, let rss = ProcSampler.rssBytes(pid: pid) {
                        points.append((now, Double(rss) / 1_048_576))
                        Console.out(String(format: "  t=%6.0f s  relay RSS %7.1f MB", now, Double(rss) / 1_048_576))
                        due += sample
                    }
                    try? await Task.sleep(nanoseconds: 200_000_000)
                }
                return (points, due)
            }
            let result = try await segmentRunner.pairs()
            sampler.cancel()
            let (points, due) = await sampler.value
            series += points.map { (t: $0.0, rssMB: $0.1) }
            nextSample = due
            segments += 1
            routed += result.framesRouted
            seconds += result.seconds
            p99.append(result.percentileMicros(0.99))
            for (kind, count) in result.errors { errors[kind, default: 0] += count }
            Console.out(String(format: "segment %d: %.0f frames/s routed, p99 %.0f µs, %d errors", segments,
                               result.routedPerSecond, result.percentileMicros(0.99), result.errorCount))
        }
        sampleRSS()
        let alive = heldClients.filter { $0.channel.isActive }.count
        let heldStats = ClientStats.merged(try await runner.collect(heldClients))
        for (kind, count) in heldStats.errors { errors["held: " + kind, default: 0] += count }
        await BenchConnector.closeAll(heldClients)
        try? await group.shutdownGracefully()

        // Flatness: median of the last quarter vs median of the second quarter.
        func median(_ values: [Double]) -> Double? {
            guard !values.isEmpty else { return nil }
            let sorted = values.sorted()
            return sorted[sorted.count / 2]
        }
        let total = elapsed()
        let early = median(series.filter { $0.t >= total / 4 && $0.t < total / 2 }.map(\.rssMB))
        let late = median(series.filter { $0.t >= total * 3 / 4 }.map(\.rssMB))
        let growth = early.flatMap { e in late.map { ($0 - e) / e * 100 } }
        let flat = growth.map { $0 <= maxGrowth } ?? false
        let errorCount = errors.values.reduce(0, +)
        Console.out("")
        Console.out("soak summary")
        Console.out(String(format: "  duration              %.0f s (%d segments)", total, segments))
        Console.out(String(format: "  throughput            %.0f frames/s routed (mean), %.0f frames total", seconds > 0 ? routed / seconds : 0, routed))
        Console.out(String(format: "  p99 latency           %.0f µs (worst segment %.0f µs)", median(p99) ?? 0, p99.max() ?? 0))
        Console.out("  held connections      \(alive)/\(connections) still open")
        Console.out("  errors                \(errorCount)" + (errors.isEmpty ? "" : " " + errors.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")))
        Console.out("  RSS min/max           " + (series.isEmpty ? "n/a" : String(format: "%.1f / %.1f MB", series.map(\.rssMB).min()!, series.map(\.rssMB).max()!)))
        Console.out("  RSS 2nd quarter → last quarter (medians) "
                    + (early.flatMap { e in late.map { String(format: "%.1f → %.1f MB (%+.1f %%)", e, $0, growth!) } } ?? "n/a (no samples)"))
        Console.out("  memory flat           \(flat ? "yes" : "NO") (limit +\(maxGrowth) %)")
        if !flat || errorCount > 0 || alive != connections { throw ExitCode(1) }
    }
}

extension BenchSettings {
    /// The same settings with another measure duration and run id (fresh names: each
    /// segment's pairs register anew).
    func with(duration: Double, runID: String) -> BenchSettings {
        var copy = BenchSettings(address: address, relayPID: relayPID, token: token, duration: duration, warmup: warmup,
                                 pairs: pairs, receivers: receivers, payloadBytes: payloadBytes, rate: rate, window: window,
                                 runID: runID)
        copy.churnClients = churnClients
        copy.idleConnections = idleConnections
        copy.idleRoomSize = idleRoomSize
        copy.queueEnvelopes = queueEnvelopes
        copy.queueTargets = queueTargets
        copy.connectParallel = connectParallel
        return copy
    }
}
