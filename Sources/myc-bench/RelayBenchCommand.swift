#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import MycKit
import NIOCore
import NIOPosix

/// `myc-bench relay`: routed frames/s and routing latency of a relay, from loopback clients
/// that authenticate for real (PROTOCOL.md §3) and exchange timestamped bench frames.
struct RelayBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Measure a relay's routed frames/s and routing latency (p50/p90/p99/max) on loopback.",
        discussion: """
            Without --url, starts the relay under test (`myc relay`: the `myc` next to this binary, \
            else .build/release/myc, else .build/debug/myc, or --myc PATH) on 127.0.0.1 with a free \
            port, a temporary HOME, database and key, RELAY_TOKEN=bench-token and its rate, per-IP and \
            per-room limits lifted; it samples the relay's CPU time and RSS from /proc around each \
            measure window and stops it at the end.

            Scenarios: pingpong (2 clients, one frame in flight: latency without queueing), pairs \
            (N senders → N receivers, one room per pair, each sender keeping --window frames in \
            flight, or --rate frames/s in total), broadcast (1 sender → --receivers receivers in one \
            room, frames without target). Latency is now − t, where t is the monotonic send time the \
            frame carries; sender and receiver share this process's clock. Each scenario warms up \
            for --warmup seconds, then measures for --duration seconds.
            """
    )

    enum Scenario: String, ExpressibleByArgument, CaseIterable, Sendable {
        case pingpong, pairs, broadcast, all
    }

    @Option(help: ArgumentHelp("Benchmark a relay that is already running (ws://127.0.0.1:PORT). Default: start one.", valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("The myc binary to start as the relay.", valueName: "path"))
    var myc: String?

    @Option(help: ArgumentHelp("With --url: the relay's pid, to sample its CPU and RSS.", valueName: "pid"))
    var relayPid: Int32?

    @Option(help: ArgumentHelp("Invite token for the bench clients' first registration.", valueName: "token"))
    var token: String = RelayChild.token

    @Option(help: "Scenario to run: pingpong, pairs, broadcast or all.")
    var scenario: Scenario = .all

    @Option(help: ArgumentHelp("Measured seconds per scenario.", valueName: "seconds"))
    var duration: Double = 5

    @Option(help: ArgumentHelp("Unmeasured warm-up seconds before each measure window.", valueName: "seconds"))
    var warmup: Double = 1

    @Option(help: ArgumentHelp("Sender/receiver pairs in the pairs scenario.", valueName: "n"))
    var pairs: Int = 50

    @Option(help: ArgumentHelp("Receivers in the broadcast scenario.", valueName: "n"))
    var receivers: Int = 49

    @Option(help: ArgumentHelp("Bytes of padding in each bench frame's payload.", valueName: "bytes"))
    var payload: Int = 64

    @Option(help: ArgumentHelp("Offered frames/s over all senders (pairs, broadcast). Default: flat out.", valueName: "n"))
    var rate: Double?

    @Option(help: ArgumentHelp("Frames in flight per sender (per receiver for broadcast).", valueName: "n"))
    var window: Int = 64

    @Option(help: ArgumentHelp("Event-loop threads for the bench clients.", valueName: "n"))
    var clientThreads: Int = 1

    @Flag(help: "Print one JSON object per scenario instead of the table.")
    var json = false

    func validate() throws {
        guard duration > 0, duration <= 3600 else { throw ValidationError("--duration must be in (0, 3600]") }
        guard warmup >= 0, warmup <= 600 else { throw ValidationError("--warmup must be in [0, 600]") }
        guard (1...5000).contains(pairs) else { throw ValidationError("--pairs must be 1…5000") }
        guard (1...10000).contains(receivers) else { throw ValidationError("--receivers must be 1…10000") }
        guard (0...60000).contains(payload) else { throw ValidationError("--payload must be 0…60000 (the relay's frame limit is 65536 bytes)") }
        if let rate, !(rate > 0 && rate.isFinite) { throw ValidationError("--rate must be a positive number") }
        guard (1...100_000).contains(window) else { throw ValidationError("--window must be 1…100000") }
        guard (1...64).contains(clientThreads) else { throw ValidationError("--client-threads must be 1…64") }
        if relayPid != nil && url == nil { throw ValidationError("--relay-pid only applies with --url") }
        if myc != nil && url != nil { throw ValidationError("--myc starts a relay; it cannot be combined with --url") }
    }

    func run() async throws {
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        let relay: RelayChild?
        let address: RelayAddress
        if let url {
            address = try RelayAddress.parse(url)
            relay = nil
        } else {
            let binary = try RelayChild.locateBinary(explicit: myc)
            Console.err("starting relay: \(binary)")
            let child = try await RelayChild.start(binary: binary)
            relay = child
            address = RelayAddress(host: "127.0.0.1", port: child.port, path: "/")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: clientThreads)
        let settings = BenchSettings(
            address: address, relayPID: relay?.pid ?? relayPid, token: token, duration: duration, warmup: warmup,
            pairs: pairs, receivers: receivers, payloadBytes: payload, rate: rate, window: window,
            runID: Hex.encode(RandomBytes.generate(3)))
        let runner = ScenarioRunner(settings: settings, loops: group.makeIterator().map { $0 },
                                    progress: { Console.err($0) })
        do {
            if !json { printHeader(build: build, relay: relay, address: address) }
            var results: [ScenarioResult] = []
            for scenario in selectedScenarios {
                let result: ScenarioResult
                switch scenario {
                case .pingpong: result = try await runner.pingPong()
                case .pairs: result = try await runner.pairs()
                case .broadcast, .all: result = try await runner.broadcast()
                }
                results.append(result)
                Console.out(json ? result.json(build: build, relayBinary: relay?.binary) : ReportTable.row(result))
            }
            if !json {
                Console.out("")
                for line in ReportTable.notes(results) { Console.out(line) }
            }
        } catch {
            relay?.stop()
            try? await group.shutdownGracefully()
            throw error
        }
        relay?.stop()
        try await group.shutdownGracefully()
    }

    private var selectedScenarios: [Scenario] {
        scenario == .all ? [.pingpong, .pairs, .broadcast] : [scenario]
    }

    private func printHeader(build: String, relay: RelayChild?, address: RelayAddress) {
        let relayLine = relay.map { "started \($0.binary) (pid \($0.pid))" }
            ?? (relayPid.map { "external, pid \($0)" } ?? "external (no --relay-pid: relay CPU/RSS n/a)")
        Console.out("myc-bench relay — \(address) — relay: \(relayLine)")
        Console.out("bench build: \(build); machine: \(Self.cpuModel()), nproc \(sysconf(Int32(_SC_NPROCESSORS_ONLN)))")
        let rateText = rate.map { "\(ReportTable.fixed($0, 0)) frames/s offered" } ?? "flat out"
        Console.out("""
            \(ReportTable.fixed(duration, 1)) s measured after \(ReportTable.fixed(warmup, 1)) s warm-up; payload \(payload) B; \
            window \(window)/sender; pairs \(pairs); broadcast receivers \(receivers); \(rateText); client threads \(clientThreads)
            """)
        Console.out("latency = one-way client→relay→client; CPU % is of one core\n")
        Console.out(ReportTable.header())
    }

    private static func cpuModel() -> String {
        guard let bytes = (try? AtomicFile.read("/proc/cpuinfo")).flatMap({ $0 }) else { return "unknown CPU" }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingPrefix(" ").description
            }
        }
        return "unknown CPU"
    }
}
