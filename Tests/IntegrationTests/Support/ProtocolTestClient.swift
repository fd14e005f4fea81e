import Foundation
import Logging
import MycKit
import NIOCore
import NIOSSL
import NIOWebSocket
import WSClient

/// A peer that speaks PROTOCOL.md's handshake and sends raw frames, written against the
/// spec (not the relay code) so it can hold the relay to the wire contract. It does no
/// end-to-end crypto: the relay cannot tell, and routing is what is under test.
final class ProtocolTestClient: @unchecked Sendable {
    let name: String
    let identity: SigningKeyPair
    let rooms: [String]
    private let inbox = LockedBox<[JSONObject]>([])
    /// Every text frame exactly as it arrived, for byte-level checks.
    private let rawTexts = LockedBox<[String]>([])
    private let outbound = LockedBox<WebSocketOutboundWriter?>(nil)
    private let closeFrame = LockedBox<WebSocketCloseFrame?>(nil)
    private let finished = LockedBox<Bool>(false)
    private var task: Task<Void, Never>?
    let url: String
    let tls: TLSConfiguration?

    init(url: String, name: String, identity: SigningKeyPair = .generate(), rooms: [String] = ["default"],
         tls: TLSConfiguration? = nil) {
        self.url = url
        self.tls = tls
        self.name = name
        self.identity = identity
        self.rooms = rooms
    }

    /// Opens the socket; frames start arriving in `next()`.
    func open() async throws {
        let inbox = self.inbox
        let rawTexts = self.rawTexts
        let outbound = self.outbound
        let closeFrame = self.closeFrame
        let finished = self.finished
        let ready = AsyncStream<Void>.makeStream()
        var config = WebSocketClientConfiguration()
        config.maxFrameSize = 1 << 22
        task = Task { [url, tls] in
            let frame = try? await WebSocketClient.connect(url: url, configuration: config, tlsConfiguration: tls,
                                                           logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })) { inbound, writer, _ in
                outbound.value = writer
                ready.continuation.yield()
                for try await message in inbound.messages(maxSize: 1 << 22) {
                    if case let .text(text) = message { rawTexts.withValue { $0.append(text) } }
                    if case let .text(text) = message, let object = try? JSONParser.parseObject(text) {
                        inbox.withValue { $0.append(object) }
                    } else if case let .text(text) = message {
                        inbox.withValue { $0.append(["_unparsed": .string(text)]) }
                    }
                }
            }
            closeFrame.value = frame
            finished.value = true
            ready.continuation.finish()
        }
        var it = ready.stream.makeAsyncIterator()
        _ = await it.next()
        if outbound.value == nil { throw TestClientError("could not connect to \(url)") }
    }

    /// The next frame, or nil when nothing came within `timeout` (or the socket closed).
    func next(timeout: Duration = .seconds(5)) async -> JSONObject? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let frame: JSONObject? = inbox.withValue { frames in
                frames.isEmpty ? nil : frames.removeFirst()
            }
            if let frame { return frame }
            if finished.value || ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Waits for a text frame containing `marker` and returns it byte for byte.
    func rawText(containing marker: String, timeout: Duration = .seconds(5)) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let hit = rawTexts.value.first(where: { $0.contains(marker) }) { return hit }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return nil
    }

    /// Frames received and not yet read.
    var pending: [JSONObject] { inbox.value }

    /// Frames until one of `type` arrives (others are returned alongside).
    func next(type: String, timeout: Duration = .seconds(5)) async -> JSONObject? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let frame = await next(timeout: deadline - ContinuousClock.now) else { return nil }
            if frame["type"]?.stringValue == type { return frame }
        }
        return nil
    }

    func send(_ object: JSONObject) async throws {
        try await sendText(JSONSerializer.string(of: .object(object)))
    }

    func sendText(_ text: String) async throws {
        guard let writer = outbound.value else { throw TestClientError("not connected") }
        try await writer.write(.text(text))
    }

    func sendBinary(_ bytes: [UInt8]) async throws {
        guard let writer = outbound.value else { throw TestClientError("not connected") }
        try await writer.write(.binary(ByteBuffer(bytes: bytes)))
    }

    func close() async {
        try? await outbound.value?.close(.normalClosure, reason: nil)
        await task?.value
    }

    /// The close frame the server sent, once the socket has closed.
    func waitForClose(timeout: Duration = .seconds(5)) async -> WebSocketCloseFrame? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if finished.value { return closeFrame.value }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    var isClosed: Bool { finished.value }

    /// The `auth` frame for a challenge, built from PROTOCOL.md §3.2–§3.3.
    func authFrame(for challenge: JSONObject, token: String?, sealed: Bool = true, sign: Bool = true,
                   extra: JSONObject = [:]) throws -> JSONObject {
        let nonce = try Base64.decode(challenge["nonce"]!.stringValue!)
        let eph = BoxKeyPair.generate()
        var frame: JSONObject = [
            "type": "auth", "peer": .string(name), "room": .string(rooms[0]),
            "rooms": .array(rooms.map { .string($0) }), "proto": 2,
            "sign_pubkey": .string(identity.publicKey.base64),
            "eph_enc_pubkey": .string(eph.publicKey.base64),
            "eph_enc_pubkey_sig": .string(identity.signBase64(eph.publicKey.bytes)),
            "session_id": .string(Hex.encode(RandomBytes.generate(16))),
        ]
        if sign {
            frame["challenge_sig"] = .string(identity.signBase64(nonce + Array(name.utf8) + Array(rooms.joined(separator: ",").utf8)))
        }
        if let token {
            if sealed, let relayKey = challenge["relay_pubkey"]?.stringValue {
                let curve = try SigningPublicKey(base64: relayKey).curve25519()
                frame["sealed_token"] = .string(Base64.encode(try SealedBox.seal(Array(token.utf8), to: curve)))
            } else {
                frame["token"] = .string(token)
            }
        }
        for (k, v) in extra { frame[k] = v }
        return frame
    }

    /// Opens, answers the challenge, and returns the relay's answer (`auth_ok` or `auth_error`).
    @discardableResult
    func connectAndAuth(token: String?, sealed: Bool = true) async throws -> JSONObject {
        try await open()
        guard let challenge = await next(type: "challenge") else { throw TestClientError("no challenge") }
        try await send(authFrame(for: challenge, token: token, sealed: sealed))
        guard let answer = await next(timeout: .seconds(5)) else { throw TestClientError("no answer to auth") }
        return answer
    }
}

struct TestClientError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
