import MycKit

/// The figures of a scenario that does not fit the routing table (churn, idle connections,
/// offline queue, peer pair): named values with units, printed as an aligned block or as
/// one JSON object.
struct FigureReport: Sendable {
    struct Figure: Sendable {
        /// JSON key.
        let key: String
        let label: String
        let value: Double?
        let unit: String
        let places: Int
    }

    let scenario: String
    let title: String
    private(set) var figures: [Figure] = []
    var notes: [String] = []
    var errors: [String: Int] = [:]

    init(scenario: String, title: String) {
        self.scenario = scenario
        self.title = title
    }

    mutating func add(_ key: String, _ label: String, _ value: Double?, _ unit: String = "", places: Int = 0) {
        figures.append(Figure(key: key, label: label, value: value, unit: unit, places: places))
    }

    /// p50/p90/p99/max of a histogram, in µs (or ms with `unit: "ms"`).
    mutating func addLatency(_ key: String, _ label: String, _ h: LatencyHistogram, unit: String = "µs") {
        let scale = unit == "ms" ? 1e6 : 1e3
        let places = unit == "ms" ? 2 : 0
        add(key + "_p50", label + " p50", h.count > 0 ? Double(h.valueNs(atQuantile: 0.5)) / scale : nil, unit, places: places)
        add(key + "_p90", label + " p90", h.count > 0 ? Double(h.valueNs(atQuantile: 0.9)) / scale : nil, unit, places: places)
        add(key + "_p99", label + " p99", h.count > 0 ? Double(h.valueNs(atQuantile: 0.99)) / scale : nil, unit, places: places)
        add(key + "_max", label + " max", h.count > 0 ? Double(h.maxNs) / scale : nil, unit, places: places)
    }

    func value(_ key: String) -> Double? { figures.first { $0.key == key }?.value ?? nil }

    func text() -> String {
        var lines = ["\(scenario): \(title)"]
        let width = max(24, (figures.map(\.label.count).max() ?? 0) + 2)
        for f in figures {
            let number = f.value.map { ReportTable.fixed($0, f.places) } ?? "n/a"
            let label = f.label + String(repeating: " ", count: max(0, width - f.label.count))
            let pad = String(repeating: " ", count: max(0, 12 - number.count))
            lines.append("  \(label)\(pad)\(number) \(f.unit)")
        }
        for note in notes { lines.append("  note: \(note)") }
        for (kind, count) in errors.sorted(by: { $0.value > $1.value }) { lines.append("  error × \(count): \(kind)") }
        return lines.joined(separator: "\n")
    }

    func json(build: String) -> String {
        var object = JSONObject()
        object["scenario"] = .string(scenario)
        object["build"] = .string(build)
        for f in figures {
            guard let v = f.value, v.isFinite else {
                object[f.key] = .null
                continue
            }
            var scale = 1.0
            for _ in 0..<(f.places + 1) { scale *= 10 }
            object[f.key] = .number((v * scale).rounded() / scale)
        }
        var errorObject = JSONObject()
        for (kind, count) in errors.sorted(by: { $0.key < $1.key }) { errorObject[kind] = .number(Double(count)) }
        object["errors"] = .object(errorObject)
        object["notes"] = .array(notes.map { .string($0) })
        return JSONSerializer.string(of: .object(object))
    }
}

extension LatencyHistogram {
    static func from(_ values: [UInt64]) -> LatencyHistogram {
        var h = LatencyHistogram()
        for v in values { h.record(v) }
        return h
    }
}
