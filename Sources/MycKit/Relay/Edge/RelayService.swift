import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// A running relay: identity, store, core, server and timers, put together from
/// `RelaySettings`. `start` fails with a clear error before listening if anything it needs
/// is missing or unreadable; state never silently starts empty.
public final class RelayService: Sendable {
    public let port: Int
    public let fingerprint: Fingerprint
    public let runtime: RelayRuntime
    private let server: WebSocketServer
    private let timers: [RepeatedTask]
    private let store: SQLiteRelayStore
    /// The event loops serving the sockets (`--event-loops`).
    private let loops: MultiThreadedEventLoopGroup

    public struct StartupError: Error, CustomStringConvertible {
        public let description: String
    }

    /// - Parameter notice: where one-time messages for the operator go (the generated invite
    ///   token). Not the log: a secret never enters the log stream.
    /// - Parameter wireTap: sees every text frame the relay receives and sends (`myc demo`).
    /// - Parameter onStoreFailure: runs once if a write to the relay database fails (disk
    ///   full, read-only file system); the default prints the reason on stderr and exits
    ///   with 74 (EX_IOERR), fail-stop, for the service manager to restart the relay.
    public static func start(
        _ settings: RelaySettings, logger: Logger, notice: @Sendable (String) -> Void,
        wireTap: RelayWireTap? = nil,
        onStoreFailure: @escaping @Sendable (String) -> Void = StoreFailureExit.exitProcess
    ) async throws -> RelayService {
        let identity = try loadIdentity(settings)
        let token = try inviteToken(settings, notice: notice)
        let store = try SQLiteRelayStore(path: settings.databasePath)
        let now = RelayRuntime.wallClockMs()
        for report in try ReferenceImport.run(allowFile: settings.allowFile, queueFile: settings.queueFile, into: store, nowMs: now)
        where report.status == .imported {
            logger.notice("imported reference state", metadata: [
                "path": "\(report.path)", "bindings": "\(report.bindings)", "legacy": "\(report.legacy)",
                "revoked": "\(report.revoked)", "frames": "\(report.frames)",
            ])
        }
        let core = RelayCore(identity: identity.keyPair, limits: settings.limits, token: token,
                             allowList: try store.loadAllowList(), queue: try store.loadQueue(nowMs: now), nowMs: now,
                             firstQueueFrameID: (try store.largestQueuedFrameId() ?? 0) + 1)
        let runtime = RelayRuntime(core: core, store: store, policy: settings.httpPolicy, logger: logger,
                                   wireTap: wireTap, onStoreFailure: onStoreFailure)
        var tls: NIOSSLContext? = nil
        if let cert = settings.tlsCertificate, let key = settings.tlsKey {
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(cert).map { NIOSSLCertificateSource.certificate($0) }
                let privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
                tls = try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(privateKey)))
            } catch {
                throw StartupError(description: "cannot load TLS certificate \(cert) / key \(key): \(error)")
            }
        }
        // A group of the service's own (not the process-wide one), sized by the settings,
        // stopped on shutdown.
        let loops = MultiThreadedEventLoopGroup(numberOfThreads: settings.eventLoops)
        let server: WebSocketServer
        do {
            server = try await WebSocketServer.start(
                configuration: .init(host: settings.host, port: settings.port, maxMessageBytes: settings.limits.maxMessageBytes,
                                     backpressureLimit: settings.limits.backpressureLimitBytes, tls: tls),
                delegate: runtime, group: loops)
        } catch {
            try? await loops.shutdownGracefully()
            throw StartupError(description: "cannot listen on \(settings.host):\(settings.port): \(error)")
        }
        let timers = runtime.startTimers(on: loops.next())
        logger.notice("relay listening", metadata: [
            "relay.fp": "\(identity.fingerprint)", "host": "\(settings.host)", "port": "\(server.localPort)",
            "tls": "\(tls != nil)", "db": "\(settings.databasePath)", "proto": "\(WireProtocol.version)",
            "require_challenge": "\(settings.limits.requireChallenge)",
            "event_loops": "\(settings.eventLoops)",
        ])
        return RelayService(port: server.localPort, fingerprint: identity.fingerprint, runtime: runtime,
                            server: server, timers: timers, store: store, loops: loops)
    }

    private init(port: Int, fingerprint: Fingerprint, runtime: RelayRuntime, server: WebSocketServer,
                 timers: [RepeatedTask], store: SQLiteRelayStore, loops: MultiThreadedEventLoopGroup) {
        self.loops = loops
        self.port = port
        self.fingerprint = fingerprint
        self.runtime = runtime
        self.server = server
        self.timers = timers
        self.store = store
    }

    /// Graceful shutdown (§4.10): tell every peer, close them with 1001, wait up to 5 s,
    /// stop listening, finish the store's writes.
    public func shutdown() async {
        await runtime.shutdown()
        for timer in timers { timer.cancel() }
        await server.stopAccepting()
        try? await loops.shutdownGracefully()
        try? store.close()
    }

    /// The relay's identity file: loaded, or created on first start. A file that exists but
    /// cannot be opened is an error, never a reason to make a new identity.
    static func loadIdentity(_ settings: RelaySettings) throws -> Identity {
        let file = KeyFile(path: settings.keyFile, layout: .relay)
        if file.exists { return try file.load(passphrase: settings.keyPassphrase) }
        return try file.create(passphrase: settings.keyPassphrase, overwrite: false)
    }

    /// The invite token: given, or read from its file, or generated into that file once and
    /// shown to the operator that one time.
    static func inviteToken(_ settings: RelaySettings, notice: @Sendable (String) -> Void) throws -> String {
        switch settings.token {
        case let .value(token):
            return token
        case let .file(path):
            if AtomicFile.exists(path) { return try PassphraseSource.fromFile(path) }
            let token = Base64.encode(RandomBytes.generate(24))
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            do {
                try AtomicFile.write(token + "\n", to: path, mode: 0o600)
            } catch {
                throw StartupError(description: "cannot save the generated invite token: \(error)")
            }
            notice("Generated an invite token for new peers (saved in \(path), mode 0600):\n  \(token)\nPeers register with MYC_TOKEN=<this token>; it is shown only this once.")
            return token
        }
    }
}
