import Foundation
import MycKit

/// A peer the hostile relay plays: it holds this identity and this connection's
/// ephemeral key, so the relay can forge anything this peer could legitimately send.
struct SyntheticPeer: Sendable {
    let name: String
    let identity: SigningKeyPair
    let ephemeral: BoxKeyPair
    let sessionID: String
    let rooms: [String]

    init(_ name: String, rooms: [String] = ["default"], identity: SigningKeyPair = .generate()) {
        self.name = name
        self.identity = identity
        self.ephemeral = .generate()
        self.sessionID = Hex.encode(RandomBytes.generate(PeerConstants.sessionIDByteCount))
        self.rooms = rooms
    }

    /// What the relay advertises for this peer (§3.5): the ephemeral key signed by the identity.
    var keyInfo: KeyInfo {
        KeyInfo(signPublicKey: identity.publicKey.base64, ephemeralPublicKey: ephemeral.publicKey.base64,
                ephemeralPublicKeySignature: identity.signBase64(ephemeral.publicKey.bytes), sessionID: sessionID)
    }
}

/// What the real peer said in its `auth` on one connection.
struct PeerAuth: Sendable {
    let connection: Int
    let name: String
    let rooms: [String]
    let keyInfo: KeyInfo
    let frame: JSONObject
}

/// A scripted relay for the hostile-relay suite: speaks PROTOCOL.md §3 to one real
/// `myc mcp` peer (challenge signed by `presentedKey`, the peer's challenge signature
/// verified, `auth_ok` listing the synthetic peers), then records every frame the peer
/// sends and lets the test put any bytes on the wire. Nothing is routed on its own; the
/// only automatic behaviour is the synthetic peers' STS responder role (`autoSts`).
final class HostileRelay: WebSocketServerDelegate, @unchecked Sendable {
    let presentedKey: SigningKeyPair
    /// When set, the challenge names `presentedKey` but is signed with this key (a relay
    /// claiming an identity it does not hold).
    let challengeSigner: SigningKeyPair?
    let synthetics: [SyntheticPeer]
    /// Reply to the real peer's `_sts_init` as the synthetic peer would (honest binding).
    let autoSts = LockedBox(true)
    /// Overrides the binding the synthetic peer signs in `_sts_reply` (a forged binding).
    let stsBindingOverride = LockedBox<(@Sendable ([UInt8]) -> [UInt8])?>(nil)

    private let server = LockedBox<WebSocketServer?>(nil)
    private let state = LockedBox(State())

    struct State {
        var ordinals: [WebSocketConnection: Int] = [:]
        var nonces: [Int: [UInt8]] = [:]
        var opened = 0
        var closed = 0
        var current: WebSocketConnection?
        var auths: [PeerAuth] = []
        /// Every parsed frame the peer sent, with its connection ordinal.
        var received: [(connection: Int, frame: JSONObject)] = []
        var seqs: [String: Int64] = [:]
    }

    init(synthetics: [SyntheticPeer], presentedKey: SigningKeyPair = .generate(),
         challengeSigner: SigningKeyPair? = nil) async throws {
        self.synthetics = synthetics
        self.presentedKey = presentedKey
        self.challengeSigner = challengeSigner
        server.value = try await WebSocketServer.start(configuration: .init(host: "127.0.0.1", port: 0, maxMessageBytes: 1 << 20, backpressureLimit: 16 << 20), delegate: self)
    }

    var url: String { "ws://127.0.0.1:\(server.value!.localPort)" }
    var fingerprint: String { presentedKey.publicKey.fingerprint.text }

    func stop() async {
        let live = state.withValue { Array($0.ordinals.keys) }
        for connection in live { connection.close(code: 1001, reason: "test over") }
        await server.value?.stopAccepting()
    }

    func synthetic(_ name: String) -> SyntheticPeer {
        synthetics.first { $0.name.utf8.elementsEqual(name.utf8) }!
    }

    // MARK: Observations

    var openedCount: Int { state.value.opened }
    var closedCount: Int { state.value.closed }
    var auths: [PeerAuth] { state.value.auths }
    var lastAuth: PeerAuth? { state.value.auths.last }
    var received: [(connection: Int, frame: JSONObject)] { state.value.received }

    /// Frames the peer sent after authenticating, of `type` and addressed to `target`.
    func sent(type: String, to target: String? = nil) -> [JSONObject] {
        received.map(\.frame).filter {
            $0["type"]?.stringValue.map { $0.utf8.elementsEqual(type.utf8) } == true
                && (target == nil || $0["target"]?.stringValue.map { $0.utf8.elementsEqual(target!.utf8) } == true)
        }
    }

    /// The session key between `peer` and the real peer's current connection.
    func sharedKey(_ peer: SyntheticPeer) throws -> SharedKey {
        guard let auth = lastAuth else { throw MCPTestClientError(description: "the peer never authenticated") }
        return try peer.ephemeral.sharedKey(with: BoxPublicKey(base64: auth.keyInfo.ephemeralPublicKey))
    }

