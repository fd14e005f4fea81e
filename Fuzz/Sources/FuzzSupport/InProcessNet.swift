import MycKit

/// Deterministic randomness for engines and the relay core (SplitMix64).
public struct FuzzRandom: PeerRandomSource, RelayRandomSource {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func bytes(_ count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count + 8)
        while out.count < count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            withUnsafeBytes(of: z) { out.append(contentsOf: $0) }
        }
        return Array(out.prefix(count))
    }
}

/// Fixed identities shared by the targets.
public enum FuzzKeys {
    public static let relay = try! SigningKeyPair(seed: [UInt8](repeating: 0x42, count: 32))
    public static let alice = try! SigningKeyPair(seed: [UInt8](repeating: 0xA1, count: 32))
    public static let bob = try! SigningKeyPair(seed: [UInt8](repeating: 0xB0, count: 32))
    public static let carol = try! SigningKeyPair(seed: [UInt8](repeating: 0xC3, count: 32))
    public static let token = "fuzz-invite-token"
    public static let url = "ws://relay.fuzz"
    public static let t0: Int64 = 1_750_000_000_000
}

/// A real `RelayCore` and real `PeerEngine`s wired together in memory: the engines' frames go
/// through the relay core exactly as over sockets, timers fire on a fake clock. Everything is
/// a value type, so a whole network state (after a real handshake) is copied per fuzz input.
public struct InProcessNet {
    public struct Node {
        public var engine: PeerEngine
        public var connection: ConnectionID?
        public var timers: [PeerTimerID: Int64] = [:]
        public var notifications: [PeerNotification] = []
        public var nextCommand: UInt64 = 1
    }

    public var relay: RelayCore
    public var nodes: [Node] = []
    public var now: Int64 = FuzzKeys.t0
    public var nextConnection: UInt64 = 1
    /// Pending deliveries: (node index, event).
    var inbox: [(Int, PeerEvent)] = []
    /// Every frame the relay handed to a node (for seeding corpora).
    public var captured: [(node: Int, bytes: [UInt8])] = []
    /// Every frame a node sent to the relay (when capturing).
    public var sentToRelay: [(node: Int, bytes: [UInt8])] = []
    public var capture = false
    /// Relay forwarding can be cut (to inject frames "from the relay" only).
    public var steps = 0
    public static let stepLimit = 20_000

    public init() {
        relay = RelayCore(identity: FuzzKeys.relay, limits: RelayLimits(), token: FuzzKeys.token,
                          allowList: AllowListSnapshot(), queue: [], nowMs: FuzzKeys.t0, random: FuzzRandom(seed: 7))
    }

    public mutating func addPeer(_ name: String, _ identity: SigningKeyPair, rooms: [String] = ["default"], seed: UInt64) -> Int {
        let config = PeerEngineConfig(name: name, rooms: rooms, identity: identity, relayURLs: [FuzzKeys.url],
                                      token: FuzzKeys.token)
        nodes.append(Node(engine: PeerEngine(config: config, snapshot: PeerStateSnapshot(), random: FuzzRandom(seed: seed))))
        return nodes.count - 1
    }

    // MARK: Driving

    public mutating func send(_ node: Int, _ event: PeerEvent) {
        inbox.append((node, event))
        pump()
    }

    public mutating func command(_ node: Int, _ command: PeerCommand) {
        let id = PeerCommandID(nodes[node].nextCommand)
        nodes[node].nextCommand += 1
        send(node, .command(id, command))
    }

    /// Runs the clock forward by `ms`, firing engine timers and ticking the relay in order.
    public mutating func advance(by ms: Int64) {
        let target = now + ms
        while steps < Self.stepLimit {
            var best: (node: Int, id: PeerTimerID, at: Int64)?
            // By index: `enumerated()` would copy every node (engine state included) per step.
            for index in nodes.indices {
                for (id, at) in nodes[index].timers where at <= target && (best == nil || at < best!.at) {
                    best = (index, id, at)
                }
            }
            let relayDue = relay.nextDeadlineMs
            if relayDue <= target, best == nil || relayDue < best!.at {
                now = max(now, relayDue)
                relayActions(relay.tick(nowMs: now))
                pump()
                if relay.nextDeadlineMs <= relayDue { break }  // nothing moved: stop
                continue
            }
            guard let (node, id, at) = best else { break }
            nodes[node].timers[id] = nil
            now = max(now, at)
            if id == .heartbeat, nodes[node].connection != nil { inbox.append((node, .linkActivity)) }
            send(node, .timerFired(id))
        }
        now = max(now, target)
    }

