/// Sends bench frames as fast as its `SendWindow` allows (or at a fixed rate) until the
/// measure window ends: to one `target` (pairs) or, with `target` nil, to the whole room
/// (broadcast, where each frame costs one window slot per receiver).
final class SenderRole: ClientRole {
    private let target: String?
    private let room: String
    private let payload: String
    private let flow: SendWindow
    private let cost: Int
    private let framesPerSecond: Double?
    private let stopNs: UInt64
    /// Frames written per event-loop turn before yielding to other channels.
    private static let burst = 32
    private var startNs: UInt64 = 0
    private var sent = 0
    private var rescheduled = false

    init(target: String?, room: String, payload: String, flow: SendWindow, cost: Int,
         framesPerSecond: Double?, stopNs: UInt64) {
        self.target = target
        self.room = room
        self.payload = payload
        self.flow = flow
        self.cost = cost
        self.framesPerSecond = framesPerSecond
        self.stopNs = stopNs
    }

    /// Paced senders tick once per frame they owe, at most every 2 ms (a finer timer costs
    /// the load generator more CPU than it buys smoothness); ticks start at a random phase.
    var tickIntervalNs: Int64 {
        guard let framesPerSecond else { return 5_000_000 }
        return min(5_000_000, max(2_000_000, Int64(1e9 / framesPerSecond)))
    }

    func start(_ client: BenchClient) {
        // A paced sender begins on its first tick (random phase), not in step with all others.
        if framesPerSecond == nil { pump(client) }
    }

    func receivedBench(from sender: String, on client: BenchClient) {}

    func relayRejected(on client: BenchClient) { flow.release(cost) }

    func tick(_ client: BenchClient) -> Bool {
        pump(client)
        return MonotonicClock.nowNs() < stopNs
    }

    private func pump(_ client: BenchClient) {
        let now = MonotonicClock.nowNs()
        guard now < stopNs, client.isReady else { return }
        var allowed = Self.burst
        if let framesPerSecond {
            if startNs == 0 { startNs = now }
            let due = Int(Double(now - startNs) / 1e9 * framesPerSecond) + 1 - sent
            allowed = min(allowed, max(0, due))
        }
        var written = 0
        while written < allowed {
            guard flow.tryAcquire(cost) else {
                if flow.park() { continue }
                break  // a receiver (or the next tick) wakes us
            }
            client.sendBench(target: target, room: room, payload: payload)
            sent += 1
            written += 1
        }
        if written > 0 { client.flush() }
        // A full burst means more may be due: continue on the next loop turn, not now.
        if written == Self.burst && !rescheduled {
            rescheduled = true
            client.soon { [self] client in
                rescheduled = false
                pump(client)
            }
        }
    }
}

/// Counts what arrives (the client records latency) and gives the sender its slot back.
final class ReceiverRole: ClientRole {
    private let flow: SendWindow

    init(flow: SendWindow) { self.flow = flow }

    func start(_ client: BenchClient) {}
    func receivedBench(from sender: String, on client: BenchClient) { flow.release() }
    func relayRejected(on client: BenchClient) {}
    func tick(_ client: BenchClient) -> Bool { false }
}

/// One message in flight between two clients: each arrival is answered at once, until the
/// measure window ends. The initiator serves the first ball and re-serves if the relay
/// rejects one, so a dropped frame cannot stall the rally.
final class PingPongRole: ClientRole {
    private let peer: String
    private let room: String
    private let payload: String
    private let initiator: Bool
    private let stopNs: UInt64
    private var lastActivityNs: UInt64 = 0

    init(peer: String, room: String, payload: String, initiator: Bool, stopNs: UInt64) {
        self.peer = peer
        self.room = room
        self.payload = payload
        self.initiator = initiator
        self.stopNs = stopNs
    }

    func start(_ client: BenchClient) {
        if initiator { serve(client) }
    }

    func receivedBench(from sender: String, on client: BenchClient) { serve(client) }

    func relayRejected(on client: BenchClient) {
        if initiator { serve(client) }
    }

    /// Re-serves if the rally has been silent for a second (a frame lost with the socket).
    func tick(_ client: BenchClient) -> Bool {
        let now = MonotonicClock.nowNs()
        if initiator && now - lastActivityNs > 1_000_000_000 { serve(client) }
        return now < stopNs
    }

    private func serve(_ client: BenchClient) {
        let now = MonotonicClock.nowNs()
        lastActivityNs = now
        guard now < stopNs else { return }
        client.sendBench(target: peer, room: room, payload: payload)
        client.flush()
    }
}