    /// Decrypts a session frame the real peer sent to `peer`.
    func open(_ frame: JSONObject, as peer: SyntheticPeer) -> String? {
        guard let key = try? sharedKey(peer) else { return nil }
        return try? RoutedFrame.openSession(frame: frame, key: key)
    }

    /// `ack:`/`nack:` ids the real peer sent to `peer` (decrypted), in order.
    func receipts(_ type: String, to peer: SyntheticPeer) -> [String] {
        sent(type: type, to: peer.name).compactMap { open($0, as: peer) }.compactMap {
            type == "_ack" ? ControlPayload.parseAck($0) : ControlPayload.parseNack($0)
        }
    }

    func acks(to peer: SyntheticPeer) -> [String] { receipts("_ack", to: peer) }
    func nacks(to peer: SyntheticPeer) -> [String] { receipts("_nack", to: peer) }

    // MARK: Scripting

    /// A session frame from `peer`, signed and encrypted as that peer would (§5.7), with
    /// `from` stamped as a relay would. `seq` defaults to the peer's next counter value.
    func frame(from peer: SyntheticPeer, text: String, type: String = "info", msgID: String = HostileRelay.newMsgID(),
               room: String? = nil, seq: Int64? = nil, key: SharedKey? = nil, requestID: String? = nil,
               ts: Int64 = HostileRelay.nowMs) throws -> JSONObject {
        guard let auth = lastAuth else { throw MCPTestClientError(description: "the peer never authenticated") }
        let seq = seq ?? state.withValue { s in
            let next = s.seqs[peer.name, default: 0]
            s.seqs[peer.name] = next + 1
            return next
        }
        let header = RoutedFrameHeader(target: auth.name, room: room ?? peer.rooms[0], type: type, sender: peer.name,
                                       msgID: msgID, ts: ts, requestID: requestID)
        var frame = try SessionFrame.build(header: header, sessionID: peer.sessionID, seq: seq, plaintext: Array(text.utf8),
                                           key: key ?? sharedKey(peer), signer: peer.identity)
        frame["no_queue"] = nil
        frame["from"] = .string(peer.name)
        return frame
    }

    /// An offline envelope from `peer`, sealed to the real peer's identity key (§5.7).
    func envelope(from peer: SyntheticPeer, text: String, type: String = "info", msgID: String = HostileRelay.newMsgID(),
                  ts: Int64 = HostileRelay.nowMs) throws -> JSONObject {
        guard let auth = lastAuth else { throw MCPTestClientError(description: "the peer never authenticated") }
        let header = RoutedFrameHeader(target: auth.name, room: peer.rooms[0], type: type, sender: peer.name, msgID: msgID, ts: ts)
        var frame = try OfflineEnvelope.build(header: header, plaintext: Array(text.utf8),
                                              recipient: SigningPublicKey(base64: auth.keyInfo.signPublicKey), signer: peer.identity)
        frame["from"] = .string(peer.name)
        return frame
    }

    /// Reserves `count` consecutive seqs of `peer`'s counter and returns the first, for
    /// tests that send frames out of order (explicit seqs must not collide with the
    /// counter the relay's own STS replies use).
    func reserveSeqs(_ peer: SyntheticPeer, _ count: Int64) -> Int64 {
        state.withValue { s in
            let first = s.seqs[peer.name, default: 0]
            s.seqs[peer.name] = first + count
            return first
        }
    }

    /// Re-signs an edited frame with `signer` (the edit is then covered by a valid signature).
    static func resign(_ frame: JSONObject, with signer: SigningKeyPair) -> JSONObject {
        var frame = frame
        let from = frame.removeValue(forKey: "from")
        frame["sig"] = nil
        frame["sig"] = .string(signer.signBase64(CanonicalSigningString.bytes(of: frame)))
        if let from { frame["from"] = from }
        return frame
    }

    /// Sends a frame to the real peer's current connection.
    func send(_ frame: JSONObject) throws { try sendRaw(RelayFrames.bytes(frame)) }

    /// Sends arbitrary bytes as one text message (not necessarily JSON, not even UTF-8).
    func sendRaw(_ bytes: [UInt8]) throws {
        guard let connection = state.value.current, connection.sendText(bytes) else {
            throw MCPTestClientError(description: "no live connection to the peer")
        }
    }

    /// The STS binding (§5.8) between `peer` and the real peer's current connection in `room`:
    /// `lo.eph ‖ hi.eph ‖ lo.sid ‖ hi.sid ‖ room`, lo = smaller name in UTF-16 order.
    func stsBinding(_ peer: SyntheticPeer, room: String) throws -> [UInt8] {
        guard let auth = lastAuth else { throw MCPTestClientError(description: "the peer never authenticated") }
        let real = (eph: try Base64.decode(auth.keyInfo.ephemeralPublicKey), sid: auth.keyInfo.sessionID)
        let fake = (eph: peer.ephemeral.publicKey.bytes, sid: peer.sessionID)
        let realFirst = auth.name.utf16.lexicographicallyPrecedes(peer.name.utf16)
        let (lo, hi) = realFirst ? (real, fake) : (fake, real)
        return lo.eph + hi.eph + Array(lo.sid.utf8) + Array(hi.sid.utf8) + Array(room.utf8)
    }

