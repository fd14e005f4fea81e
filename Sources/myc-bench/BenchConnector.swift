import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

/// Where the relay listens (loopback only).
struct RelayAddress: Sendable, CustomStringConvertible {
    let host: String
    let port: Int
    let path: String

    var description: String { "ws://\(host):\(port)\(path)" }

    /// `ws://127.0.0.1:PORT[/path]`. Only loopback hosts: this tool generates load.
    static func parse(_ url: String) throws -> RelayAddress {
        guard url.hasPrefix("ws://") else {
            throw BenchError("--url \(url): only ws:// is supported (the bench runs on loopback, without TLS)")
        }
        let rest = url.dropFirst("ws://".count)
        let hostPort = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(hostPort.count)
        guard let colon = hostPort.lastIndex(of: ":"), let port = Int(hostPort[hostPort.index(after: colon)...]),
              (1...65535).contains(port) else {
            throw BenchError("--url \(url): expected ws://127.0.0.1:PORT")
        }
        let host = String(hostPort[..<colon])
        guard ["127.0.0.1", "localhost", "[::1]"].contains(host) else {
            throw BenchError("--url \(url): the bench only talks to loopback relays (127.0.0.1)")
        }
        return RelayAddress(host: host == "localhost" ? "127.0.0.1" : host, port: port,
                            path: path.isEmpty ? "/" : String(path))
    }
}

/// A connected, authenticated client, usable from any task.
struct ConnectedClient: Sendable {
    let name: String
    let handle: NIOLoopBound<BenchClient>
    let channel: any Channel

    var eventLoop: any EventLoop { handle.eventLoop }

    /// Runs `body` on the client's event loop and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable (BenchClient) -> T) async throws -> T {
        let handle = self.handle
        return try await handle.eventLoop.submit { body(handle.value) }.get()
    }
}

/// Opens WebSocket connections with NIO (HTTP/1.1 upgrade, then `BenchClient`).
enum BenchConnector {
    private enum Outcome: Sendable {
        case upgraded(NIOLoopBound<BenchClient>, EventLoopFuture<Void>, any Channel)
        case refused
    }

    /// Connects and authenticates one client on `loop`.
    /// `source` binds the local end to that loopback address (127.0.0.x), so that many
    /// clients can stay under a relay's per-IP connection cap.
    static func connect(
        _ identity: ClientIdentity, to address: RelayAddress, on loop: any EventLoop, source: String? = nil
    ) async throws -> ConnectedClient {
        var bootstrap = ClientBootstrap(group: loop)
        if let source { bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: source, port: 0)) }
        let upgrade: EventLoopFuture<Outcome> = try await bootstrap
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(5))
            .connect(host: address.host, port: address.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrader = NIOTypedWebSocketClientUpgrader<Outcome>(
                        maxFrameSize: 1 << 20,
                        upgradePipelineHandler: { channel, _ in
                            channel.eventLoop.makeCompletedFuture {
                                let ready = channel.eventLoop.makePromise(of: Void.self)
                                let client = BenchClient(identity: identity, ready: ready)
                                try channel.pipeline.syncOperations.addHandler(client)
                                return .upgraded(NIOLoopBound(client, eventLoop: channel.eventLoop), ready.futureResult, channel)
                            }
                        })
                    var headers = HTTPHeaders()
                    headers.add(name: "Host", value: "\(address.host):\(address.port)")
                    let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: address.path, headers: headers)
                    let configuration = NIOTypedHTTPClientUpgradeConfiguration<Outcome>(
                        upgradeRequestHead: head, upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in
                            channel.eventLoop.makeCompletedFuture { .refused }
                        })
                    // The relay sends `challenge` right behind its 101 response, often in the
                    // same segment: those bytes must reach the WebSocket decoder, not be dropped.
                    var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: configuration)
                    pipeline.leftOverBytesStrategy = .forwardBytes
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
                        configuration: pipeline)
                }
            }
        switch try await upgrade.get() {
        case .refused:
            throw BenchError("""
                \(identity.name): the relay refused the WebSocket upgrade (HTTP 429 if RELAY_MAX_IP_CONNS \
                is below the client count, 503 if it is shutting down)
                """)
        case let .upgraded(handle, ready, channel):
            try await ready.get()
            return ConnectedClient(name: identity.name, handle: handle, channel: channel)
        }
    }

    /// Connects every identity, at most `parallel` handshakes at a time; client `i` runs
    /// on `loops[i % loops.count]`. Results keep the input order. On failure, the clients
    /// already connected are closed before the error is rethrown.
    /// With `sources` > 1, client `i` connects from 127.0.0.(1 + i % sources). `connected`
    /// is told each time a client is ready (progress for big runs).
    static func connectAll(
        _ identities: [ClientIdentity], to address: RelayAddress, loops: [any EventLoop], parallel: Int = 8,
        sources: Int = 1, connected: (@Sendable (Int) -> Void)? = nil
    ) async throws -> [ConnectedClient] {
        var results = [ConnectedClient?](repeating: nil, count: identities.count)
        do {
            try await withThrowingTaskGroup(of: (Int, ConnectedClient).self) { group in
                var next = 0
                func add() {
                    let i = next
                    next += 1
                    let identity = identities[i]
                    let loop = loops[i % loops.count]
                    let source = sources > 1 ? "127.0.0.\(1 + i % sources)" : nil
                    group.addTask { (i, try await connect(identity, to: address, on: loop, source: source)) }
                }
                while next < min(parallel, identities.count) { add() }
                var done = 0
                while let (i, client) = try await group.next() {
                    results[i] = client
                    done += 1
                    connected?(done)
                    if next < identities.count { add() }
                }
            }
        } catch {
            await closeAll(results.compactMap { $0 })
            throw error
        }
        return results.compactMap { $0 }
    }

    /// Sends close 1000 on every client and waits (≤ 3 s) for the sockets to go away.
    static func closeAll(_ clients: [ConnectedClient]) async {
        for client in clients {
            let handle = client.handle
            handle.eventLoop.execute { handle.value.close() }
        }
        let deadline = MonotonicClock.nowNs() + MonotonicClock.seconds(3)
        for client in clients {
            while client.channel.isActive && MonotonicClock.nowNs() < deadline {
                try? await Task.sleep(nanoseconds: 10_000_000)
            }
            if client.channel.isActive { client.channel.close(promise: nil) }
        }
    }
}
