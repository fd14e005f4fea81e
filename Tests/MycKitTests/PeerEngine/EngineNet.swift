import Testing
@testable import MycKit

/// One engine plus everything it asked for, as the runtime would see it.
final class EngineNode {
    let id: Int
    var engine: PeerEngine
    var timers: [PeerTimerID: Int64] = [:]
    var sent: [JSONObject] = []
    var connects: [String] = []
    var closes: [(code: UInt16, reason: String)] = []
    var persisted: [PeerStoreChange] = []
    var notifications: [PeerNotification] = []
    var replies: [PeerCommandID: PeerReply] = [:]
    var logs: [PeerLogEvent] = []
    var linkStatuses: [PeerLinkStatus] = []
    var deliveries: [DeliveryReport] = []
    var linkOpen = false
    var nextCommand: UInt64 = 1
    /// Every `.armTimer`: (id, deadline, time it was armed).
    var armed: [(id: PeerTimerID, at: Int64, now: Int64)] = []

    init(id: Int, engine: PeerEngine) {
        self.id = id
        self.engine = engine
    }

    var name: String { engine.profile.name }
    var lines: [String] { logs.compactMap(\.line) }

    /// Event notifications (§6.4) of this type, in order.
    func events(_ type: String) -> [PeerNotification] {
        notifications.filter { $0.meta["e2e"] == nil && $0.type == type }
    }

    /// Delivered peer messages (not events).
    var messages: [PeerNotification] { notifications.filter { $0.meta["e2e"] != nil } }
    var texts: [String] { messages.map(\.content) }

    func hasLine(_ prefix: String) -> Bool { lines.contains { $0.hasPrefix(prefix) } }

    /// Frames this node sent of a given type.
    func sentFrames(type: String) -> [JSONObject] { sent.filter { $0["type"]?.stringValue == type } }
}

/// The relay's view of one node's link.
struct FakeConnection {
    var nonce: [UInt8]
    var authenticated = false
    var name = ""
    var rooms: [String] = []
    var keyInfo = KeyInfo(signPublicKey: "", ephemeralPublicKey: "", ephemeralPublicKeySignature: "", sessionID: "")
    var joinOrder = 0
}

/// A tiny relay: challenge, auth (challenge sig + sealed token checked), auth_ok,
/// peer_joined/peer_left, stamping and unicast routing with `no_queue` errors and an
/// offline queue, `list_rooms`. Enough to run two or three engines against each other.
final class EngineNet {
    var now: Int64 = PE.t0
    var nodes: [EngineNode] = []
    var relayKey = PE.relayKey
    var reachable: Set<String> = Set(PE.urls)
    var connections: [Int: FakeConnection] = [:]
    var queue: [(room: String, target: String, frame: JSONObject)] = []
    var joinCounter = 0
    var nonceCounter: UInt8 = 0
    /// Frames the relay routed between peers (after stamping), in order.
    var routed: [JSONObject] = []
    /// Edits (or drops, by returning nil) every frame the relay hands to a node.
    var tamper: ((_ to: EngineNode, _ frame: JSONObject) -> JSONObject?)?
    /// When false, routed frames are silently dropped (a lossy relay).
    var delivering = true
    /// Simulates the relay's pings being answered: every heartbeat check is preceded by
    /// link activity. Turn off to test the watchdog.
    var keepAlive = true
    private var inbox: [(node: Int, event: PeerEvent)] = []

    @discardableResult
    func add(_ config: PeerEngineConfig, snapshot: PeerStateSnapshot = PeerStateSnapshot(), seed: UInt64? = nil,
             scripted: [[UInt8]] = []) -> EngineNode {
        let random = SeededPeerRandom(seed: seed ?? UInt64(nodes.count + 1) * 7919, scripted: scripted)
        let node = EngineNode(id: nodes.count, engine: PeerEngine(config: config, snapshot: snapshot, random: random))
        nodes.append(node)
        return node
    }

    // MARK: Driving

    func send(_ node: EngineNode, _ event: PeerEvent) {
        inbox.append((node.id, event))
        pump()
    }

    func start(_ nodes: EngineNode...) {
        for node in nodes { send(node, .start) }
    }

    @discardableResult
    func command(_ node: EngineNode, _ command: PeerCommand) -> PeerReply? {
        let id = PeerCommandID(node.nextCommand)
        node.nextCommand += 1
        send(node, .command(id, command))
        return node.replies[id]
    }

    func sendText(_ node: EngineNode, to target: String, _ text: String, room: String? = nil, type: JSONValue? = nil) -> SendOutcome? {
        guard case let .send(outcome)? = command(node, .send(SendRequest(target: target, text: text, type: type, room: room)))
        else { return nil }
        return outcome
    }

