import MycKit
import NIOCore

/// What every scenario needs to know; fixed for the whole run.
struct BenchSettings: Sendable {
    let address: RelayAddress
    let relayPID: Int32?
    let token: String
    let duration: Double
    let warmup: Double
    let pairs: Int
    let receivers: Int
    let payloadBytes: Int
    /// Offered frames/s over all senders; nil = as fast as the window allows.
    let rate: Double?
    /// In-flight frames per sender (per receiver for broadcast).
    let window: Int
    /// Unique per run so names never clash with bindings already in a relay's database.
    let runID: String
    /// churn: clients that connect, authenticate and close in a loop.
    var churnClients = 20
    /// idle: authenticated connections held open, and peers per room.
    var idleConnections = 10_000
    var idleRoomSize = 10
    /// queue: envelopes queued in total, spread over this many offline targets.
    var queueEnvelopes = 50_000
    var queueTargets = 100
    /// Concurrent handshakes while connecting many clients.
    var connectParallel = 32

    /// The same settings against another relay (a dedicated one for idle and queue).
    func against(_ address: RelayAddress, pid: Int32?) -> BenchSettings {
        var copy = BenchSettings(
            address: address, relayPID: pid, token: token, duration: duration, warmup: warmup, pairs: pairs,
            receivers: receivers, payloadBytes: payloadBytes, rate: rate, window: window, runID: runID)
        copy.churnClients = churnClients
        copy.idleConnections = idleConnections
        copy.idleRoomSize = idleRoomSize
        copy.queueEnvelopes = queueEnvelopes
        copy.queueTargets = queueTargets
        copy.connectParallel = connectParallel
        return copy
    }
}

/// Runs the scenarios against the relay: connect → assign roles → warm up → measure
/// (sampling relay and client CPU at both edges of the window) → drain → collect → close.
struct ScenarioRunner {
    let settings: BenchSettings
    let loops: [any EventLoop]
    let progress: @Sendable (String) -> Void

    var payload: String { String(repeating: "x", count: settings.payloadBytes) }
    var namePrefix: String { "bench-\(settings.runID)-" }

    func identity(_ suffix: String, room: String) -> ClientIdentity {
        ClientIdentity(name: namePrefix + suffix, rooms: [room], token: settings.token, namePrefix: namePrefix)
    }

    /// The measure window, starting after the warm-up from now.
    private func makeWindow() -> MeasureWindow {
        let start = MonotonicClock.nowNs() + MonotonicClock.seconds(settings.warmup)
        return MeasureWindow(startNs: start, endNs: start + MonotonicClock.seconds(settings.duration))
    }

    // MARK: Scenarios

    /// Two clients, one frame in flight: latency without queueing, and round trips/s.
    func pingPong() async throws -> ScenarioResult {
        let room = namePrefix + "pingpong"
        let ids = [identity("pp-a", room: room), identity("pp-b", room: room)]
        progress("pingpong: connecting 2 clients")
        let clients = try await BenchConnector.connectAll(ids, to: settings.address, loops: loops)
        let payload = self.payload
        var plan: [(ConnectedClient, RoleFactory)] = []
        for (i, client) in clients.enumerated() {
            let peer = clients[1 - i].name
            plan.append((client, { window in
                PingPongRole(peer: peer, room: room, payload: payload, initiator: i == 0, stopNs: window.endNs)
            }))
        }
        let window = try await begin(plan)
        let sample = try await measure(window)
        try await MonotonicClock.sleep(untilNs: window.endNs + 100_000_000)
        let stats = try await collect(clients)
        await BenchConnector.closeAll(clients)
        let all = ClientStats.merged(stats)
        return result("pingpong", clients: clients.count, window: window, sample: sample,
                      routed: Double(all.delivered), deliveries: all.delivered, sent: all.sentInWindow,
                      roundTrips: stats[0].delivered, latency: all.latency, errors: all.errors)
    }

