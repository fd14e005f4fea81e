import Foundation
import MycKit

/// A WebSocket server that only sends one `challenge`, for testing relay-identity checks
/// without the real relay. `forgeSignature` makes it present a key it does not hold.
final class FakeChallengeRelay: WebSocketServerDelegate {
    let relayKey: SigningKeyPair
    let forgeSignature: Bool
    private let server: LockedBox<WebSocketServer?> = LockedBox(nil)

    init(relayKey: SigningKeyPair = .generate(), forgeSignature: Bool = false) async throws {
        self.relayKey = relayKey
        self.forgeSignature = forgeSignature
        let started = try await WebSocketServer.start(
            configuration: .init(host: "127.0.0.1", port: 0), delegate: self)
        server.value = started
    }

    var url: String { "ws://127.0.0.1:\(server.value!.localPort)" }

    func stop() async { await server.value?.stopAccepting() }

    func handleHTTP(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        respond(.text(.notFound, "not found"))
    }

    func admitUpgrade(_ request: HTTPRequest) -> HTTPResponse? { nil }

    func opened(_ connection: WebSocketConnection, request: HTTPRequest) {
        let nonce = RandomBytes.generate(32)
        var frame = ChallengeFrame.signed(by: relayKey, nonce: nonce, timestampMs: 1_730_000_000_123)
        if forgeSignature {
            frame.relaySignature = SigningKeyPair.generate().signBase64(nonce + Array("1730000000123".utf8))
        }
        connection.sendText(JSONSerializer.bytes(of: .object(frame.object)))
    }

    func receivedText(_ bytes: [UInt8], on connection: WebSocketConnection) {}
    func receivedBinary(on connection: WebSocketConnection) {}
    func receivedPong(on connection: WebSocketConnection) {}
    func closed(_ connection: WebSocketConnection) {}
}

/// A value behind a lock, for test doubles shared across event-loop threads.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var _value: Value
    init(_ value: Value) { _value = value }
    var value: Value {
        get { lock.withLock { _value } }
        set { lock.withLock { _value = newValue } }
    }
    func withValue<R>(_ body: (inout Value) -> R) -> R { lock.withLock { body(&_value) } }
}
