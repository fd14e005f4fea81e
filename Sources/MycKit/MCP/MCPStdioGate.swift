import Logging
import MCP

import struct Foundation.Data

/// The transport under `MCPFace`: wraps the SDK's `StdioTransport` (or any transport) and
/// fixes three things the SDK leaves to us.
///
/// 1. **The initialize race** (STACK.md). Our `initialize` handler can only be registered
///    after `Server.start`, which already runs the receive loop; an `initialize` waiting on
///    stdin could reach the SDK's own handler first (and be refused, because Claude Code's
///    `capabilities.experimental` holds objects). `receive()` hands out a stream that
///    forwards nothing until `open()`; the inner transport buffers meanwhile, so nothing
///    is lost.
/// 2. **Interleaved writes.** `StdioTransport.send` sleeps on `EAGAIN` in the middle of a
///    message, and actor reentrancy lets another send write into the gap. Sends here
///    go one at a time, in arrival order.
/// 3. **Data-URL rewriting.** `tools/call` arguments and `permission_request` params are
///    shielded (`DataURLShield`) before the SDK decodes them, so text that starts with
///    `data:` survives verbatim.
///
/// It also writes our own JSON-RPC notifications (`sendJSON`), serialized with
/// `JSONSerializer` so `meta` keeps its §6.3 key order (the SDK sorts keys).
actor MCPStdioGate: Transport {
    nonisolated let logger: Logger
    private let inner: any Transport

    private var isOpen = false
    private var openWaiters: [CheckedContinuation<Void, Never>] = []

    private var isSending = false
    private var sendWaiters: [CheckedContinuation<Void, Never>] = []

    init(wrapping inner: any Transport, logger: Logger) {
        self.inner = inner
        self.logger = logger
    }

    func connect() async throws { try await inner.connect() }

    func disconnect() async { await inner.disconnect() }

    /// Lets inbound messages through (call once every handler is registered).
    func open() {
        guard !isOpen else { return }
        isOpen = true
        let waiters = openWaiters
        openWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    private func waitUntilOpen() async {
        if isOpen { return }
        await withCheckedContinuation { openWaiters.append($0) }
    }

    func receive() -> AsyncThrowingStream<Data, Swift.Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: Data.self)
        let task = Task {
            await self.waitUntilOpen()
            let upstream = await self.inner.receive()
            do {
                for try await message in upstream {
                    continuation.yield(Self.shieldingInbound(message))
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    func send(_ data: Data) async throws {
        if isSending {
            await withCheckedContinuation { sendWaiters.append($0) }
        } else {
            isSending = true
        }
        defer {
            // Hand the turn to the next writer directly, so no newcomer can overtake it.
            if sendWaiters.isEmpty { isSending = false } else { sendWaiters.removeFirst().resume() }
        }
        try await inner.send(data)
    }

    /// Sends one JSON-RPC message built by us (key order kept).
    func sendJSON(_ message: JSONObject) async throws {
        try await send(Data(JSONSerializer.bytes(of: .object(message))))
    }

    /// Inbound messages with the strings the SDK would rewrite shielded: `tools/call`
    /// arguments and the host's `permission_request` params. Anything else (and any
    /// message with nothing to shield) is passed on byte for byte.
    static func shieldingInbound(_ message: Data) -> Data {
        guard var envelope = try? JSONParser.parseObject(message),
              let method = envelope["method"]?.stringValue,
              var params = envelope["params"]?.objectValue
        else { return message }
        switch method {
        case "tools/call":
            guard let arguments = params["arguments"], case .object = arguments,
                  DataURLShield.containsShieldable(arguments) else { return message }
            params["arguments"] = DataURLShield.shield(arguments)
        case MCPChannelNotification.permissionRequestMethod:
            guard DataURLShield.containsShieldable(.object(params)),
                  let shielded = DataURLShield.shield(.object(params)).objectValue else { return message }
            params = shielded
        default:
            return message
        }
        envelope["params"] = .object(params)
        return Data(JSONSerializer.bytes(of: .object(envelope)))
    }
}
