import Testing
@testable import MycKit

/// Deterministic nonces: the n-th request returns `count` bytes of value n.
struct SeededRelayRandom: RelayRandomSource {
    var calls: UInt8 = 0
    mutating func bytes(_ count: Int) -> [UInt8] {
        calls &+= 1
        return [UInt8](repeating: calls, count: count)
    }
}

/// A peer identity with fixed, recognisable key material.
struct TestPeer {
    let name: String
    let keys: SigningKeyPair

    init(_ name: String, seed: UInt8) {
        self.name = name
        self.keys = try! SigningKeyPair(seed: [UInt8](repeating: seed, count: 32))
    }

    var pub: String { keys.publicKey.base64 }

    var keyInfo: KeyInfo {
        KeyInfo(signPublicKey: pub, ephemeralPublicKey: "eph-\(name)", ephemeralPublicKeySignature: "ephsig-\(name)", sessionID: "sess-\(name)")
    }

    /// `{"sign_pubkey":...,"eph_enc_pubkey":...,...}` as the relay renders it.
    var keyInfoJSON: String {
        #"{"sign_pubkey":"\#(pub)","eph_enc_pubkey":"eph-\#(name)","eph_enc_pubkey_sig":"ephsig-\#(name)","session_id":"sess-\#(name)"}"#
    }

    func challengeSig(nonce: [UInt8], rooms: [String]) -> String {
        keys.signBase64(nonce + Array(name.utf8) + Array(rooms.joined(separator: ",").utf8))
    }

    /// A continuity statement from `self` (the previous key) for `newKey`.
    func continuity(for newKey: TestPeer, ts: Int64) -> JSONObject {
        let message = newKey.keys.publicKey.bytes + Array(name.utf8) + Array(String(ts).utf8)
        return ["prev_sign_pubkey": .string(pub), "continuity_sig": .string(keys.signBase64(message)), "ts": .number(Double(ts))]
    }
}

enum TokenMode {
    case none
    case plain(String)
    case sealed(String)
}

let relayIdentity = try! SigningKeyPair(seed: [UInt8](repeating: 0x42, count: 32))
let inviteToken = "invite-token"
let alice = TestPeer("alice", seed: 1)
let bob = TestPeer("bob", seed: 2)
let carol = TestPeer("carol", seed: 3)
let aliceNewKey = TestPeer("alice", seed: 9)

/// Drives a `RelayCore` with a fake clock and renders actions as readable strings.
struct RelayHarness {
    var core: RelayCore
    var now: Int64 = 1_700_000_000_000
    var nextConnection: UInt64 = 1
    var nonces: [ConnectionID: [UInt8]] = [:]

    init(
        limits: RelayLimits = RelayLimits(), token: String? = inviteToken,
        allowList: AllowListSnapshot = AllowListSnapshot(), queue: [QueuedFrame] = []
    ) {
        core = RelayCore(
            identity: relayIdentity, limits: limits, token: token, allowList: allowList,
            queue: queue, nowMs: 1_700_000_000_000, random: SeededRelayRandom())
    }

    /// Opens a connection; returns its id and the (non-log) actions.
    mutating func open(ip: String = "10.0.0.1") -> (ConnectionID, [String]) {
        let id = ConnectionID(nextConnection)
        nextConnection += 1
        let actions = core.opened(connection: id, clientIP: ip, nowMs: now)
        if case .send(_, let bytes)? = actions.first,
           let object = try? JSONParser.parseObject(bytes), let frame = try? ChallengeFrame(object: object) {
            nonces[id] = frame.nonce
        }
        return (id, render(actions))
    }

    mutating func send(_ id: ConnectionID, _ frame: JSONObject) -> [String] {
        render(core.received(connection: id, text: JSONSerializer.bytes(of: .object(frame)), nowMs: now))
    }

    mutating func sendText(_ id: ConnectionID, _ text: String) -> [String] {
        render(core.received(connection: id, text: Array(text.utf8), nowMs: now))
    }

    mutating func sendRaw(_ id: ConnectionID, _ text: String) -> [RelayAction] {
        core.received(connection: id, text: Array(text.utf8), nowMs: now)
    }

    /// Advances the clock and ticks.
    mutating func advance(_ ms: Int64) -> [String] {
        now += ms
        return render(core.tick(nowMs: now))
    }

    mutating func close(_ id: ConnectionID) -> [String] {
        render(core.closed(connection: id, nowMs: now))
    }

