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

            More scenarios, reported as figure blocks: churn (--churn-clients clients connecting, \
            authenticating and closing in a loop), idle (--idle-connections authenticated \
            connections held open: relay RSS per connection; without --url on a dedicated relay), \
            queue (--queue-envelopes frames queued for offline targets, the relay restarted on the \
            same database, the targets reconnected: time to drain; always on dedicated relays it \
            starts and restarts itself, so it is skipped with --url).
            """
    )

    enum Scenario: String, ExpressibleByArgument, CaseIterable, Sendable {
        case pingpong, pairs, broadcast, churn, idle, queue, all
    }

    @Option(help: ArgumentHelp("Benchmark a relay that is already running (ws://127.0.0.1:PORT). Default: start one.", valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("Event-loop threads of the relay this starts (its --event-loops). Default: the relay's own.", valueName: "n"))
    var relayEventLoops: Int?

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

    @Option(help: ArgumentHelp("Clients in the churn scenario.", valueName: "n"))
    var churnClients: Int = 20

    @Option(help: ArgumentHelp("Connections in the idle scenario.", valueName: "n"))
    var idleConnections: Int = 10_000

    @Option(help: ArgumentHelp("Peers per room in the idle scenario.", valueName: "n"))
    var idleRoomSize: Int = 10

    @Option(help: ArgumentHelp("Frames queued in the queue scenario.", valueName: "n"))
    var queueEnvelopes: Int = 50_000

    @Option(help: ArgumentHelp("Offline targets the queue scenario spreads them over (raised if a target's queue would near 256 KiB).", valueName: "n"))
    var queueTargets: Int = 100

    @Option(help: ArgumentHelp("Concurrent handshakes when connecting many clients.", valueName: "n"))
    var connectParallel: Int = 32

    @Option(help: ArgumentHelp("Loopback source addresses for idle clients (127.0.0.1…), to stay under an external relay's RELAY_MAX_IP_CONNS.", valueName: "n"))
    var sourceAddresses: Int = 1

    @Flag(help: "Print one JSON object per scenario instead of the table.")
    var json = false

    func validate() throws {
        guard duration > 0, duration <= 3600 else { throw ValidationError("--duration must be in (0, 3600]") }
        if let relayEventLoops, !RelaySettings.eventLoopRange.contains(relayEventLoops) {
            throw ValidationError("--relay-event-loops must be \(RelaySettings.eventLoopRange.lowerBound)…\(RelaySettings.eventLoopRange.upperBound)")
        }
        guard warmup >= 0, warmup <= 600 else { throw ValidationError("--warmup must be in [0, 600]") }
        guard (1...5000).contains(pairs) else { throw ValidationError("--pairs must be 1…5000") }
        guard (1...10000).contains(receivers) else { throw ValidationError("--receivers must be 1…10000") }
        guard (0...60000).contains(payload) else { throw ValidationError("--payload must be 0…60000 (the relay's frame limit is 65536 bytes)") }
        if let rate, !(rate > 0 && rate.isFinite) { throw ValidationError("--rate must be a positive number") }
        guard (1...100_000).contains(window) else { throw ValidationError("--window must be 1…100000") }
        guard (1...64).contains(clientThreads) else { throw ValidationError("--client-threads must be 1…64") }
        guard (1...10_000).contains(churnClients) else { throw ValidationError("--churn-clients must be 1…10000") }
        guard (1...100_000).contains(idleConnections) else { throw ValidationError("--idle-connections must be 1…100000") }
        guard (1...1000).contains(idleRoomSize) else { throw ValidationError("--idle-room-size must be 1…1000") }
        guard (1...10_000_000).contains(queueEnvelopes) else { throw ValidationError("--queue-envelopes must be 1…10000000") }
        guard (1...10_000).contains(queueTargets) else { throw ValidationError("--queue-targets must be 1…10000") }
        guard (1...1024).contains(connectParallel) else { throw ValidationError("--connect-parallel must be 1…1024") }
        guard (1...254).contains(sourceAddresses) else { throw ValidationError("--source-addresses must be 1…254") }
        if relayPid != nil && url == nil { throw ValidationError("--relay-pid only applies with --url") }
        if myc != nil && url != nil { throw ValidationError("--myc starts a relay; it cannot be combined with --url") }
    }

    /// What the relays this command starts get on top of `RelayChild`'s clean environment.
    private var relayEnvironment: [String] {
        relayEventLoops.map { ["RELAY_EVENT_LOOPS=\($0)"] } ?? []
    }

    func run() async throws {
        let build = BenchEnvironment.build
        let files = BenchEnvironment.raiseFileLimit()
        if selectedScenarios.contains(.idle) && files < idleConnections + 200 {
            throw BenchError("""
                --idle-connections \(idleConnections) needs about \(idleConnections + 200) open files in this process \
                (and as many in the relay), but the limit is \(files): raise it (ulimit -n) or lower --idle-connections
                """)
        }
        let needsShared = selectedScenarios.contains { [.pingpong, .pairs, .broadcast, .churn].contains($0) }
        let binary = url == nil ? try RelayChild.locateBinary(explicit: myc) : nil
        var relay: RelayChild?
        let address: RelayAddress
        if let url {
            address = try RelayAddress.parse(url)
        } else if needsShared, let binary {
            Console.err("starting relay: \(binary)")
            let child = try await RelayChild.start(binary: binary, environment: relayEnvironment)
            relay = child
            address = RelayAddress(host: "127.0.0.1", port: child.port, path: "/")
        } else {
            address = RelayAddress(host: "127.0.0.1", port: 0, path: "/")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: clientThreads)
        var settings = BenchSettings(
            address: address, relayPID: relay?.pid ?? relayPid, token: token, duration: duration, warmup: warmup,
            pairs: pairs, receivers: receivers, payloadBytes: payload, rate: rate, window: window,
            runID: Hex.encode(RandomBytes.generate(3)))
        settings.churnClients = churnClients
        settings.idleConnections = idleConnections
        settings.idleRoomSize = idleRoomSize
        settings.queueEnvelopes = queueEnvelopes
        settings.queueTargets = queueTargets
        settings.connectParallel = connectParallel
        let loops = group.makeIterator().map { $0 }
        let runner = ScenarioRunner(settings: settings, loops: loops, progress: { Console.err($0) })
        do {
            if !json { printHeader(build: build, relay: relay, address: address) }
            var results: [ScenarioResult] = []
            var reports: [FigureReport] = []
            for scenario in selectedScenarios {
                switch scenario {
                case .pingpong, .pairs, .broadcast, .all:
                    let result: ScenarioResult
                    switch scenario {
                    case .pingpong: result = try await runner.pingPong()
                    case .pairs: result = try await runner.pairs()
                    default: result = try await runner.broadcast()
                    }
                    results.append(result)
                    Console.out(json ? result.json(build: build, relayBinary: relay?.binary) : ReportTable.row(result))
                case .churn:
                    reports.append(try await runner.churn())
                case .idle:
                    if let binary, url == nil {
                        Console.err("idle: starting a dedicated relay: \(binary)")
                        let dedicated = try await RelayChild.start(binary: binary, environment: relayEnvironment)
                        defer { dedicated.stop() }
                        try await Task.sleep(nanoseconds: 500_000_000)
                        let own = ScenarioRunner(
                            settings: settings.against(RelayAddress(host: "127.0.0.1", port: dedicated.port, path: "/"),
                                                       pid: dedicated.pid),
                            loops: loops, progress: { Console.err($0) })
                        reports.append(try await own.idle(sources: sourceAddresses))
                    } else {
                        reports.append(try await runner.idle(sources: sourceAddresses))
                    }
                case .queue:
                    guard let binary else {
                        var skipped = FigureReport(scenario: "queue", title: "skipped")
                        skipped.notes.append("the queue scenario restarts the relay, so it needs one it starts itself (no --url)")
                        reports.append(skipped)
                        continue
                    }
                    reports.append(try await runner.queue(binary: binary))
                }
                if json, let last = reports.last, scenario != .pingpong, scenario != .pairs, scenario != .broadcast {
                    Console.out(last.json(build: build))
                }
            }
            if !json {
                Console.out("")
                for line in ReportTable.notes(results) { Console.out(line) }
                for report in reports {
                    Console.out("")
                    Console.out(report.text())
                }
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
        scenario == .all ? [.pingpong, .pairs, .broadcast, .churn, .idle, .queue] : [scenario]
    }

    private func printHeader(build: String, relay: RelayChild?, address: RelayAddress) {
        let relayLine = relay.map { "started \($0.binary) (pid \($0.pid))" }
            ?? (relayPid.map { "external, pid \($0)" } ?? "external (no --relay-pid: relay CPU/RSS n/a)")
        Console.out("myc-bench relay — \(address) — relay: \(relayLine)")
        Console.out(BenchEnvironment.machineLine())
        let rateText = rate.map { "\(ReportTable.fixed($0, 0)) frames/s offered" } ?? "flat out"
        Console.out("""
            \(ReportTable.fixed(duration, 1)) s measured after \(ReportTable.fixed(warmup, 1)) s warm-up; payload \(payload) B; \
            window \(window)/sender; pairs \(pairs); broadcast receivers \(receivers); \(rateText); client threads \(clientThreads)
            """)
        Console.out("latency = one-way client→relay→client; CPU % is of one core\n")
        if selectedScenarios.contains(where: { [.pingpong, .pairs, .broadcast].contains($0) }) {
            Console.out(ReportTable.header())
        }
    }
}
