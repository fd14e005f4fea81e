/// An HDR-style log-linear histogram of nanosecond latencies: exact below 128 ns, then
/// 64 linear sub-buckets per power of two, so any percentile is within 1/64 (≈ 1.6 %)
/// of the true value. Fixed memory (≈ 30 KiB) however many samples, and histograms from
/// different clients merge by adding counts. The maximum is kept exactly.
struct LatencyHistogram: Sendable {
    private static let subBits = 7
    private static let subCount = 1 << subBits            // 128
    private static let halfSub = subCount / 2              // 64
    private static let bucketCount = (64 - subBits + 1) * halfSub + halfSub

    private var counts = [UInt64](repeating: 0, count: LatencyHistogram.bucketCount)
    private(set) var count: UInt64 = 0
    private(set) var maxNs: UInt64 = 0
    private(set) var sumNs: Double = 0

    mutating func record(_ ns: UInt64) {
        counts[Self.index(of: ns)] &+= 1
        count &+= 1
        if ns > maxNs { maxNs = ns }
        sumNs += Double(ns)
    }

    mutating func merge(_ other: LatencyHistogram) {
        for i in 0..<counts.count { counts[i] &+= other.counts[i] }
        count &+= other.count
        maxNs = Swift.max(maxNs, other.maxNs)
        sumNs += other.sumNs
    }

    var meanNs: Double { count == 0 ? 0 : sumNs / Double(count) }

    /// The value at quantile `q` (0…1), as the midpoint of its bucket (clamped to the max).
    func valueNs(atQuantile q: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        let rank = Swift.max(1, UInt64((q * Double(count)).rounded(.up)))
        var seen: UInt64 = 0
        for (i, c) in counts.enumerated() where c > 0 {
            seen += c
            if seen >= rank { return Swift.min(Self.midpoint(of: i), maxNs) }
        }
        return maxNs
    }

    private static func index(of v: UInt64) -> Int {
        if v < UInt64(subCount) { return Int(v) }
        let msb = 63 - v.leadingZeroBitCount          // ≥ subBits
        let shift = msb - subBits + 1                  // ≥ 1
        let sub = Int(v >> UInt64(shift))              // in [64, 128)
        return shift * halfSub + sub
    }

    private static func midpoint(of index: Int) -> UInt64 {
        if index < subCount { return UInt64(index) }
        let shift = index / halfSub - 1
        let sub = UInt64(index - shift * halfSub)
        let low = sub << UInt64(shift)
        return low + (UInt64(1) << UInt64(shift)) / 2
    }
}
