import MycKit

/// The figures of one scenario run. Rates are per second of the measure window.
struct ScenarioResult: Sendable {
    let scenario: String
    let clients: Int
    let seconds: Double
    let payloadBytes: Int
    /// Frames the relay routed (one per frame a client sent and the relay delivered).
    let framesRouted: Double
    /// Frames written to receiving sockets (= routed for unicast; × receivers for broadcast).
    let deliveries: Int
    /// Bench frames the clients sent inside the window (offered load).
    let sentInWindow: Int
    /// Ping-pong only.
    let roundTrips: Int?
    let latency: LatencyHistogram
    let relayCPU: CPUUsage?
    let relayRSSBytes: Int?
    let clientCPU: CPUUsage?
    /// Busy CPU of the whole machine during the window, % of one core (all processes).
    let machineBusyPercent: Double?
    let errors: [String: Int]

    /// Busy CPU of everything but the relay and the bench (other processes, steal), % of one core.
    var otherCPUPercent: Double? {
        guard let machineBusyPercent else { return nil }
        return max(0, machineBusyPercent - (relayCPU?.percentOfCore ?? 0) - (clientCPU?.percentOfCore ?? 0))
    }

    var routedPerSecond: Double { framesRouted / seconds }
    var deliveriesPerSecond: Double { Double(deliveries) / seconds }
    var sentPerSecond: Double { Double(sentInWindow) / seconds }
    var roundTripsPerSecond: Double? { roundTrips.map { Double($0) / seconds } }
    var errorCount: Int { errors.values.reduce(0, +) }

    /// Relay CPU time per routed frame, in µs: the relay's CPU rate (core-seconds per
    /// second, sampled around the window) over the routed-frame rate (counted in the window).
    var relayMicrosPerFrame: Double? {
        guard let relayCPU, framesRouted > 0 else { return nil }
        return relayCPU.percentOfCore / 100 / routedPerSecond * 1e6
    }

    var relayMicrosPerDelivery: Double? {
        guard let relayCPU, deliveries > 0 else { return nil }
        return relayCPU.percentOfCore / 100 / deliveriesPerSecond * 1e6
    }

    func percentileMicros(_ q: Double) -> Double { Double(latency.valueNs(atQuantile: q)) / 1000 }
    var maxMicros: Double { Double(latency.maxNs) / 1000 }

    /// One JSON object (`--json`); absent measurements are `null`.
    func json(build: String, relayBinary: String?) -> String {
        func number(_ value: Double?, places: Double = 1000) -> JSONValue {
            guard let value, value.isFinite else { return .null }
            return .number((value * places).rounded() / places)
        }
        var errorObject = JSONObject()
        for (kind, count) in errors.sorted(by: { $0.key < $1.key }) { errorObject[kind] = .number(Double(count)) }
        var latencyObject = JSONObject()
        latencyObject["samples"] = .number(Double(latency.count))
        latencyObject["p50"] = number(percentileMicros(0.50))
        latencyObject["p90"] = number(percentileMicros(0.90))
        latencyObject["p99"] = number(percentileMicros(0.99))
        latencyObject["p999"] = number(percentileMicros(0.999))
        latencyObject["max"] = number(maxMicros)
        latencyObject["mean"] = number(latency.meanNs / 1000)
        var object = JSONObject()
        object["scenario"] = .string(scenario)
        object["build"] = .string(build)
        object["relay_binary"] = relayBinary.map { .string($0) } ?? .null
        object["clients"] = .number(Double(clients))
        object["seconds"] = number(seconds)
        object["payload_bytes"] = .number(Double(payloadBytes))
        object["frames_routed_per_s"] = number(routedPerSecond, places: 10)
        object["deliveries_per_s"] = number(deliveriesPerSecond, places: 10)
        object["sent_per_s"] = number(sentPerSecond, places: 10)
        object["round_trips_per_s"] = number(roundTripsPerSecond, places: 10)
        object["latency_us"] = .object(latencyObject)
        object["relay_cpu_us_per_frame"] = number(relayMicrosPerFrame)
        object["relay_cpu_us_per_delivery"] = number(relayMicrosPerDelivery)
        object["relay_cpu_percent"] = number(relayCPU?.percentOfCore, places: 10)
        object["relay_rss_mb"] = number(relayRSSBytes.map { Double($0) / 1_048_576 }, places: 10)
        object["client_cpu_percent"] = number(clientCPU?.percentOfCore, places: 10)
        object["other_cpu_percent"] = number(otherCPUPercent, places: 10)
        object["errors"] = .object(errorObject)
        return JSONSerializer.string(of: .object(object))
    }
}