    /// Hands a raw frame to a node as if the relay had sent it.
    func inject(_ node: EngineNode, _ frame: JSONObject) {
        send(node, .linkText(RelayFrames.bytes(frame)))
    }

    /// Runs the clock forward, firing due timers in order.
    func advance(by ms: Int64) { advance(to: now + ms) }

    func advance(to target: Int64) {
        while true {
            var best: (node: EngineNode, id: PeerTimerID, at: Int64)?
            for node in nodes {
                for (id, at) in node.timers where at <= target && (best == nil || at < best!.at) {
                    best = (node, id, at)
                }
            }
            guard let (node, id, at) = best else { break }
            node.timers[id] = nil
            now = max(now, at)
            if keepAlive, id == .heartbeat, node.linkOpen { inbox.append((node.id, .linkActivity)) }
            send(node, .timerFired(id))
        }
        now = max(now, target)
    }

    /// Lets short timers (STS, outbox retries, drains) run: ~1 s.
    func settle() { advance(by: 1_000) }

    // MARK: Network

    private func pump() {
        while !inbox.isEmpty {
            let (id, event) = inbox.removeFirst()
            let node = nodes[id]
            let actions = node.engine.handle(event, nowMs: now)
            for action in actions { perform(action, node) }
        }
    }

    private func deliver(_ frame: JSONObject, to node: EngineNode) {
        guard node.linkOpen else { return }
        guard let frame = tamper.map({ $0(node, frame) }) ?? frame else { return }
        inbox.append((node.id, .linkText(RelayFrames.bytes(frame))))
    }

    private func perform(_ action: PeerAction, _ node: EngineNode) {
        switch action {
        case let .connect(url):
            node.connects.append(url)
            guard reachable.contains(url) else {
                inbox.append((node.id, .linkClosed(code: nil, reason: "connection refused")))
                return
            }
            node.linkOpen = true
            nonceCounter &+= 1
            let nonce = [UInt8](repeating: nonceCounter, count: 32)
            connections[node.id] = FakeConnection(nonce: nonce)
            inbox.append((node.id, .linkOpened))
            deliver(ChallengeFrame.signed(by: relayKey, nonce: nonce, timestampMs: now).object, to: node)
        case let .sendFrame(bytes):
            let frame = try! JSONParser.parseObject(bytes)
            node.sent.append(frame)
            relayReceive(frame, from: node)
        case let .closeLink(code, reason):
            node.closes.append((code, reason))
            drop(node, code: code, reason: reason)
        case let .armTimer(id, at):
            node.timers[id] = at
            node.armed.append((id, at, now))
        case let .cancelTimer(id): node.timers[id] = nil
        case let .persist(changes): node.persisted += changes
        case let .notify(notification): node.notifications.append(notification)
        case let .reply(id, reply): node.replies[id] = reply
        case let .log(event): node.logs.append(event)
        case let .linkStatus(status): node.linkStatuses.append(status)
        case let .delivery(report): node.deliveries.append(report)
        }
    }

    /// The relay closes a node's link (or the node closed it): peer_left to the others.
    func drop(_ node: EngineNode, code: UInt16?, reason: String) {
        guard node.linkOpen else { return }
        node.linkOpen = false
        if let connection = connections.removeValue(forKey: node.id), connection.authenticated {
            for room in connection.rooms {
                let remaining = members(of: room)
                for other in remaining {
                    deliver(RelayFrames.peerLeft(peer: connection.name, room: roomKeys(room)), to: nodes[other.id])
                }
            }
        }
        inbox.append((node.id, .linkClosed(code: code, reason: reason)))
    }

    /// The relay closes the node's link (eviction, shutdown, crash).
    func relayClose(_ node: EngineNode, code: UInt16?, reason: String) {
        drop(node, code: code, reason: reason)
        pump()
    }

    private func members(of room: String) -> [(id: Int, connection: FakeConnection)] {
        connections.filter { $0.value.authenticated && $0.value.rooms.contains { $0.isExactly(room) } }
            .sorted { $0.value.joinOrder < $1.value.joinOrder }
            .map { ($0.key, $0.value) }
    }

    private func roomKeys(_ room: String) -> RelayFrames.RoomKeys {
        RelayFrames.RoomKeys(room: room, members: members(of: room).map {
            .init(name: $0.connection.name, keyInfo: $0.connection.keyInfo)
        })
    }

