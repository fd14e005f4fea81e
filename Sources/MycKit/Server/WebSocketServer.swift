import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import Synchronization

/// The listening socket: HTTP/1.1 and WebSocket on one port, optionally behind TLS.
/// Built on SwiftNIO's channel handlers rather than an async framework so that every frame
/// reaches the relay core without a task hop, and so pongs are visible (the relay's
/// liveness rules need them; higher-level WebSocket libraries swallow them).
public final class WebSocketServer: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// Largest WebSocket message accepted (after reassembly); larger ones close with 1009.
        public var maxMessageBytes: Int
        /// Outbound bytes buffered for one socket before sends report backpressure.
        public var backpressureLimit: Int
        public var tls: NIOSSLContext?

        public init(host: String, port: Int, maxMessageBytes: Int = 65536, backpressureLimit: Int = 512 * 1024, tls: NIOSSLContext? = nil) {
            self.host = host
            self.port = port
            self.maxMessageBytes = maxMessageBytes
            self.backpressureLimit = backpressureLimit
            self.tls = tls
        }
    }

    private let serverChannel: any Channel
    public let localPort: Int

    /// Binds and starts accepting. Throws a clear error if the address is taken.
    public static func start(
        configuration: Configuration, delegate: any WebSocketServerDelegate,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> WebSocketServer {
        let ids = Atomic<UInt64>(0)
        let idSource = ConnectionIDSource(ids)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.writeBufferWaterMark,
                                value: .init(low: configuration.backpressureLimit / 2, high: configuration.backpressureLimit))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls = configuration.tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    let httpHandler = HTTPRequestHandler(delegate: delegate)
                    let upgrader = NIOWebSocketServerUpgrader(
                        maxFrameSize: configuration.maxMessageBytes,
                        automaticErrorHandling: true,
                        shouldUpgrade: { channel, head in
                            let request = Self.request(head, channel: channel)
                            return channel.eventLoop.makeSucceededFuture(
                                delegate.admitUpgrade(request) == nil ? HTTPHeaders() : nil)
                        },
                        upgradePipelineHandler: { channel, head in
                            channel.eventLoop.makeCompletedFuture {
                                let request = Self.request(head, channel: channel)
                                let id = idSource.value.wrappingAdd(1, ordering: .relaxed).newValue
                                let connection = WebSocketConnection(id: id, channel: channel, remoteIP: request.remoteIP)
                                try channel.pipeline.syncOperations.addHandler(NIOWebSocketFrameAggregator(
                                    minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 1024,
                                    maxAccumulatedFrameSize: configuration.maxMessageBytes))
                                try channel.pipeline.syncOperations.addHandler(
                                    WebSocketFrameHandler(connection: connection, delegate: delegate, request: request))
                            }
                        })
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (upgraders: [upgrader], completionHandler: { context in
                            context.pipeline.syncOperations.removeHandler(httpHandler, promise: nil)
                        }))
                    try channel.pipeline.syncOperations.addHandler(httpHandler)
                }
            }
        let channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        return WebSocketServer(serverChannel: channel, localPort: channel.localAddress?.port ?? configuration.port)
    }

    private init(serverChannel: any Channel, localPort: Int) {
        self.serverChannel = serverChannel
        self.localPort = localPort
    }

    /// Stops accepting; open connections are the application's to close.
    public func stopAccepting() async {
        try? await serverChannel.close()
    }

    /// Completes when the listening socket closes.
    public func waitUntilClosed() async {
        try? await serverChannel.closeFuture.get()
    }

    static func request(_ head: HTTPRequestHead, channel: any Channel) -> HTTPRequest {
        HTTPRequest(method: head.method, path: head.uri, headers: head.headers,
                    remoteIP: channel.remoteAddress?.ipAddress, isUpgrade: true)
    }
}

/// Hands out connection ids; `Atomic` is not copyable, so the initializer closure shares this box.
private final class ConnectionIDSource: Sendable {
    let value: Atomic<UInt64>
    init(_ value: consuming Atomic<UInt64>) { self.value = value }
}
