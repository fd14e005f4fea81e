/// The human-readable report: one row per scenario, then the error kinds.
enum ReportTable {
    private static let columns: [(title: String, width: Int)] = [
        ("scenario", 9), ("clients", 7), ("routed/s", 10), ("deliv/s", 10), ("p50 µs", 9), ("p90 µs", 9),
        ("p99 µs", 9), ("max µs", 9), ("relay µs/frame", 14), ("relay CPU", 9), ("client CPU", 10),
        ("relay RSS MB", 12), ("errors", 6),
    ]

    static func header() -> String {
        var titles: [String] = []
        var rule: [String] = []
        for (i, column) in columns.enumerated() {
            titles.append(pad(column.title, column.width, left: i == 0))
            rule.append(String(repeating: "-", count: column.width))
        }
        return titles.joined(separator: "  ") + "\n" + rule.joined(separator: "  ")
    }

    static func row(_ r: ScenarioResult) -> String {
        var cells: [String] = [r.scenario, String(r.clients)]
        cells.append(fixed(r.routedPerSecond, 0))
        cells.append(fixed(r.deliveriesPerSecond, 0))
        for q in [0.50, 0.90, 0.99] { cells.append(fixed(r.percentileMicros(q), 0)) }
        cells.append(fixed(r.maxMicros, 0))
        cells.append(r.relayMicrosPerFrame.map { fixed($0, 1) } ?? "n/a")
        cells.append(percent(r.relayCPU))
        cells.append(percent(r.clientCPU))
        cells.append(r.relayRSSBytes.map { fixed(Double($0) / 1_048_576, 1) } ?? "n/a")
        cells.append(String(r.errorCount))
        var out: [String] = []
        for (i, cell) in cells.enumerated() {
            out.append(pad(cell, columns[i].width, left: i == 0))
        }
        return out.joined(separator: "  ")
    }

    private static func percent(_ usage: CPUUsage?) -> String {
        guard let usage else { return "n/a" }
        return fixed(usage.percentOfCore, 0) + "%"
    }

    /// Extra lines under the table: round trips, offered load, and every error kind.
    static func notes(_ results: [ScenarioResult]) -> [String] {
        var lines: [String] = []
        for r in results {
            var parts = ["\(r.scenario): sent \(fixed(r.sentPerSecond, 0))/s, \(r.latency.count) latency samples, mean \(fixed(r.latency.meanNs / 1000, 0)) µs"]
            if let rt = r.roundTripsPerSecond { parts.append("\(fixed(rt, 0)) round trips/s") }
            if let other = r.otherCPUPercent { parts.append("other processes \(fixed(other, 0))% CPU") }
            if let perDelivery = r.relayMicrosPerDelivery, r.scenario == "broadcast" {
                parts.append("relay \(fixed(perDelivery, 2)) µs/delivery")
            }
            lines.append(parts.joined(separator: ", "))
            for (kind, count) in r.errors.sorted(by: { $0.value > $1.value }) {
                lines.append("  error × \(count): \(kind)")
            }
        }
        return lines
    }

    static func fixed(_ value: Double, _ places: Int) -> String {
        guard value.isFinite else { return "n/a" }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        if places == 0 { return String(Int(rounded)) }
        let whole = Int(rounded.magnitude)
        let fraction = Int(((rounded.magnitude - Double(whole)) * scale).rounded())
        let digits = String(fraction)
        let sign = rounded < 0 ? "-" : ""
        return sign + "\(whole)." + String(repeating: "0", count: max(0, places - digits.count)) + digits
    }

    private static func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return left ? text + fill : fill + text
    }
}