    private func relayReceive(_ frame: JSONObject, from node: EngineNode) {
        guard var connection = connections[node.id] else { return }
        let type = frame["type"]?.stringValue ?? ""
        if !connection.authenticated {
            guard type == "auth", let name = frame["peer"]?.stringValue,
                  let key = try? SigningPublicKey(base64: frame["sign_pubkey"]?.stringValue ?? ""),
                  let rooms = frame["rooms"]?.arrayValue?.compactMap(\.stringValue),
                  key.verify(signatureBase64: frame["challenge_sig"]?.stringValue ?? "",
                             message: AuthFrame.challengeSignatureInput(nonce: connection.nonce, peer: name, rooms: rooms))
            else {
                deliver(RelayFrames.authError("bad challenge signature"), to: node)
                drop(node, code: 4005, reason: "bad challenge sig")
                return
            }
            if let sealed = frame["sealed_token"]?.stringValue {
                let opened = try? relayKey.curve25519().openSealed(Base64.decode(sealed))
                #expect(opened == Array(PE.token.utf8), "sealed token must open to the invite token")
            }
            joinCounter += 1
            connection.authenticated = true
            connection.name = name
            connection.rooms = rooms
            connection.keyInfo = KeyInfo(object: frame)
            connection.joinOrder = joinCounter
            connections[node.id] = connection
            deliver(RelayFrames.authOK(peer: name, rooms: rooms.map(roomKeys)), to: node)
            for room in rooms {
                for other in members(of: room) where other.id != node.id {
                    deliver(RelayFrames.peerJoined(peer: name, room: roomKeys(room), keyInfo: connection.keyInfo), to: nodes[other.id])
                }
            }
            // Drain queued frames for this peer (the relay waits ~50 ms; order is what matters).
            let mine = queue.filter { q in q.target.isExactly(name) && rooms.contains { $0.isExactly(q.room) } }
            queue.removeAll { q in q.target.isExactly(name) && rooms.contains { $0.isExactly(q.room) } }
            for q in mine { deliver(q.frame, to: node) }
            return
        }
        if type == "list_rooms" {
            let listing = Set(connections.values.filter(\.authenticated).flatMap(\.rooms)).sorted().map { room in
                RelayFrames.RoomListing(name: room, peerCount: members(of: room).count,
                                        members: connection.rooms.contains(room) ? members(of: room).map(\.connection.name) : nil)
            }
            deliver(RelayFrames.rooms(discovery: true, rooms: listing), to: node)
            return
        }
        var stamped = frame
        stamped["from"] = .string(connection.name)
        let room = frame["room"]?.stringValue ?? connection.rooms[0]
        let msgID = frame["msg_id"] ?? .null
        guard connection.rooms.contains(where: { $0.isExactly(room) }) else {
            deliver(RelayFrames.error(RelayStatusPayload.notMember(room), msgID: msgID), to: node)
            return
        }
        guard delivering else { return }
        routed.append(stamped)
        guard let target = frame["target"]?.stringValue, !target.isEmpty else {
            for other in members(of: room) where other.id != node.id { deliver(stamped, to: nodes[other.id]) }
            return
        }
        if let recipient = members(of: room).first(where: { $0.connection.name.isExactly(target) }) {
            deliver(stamped, to: nodes[recipient.id])
        } else if frame["no_queue"]?.isTruthy ?? false {
            deliver(RelayFrames.error(RelayStatusPayload.notQueuedSessionFrame(target), msgID: msgID), to: node)
        } else {
            queue.append((room, target, stamped))
            deliver(RelayFrames.queued(target: target, msgID: msgID, ttlSeconds: 3600), to: node)
        }
    }
}

extension PeerNotification {
    var type: String? { meta["type"]?.stringValue }
}

extension EngineNet {
    /// alice and bob (vector identities) in `default`, both authenticated, sessions and STS done.
    static func pair(aliceRooms: [String] = ["default"], bobRooms: [String] = ["default"]) -> (EngineNet, EngineNode, EngineNode) {
        let net = EngineNet()
        let alice = net.add(PE.config("alice", PE.alice, rooms: aliceRooms))
        let bob = net.add(PE.config("bob", PE.bob, rooms: bobRooms))
        net.start(alice, bob)
        net.settle()
        return (net, alice, bob)
    }

    /// Routed frames of a type, as the relay stamped them.
    func routed(type: String, from: String? = nil) -> [JSONObject] {
        routed.filter { $0["type"]?.stringValue == type && (from == nil || $0["from"]?.stringValue == from) }
    }
}

extension EngineNet {
    /// alice and bob whose first connections use the vector ephemeral keys and session ids.
    static func vectorPair(aliceRooms: [String] = ["default"]) -> (EngineNet, EngineNode, EngineNode) {
        let net = EngineNet()
        let alice = net.add(PE.config("alice", PE.alice, rooms: aliceRooms), scripted: VectorKeys.script("alice"))
        let bob = net.add(PE.config("bob", PE.bob), scripted: VectorKeys.script("bob"))
        net.start(alice, bob)
        net.settle()
        return (net, alice, bob)
    }
}
