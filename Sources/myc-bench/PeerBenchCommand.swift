import ArgumentParser
import Logging
import MycKit

/// `myc-bench peer`: two real peers (`PeerEngine` inside `PeerRuntime`, the runtime `myc mcp`
/// runs) in this process, connected through a real relay, exchanging messages with the
/// full per-message work: sign + encrypt, durable outbox, relay routing, verify + decrypt,
/// dedup and inbox commit, `_ack` back (signed and encrypted), ack verified, outbox entry
/// removed, `delivered` reported.
struct PeerBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peer",
        abstract: "End-to-end messages/s and latency between two real peers through a relay.",
        discussion: """
            Starts a relay (as `myc-bench relay` does, or uses --url) and two peers in this process, \
            each a PeerRuntime around a PeerEngine with its own identity and store (SQLite in a \
            temporary directory by default, as `myc mcp` uses; --store memory shows what the disk \
            costs). Once both hold a confirmed session (STS), the sender keeps --window messages \
            unacknowledged and sends the next as soon as a `delivered` event frees a slot. Each \
            message's text starts with its monotonic send time: one-way latency is send call → \
            message notification at the receiver; round trip is send call → `delivered` at the sender.
            """
    )

    enum StoreKind: String, ExpressibleByArgument, Sendable { case sqlite, memory }

    @Option(help: ArgumentHelp("Benchmark through a relay that is already running (ws://127.0.0.1:PORT).", valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("The myc binary to start as the relay.", valueName: "path"))
    var myc: String?

    @Option(help: ArgumentHelp("With --url: the relay's pid, to sample its CPU.", valueName: "pid"))
    var relayPid: Int32?

    @Option(help: ArgumentHelp("Invite token for the peers' first registration.", valueName: "token"))
    var token: String = RelayChild.token

    @Option(help: "Peer store: sqlite (what myc mcp uses) or memory.")
    var store: StoreKind = .sqlite

    @Option(help: ArgumentHelp("Measured seconds.", valueName: "seconds"))
    var duration: Double = 5

    @Option(help: ArgumentHelp("Unmeasured warm-up seconds.", valueName: "seconds"))
    var warmup: Double = 1

    @Option(help: ArgumentHelp("Unacknowledged messages in flight (the outbox holds at most 200).", valueName: "n"))
    var window: Int = 32

    @Option(help: ArgumentHelp("Bytes of text per message.", valueName: "bytes"))
    var textBytes: Int = 200

    @Flag(help: "Print one JSON object instead of the report.")
    var json = false

    func validate() throws {
        guard duration > 0, duration <= 3600 else { throw ValidationError("--duration must be in (0, 3600]") }
        guard warmup >= 0, warmup <= 600 else { throw ValidationError("--warmup must be in [0, 600]") }
        guard (1...190).contains(window) else { throw ValidationError("--window must be 1…190 (the outbox cap is 200)") }
        guard (24...20000).contains(textBytes) else { throw ValidationError("--text-bytes must be 24…20000 (one chunk)") }
        if relayPid != nil && url == nil { throw ValidationError("--relay-pid only applies with --url") }
        if myc != nil && url != nil { throw ValidationError("--myc starts a relay; it cannot be combined with --url") }
    }

    func run() async throws {
        let (address, relay) = try await RelayChild.target(url: url, myc: myc, label: "")
        let directory = try RelayChild.makeTempDirectory()
        defer {
            relay?.stop()
            RelayChild.removeDirectory(directory)
        }
        let scenario = PeerPairScenario(
            relayURL: "ws://\(address.host):\(address.port)", relayPID: relay?.pid ?? relayPid, token: token,
            directory: directory, sqlite: store == .sqlite, duration: duration, warmup: warmup, window: window,
            textBytes: textBytes, progress: { Console.err($0) })
        let report = try await scenario.run()
        if json {
            Console.out(report.json(build: BenchEnvironment.build))
        } else {
            Console.out("myc-bench peer — relay \(address)\(relay.map { " (started \($0.binary), pid \($0.pid))" } ?? "")")
            Console.out(BenchEnvironment.machineLine())
            Console.out(report.text())
        }
    }
}