    /// N senders → N receivers, each pair in its own room: routed frames/s under load.
    func pairs() async throws -> ScenarioResult {
        let n = settings.pairs
        var ids: [ClientIdentity] = []
        for i in 0..<n {
            let room = namePrefix + "pair-\(i)"
            ids.append(identity("p\(i)-s", room: room))
            ids.append(identity("p\(i)-r", room: room))
        }
        progress("pairs: connecting \(2 * n) clients")
        // Sender i and receiver i are adjacent; `pairLoops` puts both on the same event loop.
        let clients = try await BenchConnector.connectAll(ids, to: settings.address, loops: pairLoops(count: 2 * n))
        let payload = self.payload
        let perSender = settings.rate.map { $0 / Double(n) }
        var flows: [SendWindow] = []
        var receiverPlan: [(ConnectedClient, RoleFactory)] = []
        var senderPlan: [(ConnectedClient, RoleFactory)] = []
        for i in 0..<n {
            let sender = clients[2 * i], receiver = clients[2 * i + 1]
            let flow = makeFlow(for: sender, limit: frameWindow)
            flows.append(flow)
            receiverPlan.append((receiver, { _ in ReceiverRole(flow: flow) }))
            let room = namePrefix + "pair-\(i)", target = receiver.name
            senderPlan.append((sender, { window in
                SenderRole(target: target, room: room, payload: payload, flow: flow, cost: 1,
                           framesPerSecond: perSender, stopNs: window.endNs)
            }))
        }
        let window = try await begin(receiverPlan + senderPlan)
        let sample = try await measure(window)
        try await drain(flows, after: window)
        let stats = try await collect(clients)
        await BenchConnector.closeAll(clients)
        let receivers = ClientStats.merged(stride(from: 1, to: stats.count, by: 2).map { stats[$0] })
        let all = ClientStats.merged(stats)
        return result("pairs", clients: clients.count, window: window, sample: sample,
                      routed: Double(receivers.delivered), deliveries: receivers.delivered,
                      sent: all.sentInWindow, roundTrips: nil, latency: receivers.latency, errors: all.errors)
    }

    /// One sender → R receivers in one room, frames without `target`.
    func broadcast() async throws -> ScenarioResult {
        let r = settings.receivers
        let room = namePrefix + "broadcast"
        let ids = [identity("bc-s", room: room)] + (0..<r).map { identity("bc-r\($0)", room: room) }
        progress("broadcast: connecting \(r + 1) clients")
        let clients = try await BenchConnector.connectAll(ids, to: settings.address, loops: loops)
        let payload = self.payload
        let sender = clients[0]
        let flow = makeFlow(for: sender, limit: frameWindow * r)
        var plan: [(ConnectedClient, RoleFactory)] = clients.dropFirst().map { ($0, { _ in ReceiverRole(flow: flow) }) }
        let rate = settings.rate
        plan.append((sender, { window in
            SenderRole(target: nil, room: room, payload: payload, flow: flow, cost: r,
                       framesPerSecond: rate, stopNs: window.endNs)
        }))
        let window = try await begin(plan)
        let sample = try await measure(window)
        try await drain([flow], after: window)
        let stats = try await collect(clients)
        await BenchConnector.closeAll(clients)
        let receivers = ClientStats.merged(Array(stats.dropFirst()))
        let all = ClientStats.merged(stats)
        return result("broadcast", clients: clients.count, window: window, sample: sample,
                      routed: Double(receivers.delivered) / Double(max(1, r)), deliveries: receivers.delivered,
                      sent: all.sentInWindow, roundTrips: nil, latency: receivers.latency, errors: all.errors)
    }

    // MARK: Shared steps

    /// Builds a client's role on its event loop, once the measure window is known.
    typealias RoleFactory = @Sendable (MeasureWindow) -> any ClientRole

    /// Fixes the measure window, then installs and starts every role with one hop per
    /// event loop, in plan order (receivers before senders). Per-client hops would queue
    /// behind the traffic of the senders already started and eat into the window.
    func begin(_ plan: [(ConnectedClient, RoleFactory)], window fixed: MeasureWindow? = nil) async throws -> MeasureWindow {
        let window = fixed ?? makeWindow()
        var started: [EventLoopFuture<Void>] = []
        for loop in loops {
            let mine = plan.filter { $0.0.eventLoop === loop }.map { ($0.0.handle, $0.1) }
            guard !mine.isEmpty else { continue }
            started.append(loop.submit {
                for (handle, makeRole) in mine { handle.value.begin(makeRole(window), window: window) }
            })
        }
        for future in started { try await future.get() }
        if fixed == nil && MonotonicClock.nowNs() > window.startNs {
            progress("warning: starting the clients outlasted the warm-up; raise --warmup")
        }
        return window
    }

