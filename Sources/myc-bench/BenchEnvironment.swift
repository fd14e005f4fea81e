#if canImport(Glibc)
import Glibc
#endif
import MycKit

/// What every report says about where it ran: build configuration, CPU, cores, memory.
enum BenchEnvironment {
    static var build: String {
        #if DEBUG
        return "debug"
        #else
        return "release"
        #endif
    }

    static var cores: Int { sysconf(Int32(_SC_NPROCESSORS_ONLN)) }

    static func cpuModel() -> String {
        guard let bytes = (try? AtomicFile.read("/proc/cpuinfo")).flatMap({ $0 }) else { return "unknown CPU" }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingPrefix(" ").description
            }
        }
        return "unknown CPU"
    }

    static func memoryGB() -> Double? {
        guard let bytes = (try? AtomicFile.read("/proc/meminfo")).flatMap({ $0 }) else { return nil }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let parts = line.split(whereSeparator: { $0 == " " })
            if parts.count >= 2, let kb = Double(parts[1]) { return kb / 1_048_576 }
        }
        return nil
    }

    /// The 1-minute load average, from `/proc/loadavg`.
    static func loadAverage() -> String {
        guard let bytes = (try? AtomicFile.read("/proc/loadavg")).flatMap({ $0 }) else { return "n/a" }
        return String(decoding: bytes, as: UTF8.self).split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// Raises this process's open-file limit to the hard limit (the relay the bench starts
    /// inherits it) and returns the new soft limit.
    @discardableResult
    static func raiseFileLimit() -> Int {
        var limit = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(resource, &limit)
            _ = getrlimit(resource, &limit)
        }
        return limit.rlim_cur > UInt64(Int.max) ? Int.max : Int(limit.rlim_cur)
    }

    static func machineLine() -> String {
        let ram = memoryGB().map { ", \(ReportTable.fixed($0, 1)) GB RAM" } ?? ""
        return "bench build: \(build); machine: \(cpuModel()), nproc \(cores)\(ram); load average \(loadAverage())"
    }
}

/// Measures the CPU of this process, the relay and the whole machine over a window, so a
/// report can give CPU per operation and say how busy everything else was.
struct CPUWindow {
    private let relayPID: Int32?
    private let relayStart: ProcSample?
    private let selfStart: ProcSample
    private let busyStart: Double?

    init(relayPID: Int32?) {
        self.relayPID = relayPID
        relayStart = relayPID.flatMap { ProcSampler.sample(pid: $0) }
        selfStart = ProcSampler.sampleSelf()
        busyStart = ProcSampler.machineBusySeconds()
    }

    struct Result {
        let seconds: Double
        let relay: CPUUsage?
        let relayRSSBytes: Int?
        let bench: CPUUsage?
        let benchRSSBytes: Int
        /// Busy CPU of everything else (other processes, steal), % of one core.
        let otherPercent: Double?
    }

    func finish() -> Result {
        let relayEnd = relayPID.flatMap { ProcSampler.sample(pid: $0) }
        let selfEnd = ProcSampler.sampleSelf()
        let busyEnd = ProcSampler.machineBusySeconds()
        let seconds = Double(selfEnd.atNs - selfStart.atNs) / 1e9
        let relay = CPUUsage(from: relayStart, to: relayEnd)
        let bench = CPUUsage(from: selfStart, to: selfEnd)
        var other: Double?
        if let busyStart, let busyEnd, seconds > 0 {
            let busy = (busyEnd - busyStart) / seconds * 100
            other = max(0, busy - (relay?.percentOfCore ?? 0) - (bench?.percentOfCore ?? 0))
        }
        return Result(seconds: seconds, relay: relay, relayRSSBytes: relayEnd?.rssBytes, bench: bench,
                      benchRSSBytes: selfEnd.rssBytes, otherPercent: other)
    }
}
