#if canImport(Glibc)
import Glibc
#endif
import MycKit

/// One reading of a process's cumulative CPU time and resident memory.
struct ProcSample: Sendable {
    let cpuSeconds: Double
    let rssBytes: Int
    let atNs: UInt64
}

/// Reads CPU time and RSS from `/proc` (Linux): the relay's by pid, and this process's own
/// so the report can show whether the load generator, not the relay, was the limit.
enum ProcSampler {
    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// `utime + stime` (fields 14 and 15 of `/proc/<pid>/stat`) and `VmRSS`; nil if the
    /// process is gone or `/proc` is unavailable.
    static func sample(pid: Int32) -> ProcSample? {
        let now = MonotonicClock.nowNs()
        guard let stat = read("/proc/\(pid)/stat"),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command name: index 0 is field 3 (state), so utime is 11, stime 12.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return nil }
        return ProcSample(cpuSeconds: (utime + stime) / ticksPerSecond, rssBytes: rssBytes(pid: pid) ?? 0, atNs: now)
    }

    /// This process, via `getrusage` (microsecond resolution).
    static func sampleSelf() -> ProcSample {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return ProcSample(cpuSeconds: cpu, rssBytes: rssBytes(pid: getpid()) ?? 0, atNs: MonotonicClock.nowNs())
    }

    /// Core-seconds the whole machine has spent busy (not idle or iowait) since boot, from
    /// the `cpu` line of `/proc/stat`; steal time counts as busy. Subtracting the relay's and
    /// our own CPU from its growth shows how much else was running during a measurement.
    static func machineBusySeconds() -> Double? {
        guard let stat = read("/proc/stat"), let line = stat.split(separator: "\n").first,
              line.hasPrefix("cpu ") else { return nil }
        let values = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard values.count >= 8 else { return nil }
        // user nice system idle iowait irq softirq steal [guest guest_nice, already in user]
        let busy = values[0] + values[1] + values[2] + values[5] + values[6] + values[7]
        return busy / ticksPerSecond
    }

    static func rssBytes(pid: Int32) -> Int? {
        guard let status = read("/proc/\(pid)/status") else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if parts.count >= 2, let kb = Int(parts[1]) { return kb * 1024 }
        }
        return nil
    }

    private static func read(_ path: String) -> String? {
        guard let bytes = try? AtomicFile.read(path) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// CPU used between two samples: seconds, and as a percentage of one core.
struct CPUUsage: Sendable {
    let seconds: Double
    let percentOfCore: Double

    init?(from a: ProcSample?, to b: ProcSample?) {
        guard let a, let b, b.atNs > a.atNs else { return nil }
        seconds = max(0, b.cpuSeconds - a.cpuSeconds)
        percentOfCore = seconds / (Double(b.atNs - a.atNs) / 1e9) * 100
    }
}
