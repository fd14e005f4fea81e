import ArgumentParser
import CSodium
import MycKit

/// `myc-bench micro`: the per-operation cost of what a peer does to every message — the
/// canonical signing string, JSON in and out, Ed25519 sign/verify, crypto_box and
/// crypto_box_seal, and the composed frame builders/openers — each next to the raw
/// libsodium call for the same work (the floor no wrapper can beat).
struct MicroBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "micro",
        abstract: "Per-operation cost of the serializer and crypto wrappers, next to raw libsodium (the floor).",
        discussion: """
            Every operation runs on one thread in a tight loop on a realistic session frame \
            (the bytes a peer signs and sends for a --plaintext-byte message). Each figure is the \
            median of --repeats timed batches of about --batch-seconds each. "floor" is the raw \
            libsodium call(s) doing the same cryptographic work on the same bytes, with buffers \
            allocated outside the loop; "overhead" is wrapper − floor.
            """
    )

    @Option(help: ArgumentHelp("Plaintext bytes of the message in the frame.", valueName: "bytes"))
    var plaintextBytes: Int = 200

    @Option(help: ArgumentHelp("Seconds per timed batch.", valueName: "seconds"))
    var batchSeconds: Double = 0.2

    @Option(help: ArgumentHelp("Timed batches per operation (the median is reported).", valueName: "n"))
    var repeats: Int = 5

    @Flag(help: "Print one JSON object per operation instead of the table.")
    var json = false

    func validate() throws {
        guard (1...60000).contains(plaintextBytes) else { throw ValidationError("--plaintext-bytes must be 1…60000") }
        guard batchSeconds > 0, batchSeconds <= 10 else { throw ValidationError("--batch-seconds must be in (0, 10]") }
        guard (1...101).contains(repeats) else { throw ValidationError("--repeats must be 1…101") }
    }

    func run() async throws {
        _ = sodium_init()
        let timer = MicroTimer(batchSeconds: batchSeconds, repeats: repeats)
        let fixture = try MicroFixture(plaintextBytes: plaintextBytes)
        if !json {
            Console.out("myc-bench micro — plaintext \(plaintextBytes) B, signed string \(fixture.canonical.count) B, "
                + "frame \(fixture.frameBytes.count) B; median of \(repeats) × \(ReportTable.fixed(batchSeconds, 2)) s batches, one thread")
            Console.out(MicroRow.header())
        }
        for row in try MicroSuite.rows(fixture, timer) {
            Console.out(json ? row.json(plaintextBytes: plaintextBytes) : row.line())
        }
    }
}

/// One line of the report: the wrapper's ns/op and, when there is one, the floor's.
struct MicroRow {
    let name: String
    let what: String
    let ns: Double
    let floorNs: Double?

    static func header() -> String {
        """
        \(pad("operation", 26, left: true))  \(pad("ns/op", 9))  \(pad("ops/s", 10))  \(pad("floor ns", 9))  \(pad("overhead", 9))  what
        \(String(repeating: "-", count: 26))  \(String(repeating: "-", count: 9))  \(String(repeating: "-", count: 10))  \(String(repeating: "-", count: 9))  \(String(repeating: "-", count: 9))  ----
        """
    }

    func line() -> String {
        let floor = floorNs.map { ReportTable.fixed($0, 0) } ?? "—"
        let overhead = floorNs.map { ReportTable.fixed((ns - $0) / $0 * 100, 0) + "%" } ?? "—"
        return "\(Self.pad(name, 26, left: true))  \(Self.pad(ReportTable.fixed(ns, 0), 9))  "
            + "\(Self.pad(ReportTable.fixed(1e9 / ns, 0), 10))  \(Self.pad(floor, 9))  \(Self.pad(overhead, 9))  \(what)"
    }

    func json(plaintextBytes: Int) -> String {
        var object = JSONObject()
        object["scenario"] = "micro"
        object["operation"] = .string(name)
        object["what"] = .string(what)
        object["plaintext_bytes"] = .number(Double(plaintextBytes))
        object["ns_per_op"] = .number((ns * 10).rounded() / 10)
        object["ops_per_s"] = .number((1e9 / ns).rounded())
        object["floor_ns_per_op"] = floorNs.map { .number(($0 * 10).rounded() / 10) } ?? .null
        return JSONSerializer.string(of: .object(object))
    }

    private static func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return left ? text + fill : fill + text
    }
}

/// Runs a closure in timed batches: calibrates the iteration count to about `batchSeconds`,
/// then returns the median ns/op over `repeats` batches.
struct MicroTimer {
    let batchSeconds: Double
    let repeats: Int

    func nsPerOp(_ body: () throws -> Void) rethrows -> Double {
        var iterations = 1
        // Calibrate: grow until one batch takes ≥ 1/8 of the target.
        while true {
            let start = MonotonicClock.nowNs()
            for _ in 0..<iterations { try body() }
            let elapsed = Double(MonotonicClock.nowNs() - start)
            if elapsed >= batchSeconds * 1e9 / 8 || iterations >= 1 << 30 {
                iterations = max(1, Int(Double(iterations) * batchSeconds * 1e9 / max(elapsed, 1)))
                break
            }
            iterations *= 4
        }
        var samples: [Double] = []
        for _ in 0..<repeats {
            let start = MonotonicClock.nowNs()
            for _ in 0..<iterations { try body() }
            samples.append(Double(MonotonicClock.nowNs() - start) / Double(iterations))
        }
        samples.sort()
        return samples[samples.count / 2]
    }
}

/// Keeps results alive so the optimizer cannot drop the work that produced them.
nonisolated(unsafe) var microSink: UInt64 = 0

@inline(never)
func consume(_ bytes: [UInt8]) { microSink &+= UInt64(bytes.count) &+ UInt64(bytes.first ?? 0) }

@inline(never)
func consume(_ flag: Bool) { microSink &+= flag ? 1 : 2 }

@inline(never)
func consume(_ text: String) { microSink &+= UInt64(text.utf8.count) }
