/// What one client saw; merged across clients for the report. Event-loop confined while
/// the scenario runs, copied out (it is a value) when it ends.
struct ClientStats: Sendable {
    /// One-way latency of bench frames received inside the measure window.
    var latency = LatencyHistogram()
    /// Bench frames received inside the measure window.
    var delivered = 0
    /// Bench frames sent inside the measure window.
    var sentInWindow = 0
    var sentTotal = 0
    var receivedTotal = 0
    /// Bench frames received at any time, and when the last one came (monotonic ns).
    var benchReceivedTotal = 0
    var lastBenchNs: UInt64 = 0
    /// `queued` replies a role expected (offline-queue fill).
    var queuedTotal = 0
    /// When `auth_ok` arrived (monotonic ns).
    var authOkNs: UInt64 = 0
    /// Relay `error`/`queued`/`evicted` frames and unexpected closes, by kind.
    var errors: [String: Int] = [:]

    mutating func count(error kind: String) { errors[kind, default: 0] += 1 }

    mutating func merge(_ other: ClientStats) {
        latency.merge(other.latency)
        delivered += other.delivered
        sentInWindow += other.sentInWindow
        sentTotal += other.sentTotal
        receivedTotal += other.receivedTotal
        benchReceivedTotal += other.benchReceivedTotal
        lastBenchNs = max(lastBenchNs, other.lastBenchNs)
        queuedTotal += other.queuedTotal
        authOkNs = max(authOkNs, other.authOkNs)
        errors.merge(other.errors, uniquingKeysWith: +)
    }

    static func merged(_ all: [ClientStats]) -> ClientStats {
        var total = ClientStats()
        for s in all { total.merge(s) }
        return total
    }
}

/// SplitMix64: a fast, non-cryptographic generator for WebSocket masking keys. The mask
/// only has to stop a proxy from mis-reading client bytes; on loopback a syscall per frame
/// for `SystemRandomNumberGenerator` would just be load-generator overhead.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