    /// The per-sender window in frames, shrunk for big payloads so that a window's worth
    /// of frames stays under ¼ of the relay's 512 KiB per-socket backpressure limit.
    var frameWindow: Int {
        let frameBytes = settings.payloadBytes + 200
        return max(1, min(settings.window, (128 * 1024) / frameBytes))
    }

    /// Pairs keep sender and receiver on one loop: loop index = pair index.
    private func pairLoops(count: Int) -> [any EventLoop] {
        (0..<count).map { loops[($0 / 2) % loops.count] }
    }

    func makeFlow(for sender: ConnectedClient, limit: Int) -> SendWindow {
        let handle = sender.handle
        return SendWindow(limit: limit) {
            handle.eventLoop.execute { handle.value.wake() }
        }
    }

    private struct Sample {
        let relayStart: ProcSample?
        let relayEnd: ProcSample?
        let clientStart: ProcSample
        let clientEnd: ProcSample
        let machineBusy: Double?
    }

    /// Samples relay and own CPU at the start and at the end of the window.
    private func measure(_ window: MeasureWindow) async throws -> Sample {
        try await MonotonicClock.sleep(untilNs: window.startNs)
        let relayStart = settings.relayPID.flatMap { ProcSampler.sample(pid: $0) }
        let clientStart = ProcSampler.sampleSelf()
        let busyStart = ProcSampler.machineBusySeconds()
        let lateMs = Double(clientStart.atNs - min(clientStart.atNs, window.startNs)) / 1e6
        if lateMs > 50 {
            progress("warning: CPU sampling started \(Int(lateMs)) ms late (machine busy?); CPU figures are less exact")
        }
        try await MonotonicClock.sleep(untilNs: window.endNs)
        let relayEnd = settings.relayPID.flatMap { ProcSampler.sample(pid: $0) }
        let clientEnd = ProcSampler.sampleSelf()
        let busyEnd = ProcSampler.machineBusySeconds()
        let busy = busyStart.flatMap { start in busyEnd.map { $0 - start } }
        return Sample(relayStart: relayStart, relayEnd: relayEnd, clientStart: clientStart, clientEnd: clientEnd,
                      machineBusy: busy)
    }

    /// Waits (≤ 2 s after the window) for the frames still in flight to arrive.
    private func drain(_ flows: [SendWindow], after window: MeasureWindow) async throws {
        let deadline = window.endNs + MonotonicClock.seconds(2)
        while MonotonicClock.nowNs() < deadline, flows.contains(where: { $0.inFlight > 0 }) {
            try await Task.sleep(nanoseconds: 10_000_000)
        }
    }

    func collect(_ clients: [ConnectedClient]) async throws -> [ClientStats] {
        var out: [ClientStats] = []
        out.reserveCapacity(clients.count)
        for client in clients { out.append(try await client.run { $0.stats }) }
        return out
    }

    private func result(
        _ name: String, clients: Int, window: MeasureWindow, sample: Sample, routed: Double, deliveries: Int,
        sent: Int, roundTrips: Int?, latency: LatencyHistogram, errors: [String: Int]
    ) -> ScenarioResult {
        ScenarioResult(
            scenario: name, clients: clients, seconds: window.seconds, payloadBytes: settings.payloadBytes,
            framesRouted: routed, deliveries: deliveries, sentInWindow: sent, roundTrips: roundTrips,
            latency: latency, relayCPU: CPUUsage(from: sample.relayStart, to: sample.relayEnd),
            relayRSSBytes: sample.relayEnd?.rssBytes, clientCPU: CPUUsage(from: sample.clientStart, to: sample.clientEnd),
            machineBusyPercent: sample.machineBusy.map {
                $0 / (Double(sample.clientEnd.atNs - sample.clientStart.atNs) / 1e9) * 100
            },
            errors: errors)
    }
}
