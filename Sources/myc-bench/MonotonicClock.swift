#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Nanoseconds on `CLOCK_MONOTONIC`: the clock every timestamp in a bench frame is read
/// from. Sender and receiver live in this one process, so `now − t` is a true one-way
/// latency (client write → relay → client read), with no clock skew to correct.
enum MonotonicClock {
    static func nowNs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Suspends the current task until `deadlineNs` (no-op if it has passed).
    static func sleep(untilNs deadlineNs: UInt64) async throws {
        let now = nowNs()
        if deadlineNs > now { try await Task.sleep(nanoseconds: deadlineNs - now) }
    }

    static func seconds(_ s: Double) -> UInt64 { UInt64(max(0, s) * 1e9) }
}

/// The measured part of a scenario: frames received in `[startNs, endNs)` count toward
/// throughput and latency; senders stop at `endNs`. Everything before is warm-up.
struct MeasureWindow: Sendable {
    let startNs: UInt64
    let endNs: UInt64

    func contains(_ ns: UInt64) -> Bool { ns >= startNs && ns < endNs }
    var seconds: Double { Double(endNs - startNs) / 1e9 }
}