    /// The auth frame of §3.3, in the reference's key order.
    func authFrame(
        _ peer: TestPeer, on id: ConnectionID, rooms: [String] = ["default"], token: TokenMode = .plain(inviteToken),
        signRooms: [String]? = nil
    ) -> JSONObject {
        var frame: JSONObject = [
            "type": "auth", "peer": .string(peer.name), "room": .string(rooms.first ?? ""),
            "rooms": .array(rooms.map { .string($0) }), "proto": 2,
            "sign_pubkey": .string(peer.pub), "eph_enc_pubkey": .string("eph-\(peer.name)"),
            "eph_enc_pubkey_sig": .string("ephsig-\(peer.name)"), "session_id": .string("sess-\(peer.name)"),
            "challenge_sig": .string(peer.challengeSig(nonce: nonces[id] ?? [], rooms: signRooms ?? rooms)),
        ]
        switch token {
        case .none: break
        case .plain(let t): frame["token"] = .string(t)
        case .sealed(let t):
            let curve = try! relayIdentity.publicKey.curve25519()
            frame["sealed_token"] = .string(Base64.encode(try! SealedBox.seal(Array(t.utf8), to: curve)))
        }
        return frame
    }

    /// Opens and authenticates `peer`; expects success.
    @discardableResult
    mutating func connect(
        _ peer: TestPeer, rooms: [String] = ["default"], token: TokenMode = .plain(inviteToken),
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> ConnectionID {
        let (id, _) = open()
        let actions = send(id, authFrame(peer, on: id, rooms: rooms, token: token))
        #expect(actions.contains { $0.hasPrefix("send \(id) {\"type\":\"auth_ok\"") }, "\(actions)", sourceLocation: sourceLocation)
        return id
    }

    /// `connect`, then let the drain timer pass so later actions are only the test's own.
    @discardableResult
    mutating func join(_ peer: TestPeer, rooms: [String] = ["default"]) -> ConnectionID {
        let id = connect(peer, rooms: rooms)
        _ = advance(50)
        return id
    }
}

/// One line per action, logs left out: `send conn-1 {...}`, `close conn-1 4004 auth required`,
/// `forward conn-2 {...}`, `ping conn-1`, `persist [...]`.
func render(_ actions: [RelayAction]) -> [String] {
    actions.compactMap { action -> String? in
        switch action {
        case let .send(id, bytes): return "send \(id) " + String(decoding: bytes, as: UTF8.self)
        case let .forward(d): return "forward \(d.target) " + String(decoding: d.bytes, as: UTF8.self)
        case let .close(id, code, reason): return "close \(id) \(code.rawValue) \(reason)"
        case let .ping(id): return "ping \(id)"
        case let .persist(changes): return "persist \(changes)"
        case .log: return nil
        }
    }
}

func logs(_ actions: [RelayAction]) -> [RelayLogEvent] {
    actions.compactMap { if case .log(let e) = $0 { return e } else { return nil } }
}

extension ConnectionID {
    static let c1 = ConnectionID(1), c2 = ConnectionID(2), c3 = ConnectionID(3), c4 = ConnectionID(4)
}

/// An allow-list with `peers` bound in `room`.
func bound(_ peers: [TestPeer], in room: String = "default") -> AllowListSnapshot {
    AllowListSnapshot(bindings: peers.map { .init(room: room, name: $0.name, key: $0.pub) })
}

/// Hand-written expected frames (independent of the builders).
enum Expect {
    static func keyMap(_ peers: [TestPeer]) -> String {
        "{" + peers.map { "\"\($0.name)\":\($0.keyInfoJSON)" }.joined(separator: ",") + "}"
    }

    static func authOK(_ peer: TestPeer, rooms: [(String, [TestPeer])]) -> String {
        let names = rooms.map { "\"\($0.0)\"" }.joined(separator: ",")
        let maps = rooms.map { "\"\($0.0)\":\(keyMap($0.1))" }.joined(separator: ",")
        return #"{"type":"auth_ok","from":"_relay","proto":2,"payload":{"peer":"\#(peer.name)","rooms":[\#(names)],"peers":{\#(maps)}}}"#
    }

    static func authError(_ reason: String) -> String {
        #"{"type":"auth_error","from":"_relay","payload":"\#(reason.replacingQuotes)"}"#
    }

    static func error(_ payload: String, msgID: String? = nil) -> String {
        let tail = msgID.map { #","msg_id":"\#($0)""# } ?? ""
        return #"{"type":"error","from":"_relay","payload":"\#(payload.replacingQuotes)"\#(tail)}"#
    }

    static func peerJoined(_ peer: TestPeer, room: String, members: [TestPeer]) -> String {
        #"{"type":"peer_joined","from":"_relay","payload":{"peer":"\#(peer.name)","room":"\#(room)","peers":\#(keyMap(members)),"sign_pubkey":"\#(peer.pub)","eph_enc_pubkey":"eph-\#(peer.name)","eph_enc_pubkey_sig":"ephsig-\#(peer.name)","session_id":"sess-\#(peer.name)"}}"#
    }

    static func peerLeft(_ peer: TestPeer, room: String, remaining: [TestPeer]) -> String {
        #"{"type":"peer_left","from":"_relay","payload":{"peer":"\#(peer.name)","room":"\#(room)","peers":\#(keyMap(remaining))}}"#
    }
}

extension String {
    var replacingQuotes: String {
        var out = ""
        for c in self { out += c == "\"" ? "\\\"" : String(c) }
        return out
    }
}