    // MARK: Waiting

    /// Polls until `condition` holds (never a sleep used as an assertion).
    @discardableResult
    func waitUntil(_ what: String, timeout: TimeInterval = 10, _ condition: () -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        if condition() { return true }
        throw MCPTestClientError(description: "hostile relay: timed out waiting for \(what)")
    }

    static var nowMs: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    static func newMsgID() -> String { "m-" + Hex.encode(RandomBytes.generate(8)) }

    // MARK: WebSocketServerDelegate

    func handleHTTP(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        respond(.text(.notFound, "not found"))
    }

    func admitUpgrade(_ request: HTTPRequest) -> HTTPResponse? { nil }

    func opened(_ connection: WebSocketConnection, request: HTTPRequest) {
        let nonce = RandomBytes.generate(ChallengeFrame.nonceByteCount)
        state.withValue { s in
            s.opened += 1
            s.ordinals[connection] = s.opened
            s.nonces[s.opened] = nonce
        }
        let ts = Self.nowMs
        var challenge = ChallengeFrame.signed(by: presentedKey, nonce: nonce, timestampMs: ts)
        if let challengeSigner {
            challenge.relaySignature = challengeSigner.signBase64(nonce + Array(String(ts).utf8))
        }
        _ = connection.sendText(RelayFrames.bytes(challenge.object))
    }

    func receivedText(_ bytes: [UInt8], on connection: WebSocketConnection) {
        guard let frame = try? JSONParser.parseObject(bytes) else { return }
        let (ordinal, nonce, authenticated) = state.withValue { s -> (Int, [UInt8], Bool) in
            let ordinal = s.ordinals[connection] ?? 0
            return (ordinal, s.nonces[ordinal] ?? [], s.auths.contains { $0.connection == ordinal })
        }
        guard authenticated else {
            authenticate(frame, ordinal: ordinal, nonce: nonce, on: connection)
            return
        }
        state.withValue { $0.received.append((ordinal, frame)) }
        if frame["type"]?.stringValue == "_sts_init", autoSts.value,
           let target = frame["target"]?.stringValue, let room = frame["room"]?.stringValue,
           let peer = synthetics.first(where: { $0.name.utf8.elementsEqual(target.utf8) }),
           var binding = try? stsBinding(peer, room: room) {
            if let override = stsBindingOverride.value { binding = override(binding) }
            let reply = ControlPayload.stsSignature(peer.identity.signBase64(binding))
            if let frame = try? self.frame(from: peer, text: reply, type: "_sts_reply", room: room) {
                _ = connection.sendText(RelayFrames.bytes(frame))
            }
        }
    }

    /// §3.4 in short: the challenge signature must verify under the announced key.
    private func authenticate(_ frame: JSONObject, ordinal: Int, nonce: [UInt8], on connection: WebSocketConnection) {
        guard frame["type"]?.stringValue == "auth", let name = frame["peer"]?.stringValue,
              let rooms = frame["rooms"]?.arrayValue?.compactMap(\.stringValue),
              let key = try? SigningPublicKey(base64: frame["sign_pubkey"]?.stringValue ?? ""),
              key.verify(signatureBase64: frame["challenge_sig"]?.stringValue ?? "",
                         message: AuthFrame.challengeSignatureInput(nonce: nonce, peer: name, rooms: rooms))
        else {
            _ = connection.sendText(RelayFrames.bytes(RelayFrames.authError("bad challenge signature")))
            connection.close(code: 4005, reason: "bad challenge sig")
            return
        }
        let auth = PeerAuth(connection: ordinal, name: name, rooms: rooms, keyInfo: KeyInfo(object: frame), frame: frame)
        state.withValue { s in
            s.auths.append(auth)
            s.current = connection
        }
        let roomKeys = rooms.map { room in
            RelayFrames.RoomKeys(room: room, members: synthetics.filter { $0.rooms.contains(room) }
                .map { .init(name: $0.name, keyInfo: $0.keyInfo) } + [.init(name: name, keyInfo: auth.keyInfo)])
        }
        _ = connection.sendText(RelayFrames.bytes(RelayFrames.authOK(peer: name, rooms: roomKeys)))
    }

    func receivedBinary(on connection: WebSocketConnection) {}
    func receivedPong(on connection: WebSocketConnection) {}

    func closed(_ connection: WebSocketConnection) {
        state.withValue { s in
            s.closed += 1
            s.ordinals[connection] = nil
            if s.current == connection { s.current = nil }
        }
    }
}