    /// The clock leaps `ms` at once, as after a suspended laptop wakes: every timer already
    /// due fires once (earliest first) and the relay ticks once, instead of replaying every
    /// heartbeat in between as `advance` does. Lets one input reach expiry paths (days) cheaply.
    public mutating func leap(by ms: Int64) {
        now += ms
        var due: [(node: Int, id: PeerTimerID, at: Int64)] = []
        for index in nodes.indices {
            for (id, at) in nodes[index].timers where at <= now { due.append((index, id, at)) }
        }
        for (node, id, _) in due.sorted(by: { $0.at < $1.at }) where nodes[node].timers[id] != nil {
            nodes[node].timers[id] = nil
            send(node, .timerFired(id))
        }
        relayActions(relay.tick(nowMs: now))
        pump()
    }

    mutating func pump() {
        while !inbox.isEmpty, steps < Self.stepLimit {
            steps += 1
            let (index, event) = inbox.removeFirst()
            let actions = nodes[index].engine.handle(event, nowMs: now)
            for action in actions { perform(action, index) }
        }
    }

    mutating func perform(_ action: PeerAction, _ index: Int) {
        switch action {
        case .connect:
            let id = ConnectionID(nextConnection)
            nextConnection += 1
            nodes[index].connection = id
            inbox.append((index, .linkOpened))
            relayActions(relay.handle(.opened(id, clientIP: "10.0.0.\(index + 1)"), nowMs: now))
        case .sendFrame(let bytes):
            guard let id = nodes[index].connection else { return }
            if capture { sentToRelay.append((index, bytes)) }
            relayActions(relay.handle(.text(id, bytes), nowMs: now))
        case .closeLink:
            guard let id = nodes[index].connection else { return }
            nodes[index].connection = nil
            relayActions(relay.handle(.closed(id), nowMs: now))
            inbox.append((index, .linkClosed(code: 1000, reason: "closed")))
        case let .armTimer(id, at): nodes[index].timers[id] = at
        case .cancelTimer(let id): nodes[index].timers[id] = nil
        case .notify(let notification): nodes[index].notifications.append(notification)
        default: break  // persist, reply, log, link status, delivery reports: nothing to route
        }
    }

    func node(for connection: ConnectionID) -> Int? {
        nodes.firstIndex { $0.connection == connection }
    }

    mutating func relayActions(_ actions: [RelayAction]) {
        for action in actions {
            switch action {
            case let .send(id, bytes):
                deliver(bytes, to: id)
            case .forward(let delivery):
                deliver(delivery.bytes, to: delivery.target)
            case let .close(id, code, reason):
                guard let index = node(for: id) else { continue }
                nodes[index].connection = nil
                inbox.append((index, .linkClosed(code: code.rawValue, reason: reason)))
                relayActions(relay.handle(.closed(id), nowMs: now))
            case .ping(let id):
                if let index = node(for: id) {
                    inbox.append((index, .linkActivity))
                    relayActions(relay.handle(.pong(id), nowMs: now))
                }
            case .persist, .log: break
            }
        }
    }

    mutating func deliver(_ bytes: [UInt8], to id: ConnectionID) {
        guard let index = node(for: id) else { return }
        if capture { captured.append((index, bytes)) }
        inbox.append((index, .linkText(bytes)))
    }

    /// alice and bob (and carol) authenticated in `default`, sessions and STS done, a few
    /// messages exchanged (so replay windows, pins and dedup state are populated).
    public static func established(capture: Bool = false) -> (net: InProcessNet, alice: Int, bob: Int, carol: Int) {
        var net = InProcessNet()
        net.capture = capture
        let alice = net.addPeer("alice", FuzzKeys.alice, seed: 1)
        let bob = net.addPeer("bob", FuzzKeys.bob, seed: 2)
        let carol = net.addPeer("carol", FuzzKeys.carol, rooms: ["default", "ops"], seed: 3)
        net.send(alice, .start)
        net.send(bob, .start)
        net.send(carol, .start)
        net.advance(by: 2_000)
        net.command(alice, .send(SendRequest(target: "bob", text: "hello bob")))
        net.command(bob, .send(SendRequest(target: "alice", text: "hi alice", type: "task_result", requestID: "r-1")))
        net.command(carol, .send(SendRequest(target: "bob", text: String(repeating: "chunky ", count: 6_000))))
        net.advance(by: 1_000)
        net.steps = 0
        return (net, alice, bob, carol)
    }
}
