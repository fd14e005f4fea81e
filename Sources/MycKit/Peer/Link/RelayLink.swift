import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// The peer's WebSocket connection to a relay (`ws://` or `wss://`), on SwiftNIO so that
/// pings and pongs are visible: the engine's inactivity watchdog counts them, and an idle
/// peer never cycles its connection (PROTOCOL.md §8.14).
public final class RelayLink: Sendable, Equatable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private let channel: any Channel

    init(channel: any Channel) {
        self.channel = channel
    }

    public static func == (a: RelayLink, b: RelayLink) -> Bool { a === b }

    /// Connects and upgrades; `report` receives `.opened(link)` first (once the upgrade is
    /// complete), then every event (on an
    /// event-loop thread), ending with exactly one `.closed`. Throws when no WebSocket could be
    /// established (then nothing is reported).
    @discardableResult
    public static func connect(
        to url: RelayURL, trustRootsPEM: String? = nil, maxMessageBytes: Int = 1 << 20,
        timeout: TimeAmount = .seconds(10), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        report: @escaping @Sendable (RelayLinkEvent) -> Void
    ) async throws -> RelayLink {
        var tlsContext: NIOSSLContext? = nil
        if url.secure {
            var config = TLSConfiguration.makeClientConfiguration()
            if let trustRootsPEM {
                do { config.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(trustRootsPEM)) } catch {
                    throw Failure(description: "cannot read CA certificates from \(trustRootsPEM): \(error)")
                }
            }
            tlsContext = try NIOSSLContext(configuration: config)
        }
        let host = url.host
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        // SNI must be a hostname; for an IP literal the certificate is still
                        // verified against the address, just without SNI.
                        let handler = try NIOSSLClientHandler(context: tlsContext, serverHostname: url.hostIsIPAddress ? nil : host)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: host, port: url.port).get()
        } catch {
            throw Failure(description: "\(url): cannot connect: \(error)")
        }
        let upgraded = channel.eventLoop.makePromise(of: Void.self)
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: url.port == (url.secure ? 443 : 80) ? host : "\(host):\(url.port)")
        headers.add(name: "Content-Length", value: "0")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: url.path, headers: headers)
        let upgrader = NIOTypedWebSocketClientUpgrader<Bool>(
            maxFrameSize: maxMessageBytes,
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOWebSocketFrameAggregator(
                        minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 1024, maxAccumulatedFrameSize: maxMessageBytes))
                    try channel.pipeline.syncOperations.addHandler(RelayLinkHandler(report: report))
                    return true
                }
            })
        let negotiation: EventLoopFuture<Bool> = try await channel.eventLoop.submit {
            var configuration = NIOUpgradableHTTPClientPipelineConfiguration<Bool>(upgradeConfiguration: .init(
                upgradeRequestHead: head, upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in channel.eventLoop.makeSucceededFuture(false) }))
            // The relay sends its challenge the instant the upgrade completes, often in the same
            // TCP read as the 101 response; NIO's default would drop those bytes.
            configuration.leftOverBytesStrategy = .forwardBytes
            return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: configuration)
        }.get()
        let scheduled = channel.eventLoop.scheduleTask(in: timeout) { upgraded.fail(Failure(description: "\(url): no WebSocket upgrade within \(timeout)")) }
        negotiation.whenComplete { result in
            scheduled.cancel()
            switch result {
            case .success(true): upgraded.succeed()
            case .success(false): upgraded.fail(Failure(description: "\(url): the server refused the WebSocket upgrade (is it a Mycelium relay?)"))
            case let .failure(error): upgraded.fail(Failure(description: "\(url): upgrade failed: \(error)"))
            }
        }
        do {
            try await upgraded.futureResult.get()
        } catch {
            try? await channel.close()
            throw error
        }
        let link = RelayLink(channel: channel)
        // Only now, with the HTTP handlers gone, may the runtime start writing frames.
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: RelayLinkHandler.self).activate(link)
        }.get()
        return link
    }

    public func send(_ bytes: [UInt8]) {
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: channel.allocator.buffer(bytes: bytes))
        channel.writeAndFlush(frame, promise: nil)
    }

    /// Sends a close frame with `code`, then closes the socket.
    public func close(code: UInt16, reason: String) {
        let channel = self.channel
        var data = channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        data.writeInteger(code)
        data.writeBytes(reason.utf8.prefix(123))
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)
        channel.writeAndFlush(frame).whenComplete { _ in
            // Give the relay a moment to echo; then hang up regardless.
            channel.eventLoop.scheduleTask(in: .milliseconds(200)) { channel.close(promise: nil) }
        }
    }

    public var isActive: Bool { channel.isActive }
}
