import Logging
import MCP
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `myc mcp`: the MCP server over stdio that Claude Code starts, a thin renderer over a
/// `PeerService` (§6). Tools go to `MCPToolDispatcher`; every `PeerNotification` from
/// `service.events` goes to the host as `notifications/claude/channel` (or, for a
/// verdict, only as `notifications/claude/channel/permission`); the host's
/// `permission_request` goes to `service.requestPermission`.
///
/// stdout carries the protocol and nothing else; logs go to the given logger (stderr by
/// default).
///
/// ```swift
/// let face = MCPFace(service: runtime, logger: logger)
/// try await face.run()   // until stdin closes, the task is cancelled, or graceful shutdown
/// ```
public struct MCPFace: Service {
    public let service: any PeerService
    let logger: Logger
    /// How long after answering `initialize` channel notifications start even if the host
    /// never sends `notifications/initialized`.
    let readyFallback: Duration

    public init(service: any PeerService, logger: Logger = MCPFace.stderrLogger(), readyFallback: Duration = .seconds(2)) {
        self.service = service
        self.logger = logger
        self.readyFallback = readyFallback
    }

    /// A logger writing to stderr at `level` (stdout belongs to the protocol).
    public static func stderrLogger(level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: "myc.mcp") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = level
        return logger
    }

    /// Serves MCP on stdin/stdout. Returns when stdin reaches end of file (the host went
    /// away), when the task is cancelled, or on graceful shutdown inside a `ServiceGroup`.
    public func run() async throws {
        // A host that exits closes our stdout; a write must then fail (and be logged) rather
        // than kill the process with SIGPIPE before the runtime has saved its state.
        signal(SIGPIPE, SIG_IGN)
        try await serve(over: StdioTransport(logger: logger))
    }

    /// Serves over any transport (tests use in-memory pairs).
    func serve(over transport: any Transport) async throws {
        let gate = MCPStdioGate(wrapping: transport, logger: logger)
        let profile = service.profile
        let server = Server(name: MCPHandshake.serverName(peer: profile.name), version: MCPHandshake.serverVersion,
                            instructions: MCPHandshake.instructions(profile: profile),
                            capabilities: .init(tools: .init()))
        let ready = ReadySignal()
        // The receive loop starts inside `start`, but the gate holds every inbound message
        // until our handlers replace the SDK's `initialize` (STACK.md).
        try await server.start(transport: gate)
        await register(on: server, ready: ready)
        await gate.open()
        logger.info("mcp face ready", metadata: ["mcp.server": "\(server.name)"])

        let pump = Task { await pumpEvents(to: gate, ready: ready) }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await server.waitUntilCompleted()
            } onGracefulShutdown: {
                Task { await server.stop() }
            }
        } onCancel: {
            Task { await server.stop() }
        }
        pump.cancel()
        await server.stop()
        logger.info("mcp face stopped")
    }

    private func register(on server: Server, ready: ReadySignal) async {
        let dispatcher = MCPToolDispatcher(service: service)
        let profile = service.profile
        let logger = self.logger
        let fallback = readyFallback

        await server.withMethodHandler(MycInitialize.self) { params in
            let client = params.objectValue?["clientInfo"]?.objectValue
            logger.info("mcp initialize", metadata: [
                "mcp.client": "\(client?["name"]?.stringValue ?? "?")",
                "mcp.protocol": "\(params.objectValue?["protocolVersion"]?.stringValue ?? "?")",
            ])
            let result = MCPHandshake.initializeResult(
                clientVersion: params.objectValue?["protocolVersion"]?.stringValue, profile: profile)
            Task {
                try? await Task.sleep(for: fallback)
                await ready.signal()
            }
            return MCPValueBridge.value(from: .object(result))
        }

        await server.onNotification(InitializedNotification.self) { _ in
            await ready.signal()
        }

        await server.withMethodHandler(ListTools.self) { _ in
            let tools = await dispatcher.tools().map { definition in
                Tool(name: definition.name, description: definition.description,
                     inputSchema: MCPValueBridge.value(from: .object(definition.inputSchema)))
            }
            return ListTools.Result(tools: tools)
        }

        await server.withMethodHandler(CallTool.self) { params in
            let arguments = MCPValueBridge.arguments(params.arguments)
            let result: MCPToolResult
            do {
                result = try await dispatcher.call(name: params.name, arguments: arguments)
            } catch {
                logger.notice("mcp unknown tool", metadata: ["mcp.tool": "\(params.name)"])
                throw MCPError.invalidParams(String(describing: error))
            }
            return CallTool.Result(content: [.text(text: Self.sdkSafe(result.text), annotations: nil, _meta: nil)],
                                   isError: result.isError ? true : nil)
        }

        let service = self.service
        await server.onNotification(MycPermissionRequestNotification.self) { message in
            let params = MCPValueBridge.json(from: message.params).objectValue ?? JSONObject()
            guard let request = MCPChannelNotification.permissionRequest(from: params) else {
                logger.warning("mcp permission_request without a request_id ignored")
                return
            }
            logger.debug("mcp permission_request", metadata: ["mcp.request_id": "\(request.requestID)"])
            // Off the receive loop: a busy runtime must not hold up tool calls.
            Task { await service.requestPermission(request) }
        }
    }

    /// Every notification from the service, in order, once the host is ready. A failed
    /// write is logged and the pump goes on.
    private func pumpEvents(to gate: MCPStdioGate, ready: ReadySignal) async {
        for await notification in service.events {
            await ready.wait()
            if Task.isCancelled { return }
            let outbound = MCPChannelNotification.outbound(for: notification)
            if !outbound.droppedKeys.isEmpty {
                logger.warning("mcp meta keys dropped (only letters, digits and _ are allowed)",
                               metadata: ["mcp.keys": "\(outbound.droppedKeys.joined(separator: ","))"])
            }
            do {
                try await gate.sendJSON(outbound.message)
            } catch {
                logger.error("mcp notification not sent", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The SDK re-decodes results as `Value`, which turns a string that parses as a data
    /// URL into binary and back into `data:…;base64,…`. No result of ours should start
    /// with `data:`, but a peer name could make one; a leading space keeps it text.
    static func sdkSafe(_ text: String) -> String {
        text.utf8.starts(with: "data:".utf8) ? " " + text : text
    }
}

/// Opens once; `wait()` returns immediately after that.
actor ReadySignal {
    private var isReady = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func signal() {
        guard !isReady else { return }
        isReady = true
        let pending = waiters
        waiters = []
        for waiter in pending { waiter.resume() }
    }

    func wait() async {
        if isReady { return }
        await withCheckedContinuation { waiters.append($0) }
    }
}
