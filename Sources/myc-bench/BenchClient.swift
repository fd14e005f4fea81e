import MycKit
import NIOCore
import NIOWebSocket

/// Who a client is: a distinct peer name, its rooms, and the invite token.
struct ClientIdentity: Sendable {
    let name: String
    let rooms: [String]
    let token: String
    /// Every bench peer name starts with this; relay error payloads that start with a
    /// peer name are counted under `<peer> …` so errors group by kind, not by peer.
    let namePrefix: String
    /// A fixed identity (a client that reconnects under a binding it registered before);
    /// nil draws a fresh one.
    var signing: SigningKeyPair? = nil
}

/// One loopback WebSocket client of the relay: the channel handler after the HTTP upgrade.
///
/// It performs the real handshake (PROTOCOL.md §3: `challenge` → `auth` with a fresh
/// Ed25519 identity, X25519 ephemeral key, session id, `challenge_sig` and sealed token →
/// `auth_ok`), then sends and receives bench frames for its `ClientRole`. It is confined
/// to its channel's event loop; other code reaches it through `NIOLoopBound`.
final class BenchClient: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private enum State { case awaitingChallenge, authenticating, ready, closed }

    let identity: ClientIdentity
    private let ready: EventLoopPromise<Void>
    private let signing: SigningKeyPair
    private var context: ChannelHandlerContext?
    private var state = State.awaitingChallenge
    private var closing = false
    private var handshakeTimer: Scheduled<Void>?
    private var tickTimer: Scheduled<Void>?
    private var rng: SplitMix64
    private var sequence = 0

    var role: (any ClientRole)?
    var window = MeasureWindow(startNs: .max, endNs: .max)
    private(set) var stats = ClientStats()

    private static let peerEventPrefix = Array(#"{"type":"peer_"#.utf8)
    private static let handshakeTimeout = TimeAmount.seconds(15)

    init(identity: ClientIdentity, ready: EventLoopPromise<Void>) {
        self.identity = identity
        self.ready = ready
        self.signing = identity.signing ?? SigningKeyPair.generate()
        self.rng = SplitMix64(seed: MonotonicClock.nowNs() ^ UInt64(UInt(bitPattern: identity.name.hashValue)))
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        handshakeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: Self.handshakeTimeout) {
            self.failHandshake("no auth_ok within 15 s")
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            received(text: frame.unmaskedData)
        case .ping:
            send(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(using: &rng), data: frame.unmaskedData))
            context.flush()
        case .connectionClose:
            var data = frame.unmaskedData
            let code = data.readInteger(as: UInt16.self).map(String.init) ?? "none"
            let reason = data.readString(length: data.readableBytes) ?? ""
            if !closing { stats.count(error: "closed by relay: \(code) \(reason)") }
            failHandshake("relay closed the connection: \(code) \(reason)")
            closing = true
            context.close(promise: nil)
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !closing && state == .ready { stats.count(error: "connection lost") }
        failHandshake("connection closed before auth_ok")
        state = .closed
        tickTimer?.cancel()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !closing { stats.count(error: "socket error: \(error)") }
        failHandshake("socket error: \(error)")
        context.close(promise: nil)
    }

    // MARK: Frames from the relay

    private func received(text buffer: ByteBuffer) {
        let bytes = buffer.readableBytesView
        stats.receivedTotal += 1
        // peer_joined/peer_left carry the room's whole key map; nothing here needs them.
        if bytes.starts(with: Self.peerEventPrefix) { return }
        guard let frame = try? JSONParser.parseObject(bytes) else {
            stats.count(error: "unparseable frame from relay")
            return
        }
        let type = frame["type"]?.stringValue ?? ""
        switch type {
        case "bench":
            let now = MonotonicClock.nowNs()
            stats.benchReceivedTotal += 1
            stats.lastBenchNs = now
            guard let t = frame["t"]?.numberValue, t >= 0 else {
                stats.count(error: "bench frame without t")
                return
            }
            if window.contains(now) {
                stats.delivered += 1
                let sent = UInt64(t)
                stats.latency.record(now > sent ? now - sent : 0)
            }
            role?.receivedBench(from: frame["from"]?.stringValue ?? "", on: self)
        case "queued" where role?.expectsQueued ?? false:
            stats.queuedTotal += 1
            role?.relayQueued(on: self)
        case "error", "queued":
            stats.count(error: "\(type): \(normalized(frame["payload"]?.stringValue ?? "?"))")
            if frame["msg_id"] != nil { role?.relayRejected(on: self) }
        case "challenge":
            answer(challenge: frame)
        case "auth_ok":
            guard state == .authenticating else { return }
            state = .ready
            stats.authOkNs = MonotonicClock.nowNs()
            handshakeTimer?.cancel()
            ready.succeed(())
        case "auth_error":
            failHandshake("auth_error: \(frame["payload"]?.stringValue ?? "?")")
        case "evicted", "relay_shutdown":
            stats.count(error: "\(type): \(frame["payload"]?.stringValue ?? "?")")
        default:
            break  // rooms and anything newer
        }
    }

    /// §3.2: sign `nonce ‖ peer ‖ rooms`, seal the token to the relay key, send `auth`.
    private func answer(challenge object: JSONObject) {
        guard state == .awaitingChallenge else { return }
        do {
            let challenge = try ChallengeFrame(object: object)
            let auth = try AuthFrame.build(
                identity: signing, peer: identity.name, rooms: identity.rooms,
                ephemeralKey: BoxKeyPair.generate().publicKey,
                sessionID: Hex.encode(RandomBytes.generate(16)), challenge: challenge,
                token: identity.token, rotation: nil, relayPins: [])
            state = .authenticating
            sendText(JSONSerializer.bytes(of: .object(auth)))
            context?.flush()
        } catch {
            failHandshake("cannot answer the challenge: \(error)")
        }
    }

    private func failHandshake(_ reason: String) {
        guard state == .awaitingChallenge || state == .authenticating else { return }
        state = .closed
        handshakeTimer?.cancel()
        ready.fail(BenchError("\(identity.name): \(reason)"))
        context?.close(promise: nil)
    }

    /// `bench-x-p3-r no longer here` → `<peer> no longer here`.
    private func normalized(_ payload: String) -> String {
        guard payload.hasPrefix(identity.namePrefix), let space = payload.firstIndex(of: " ") else { return payload }
        return "<peer>" + payload[space...]
    }

    // MARK: Sending

    /// Writes one bench frame (not flushed): `{"type":"bench","target","room","msg_id",
    /// "payload","t"}`, `t` being the monotonic send time in ns. `target` nil = broadcast.
    func sendBench(target: String?, room: String, payload: String) {
        guard state == .ready, !closing else { return }
        sequence += 1
        var frame = JSONObject()
        frame["type"] = "bench"
        if let target { frame["target"] = .string(target) }
        frame["room"] = .string(room)
        frame["msg_id"] = .string("\(identity.name)-\(sequence)")
        frame["payload"] = .string(payload)
        let now = MonotonicClock.nowNs()
        frame["t"] = .number(Double(now))
        sendText(JSONSerializer.bytes(of: .object(frame)))
        stats.sentTotal += 1
        if window.contains(now) { stats.sentInWindow += 1 }
    }

    func flush() { context?.flush() }

    var isReady: Bool { state == .ready && !closing }

    private func sendText(_ bytes: [UInt8]) {
        guard let context else { return }
        let buffer = context.channel.allocator.buffer(bytes: bytes)
        send(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(using: &rng), data: buffer))
    }

    private func send(_ frame: WebSocketFrame) {
        context?.write(wrapOutboundOut(frame), promise: nil)
    }

    // MARK: Scenario control (called on the event loop)

    /// Installs `role` for the measure `window` and starts it, with a periodic tick.
    func begin(_ role: any ClientRole, window: MeasureWindow) {
        self.role = role
        self.window = window
        role.start(self)
        let interval = max(100_000, role.tickIntervalNs)
        scheduleTick(in: Int64(rng.next() % UInt64(interval)) + 1)
    }

    /// Runs the role's tick now (a cross-loop wake-up from a `SendWindow`).
    func wake() {
        if let role, isReady { _ = role.tick(self) }
    }

    private func scheduleTick(in delayNs: Int64) {
        guard let context, isReady else { return }
        tickTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(delayNs)) {
            guard let role = self.role, self.isReady else { return }
            if role.tick(self) { self.scheduleTick(in: max(100_000, role.tickIntervalNs)) }
        }
    }

    /// Re-runs `body` on the next event-loop turn (lets other channels read in between).
    func soon(_ body: @escaping (BenchClient) -> Void) {
        context?.eventLoop.assumeIsolated().execute { body(self) }
    }

    /// Close 1000 and hang up; what arrives afterwards is not counted as an error.
    func close() {
        guard let context, !closing else { return }
        closing = true
        tickTimer?.cancel()
        role = nil
        var data = context.channel.allocator.buffer(capacity: 2)
        data.writeInteger(UInt16(1000))
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(using: &rng), data: data)
        context.writeAndFlush(wrapOutboundOut(frame)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
