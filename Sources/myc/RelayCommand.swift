import ArgumentParser
import Logging
import MycKit
import UnixSignals

struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Run the WebSocket relay: routes ciphertext it cannot read, queues mail for offline peers.",
        discussion: """
            One port serves the WebSocket endpoint (any path) and HTTP: GET /health, GET /metrics \
            (Prometheus), GET /admin/allowlist, POST /admin/revoke. Admin and health need a bearer \
            token when RELAY_ADMIN_TOKEN / RELAY_HEALTH_TOKEN is set, else loopback only.

            State (bindings, revocations, the offline queue) lives in SQLite and survives kill -9. \
            On first start, the TypeScript relay's RELAY_ALLOW_FILE and RELAY_QUEUE_FILE are imported \
            when present. Logs are JSON lines on stdout.

            Environment (flags win): RELAY_HOST (0.0.0.0), RELAY_PORT (9900), RELAY_DB \
            (~/.mycelium-relay.db), RELAY_KEY_FILE (~/.mycelium-relay-keys.json), RELAY_KEY_PASSPHRASE, \
            RELAY_TOKEN (else --token-file, else generated once into ~/.mycelium-relay-token), \
            RELAY_ADMIN_TOKEN, RELAY_HEALTH_TOKEN, RELAY_TLS_CERT, RELAY_TLS_KEY, RELAY_MAX_PEERS (50), \
            RELAY_MAX_MSG_BYTES (65536), RELAY_PING_INTERVAL (30 s), RELAY_RATE_LIMIT (300/min), \
            RELAY_QUEUE_MAX_MSGS (50), RELAY_QUEUE_MAX_BYTES (524288), RELAY_QUEUE_TTL_S (3600), \
            RELAY_MAX_IP_CONNS (10), RELAY_AUTH_TIMEOUT_MS (5000), RELAY_REQUIRE_TLS (off), \
            RELAY_TRUSTED_PROXY (off), RELAY_EVENT_LOOPS (1), RELAY_REQUIRE_CHALLENGE (on; "false" admits legacy token-only \
            clients), RELAY_DISCOVERY (on), RELAY_ROOM (default), RELAY_ALLOW_FILE, RELAY_QUEUE_FILE.

            SIGTERM/SIGINT: every peer gets relay_shutdown and close 1001; exits within 5 s.
            """
    )

    @Option(help: ArgumentHelp("Bind address (env RELAY_HOST, default 0.0.0.0).", valueName: "address"))
    var host: String?

    @Option(help: ArgumentHelp("Listen port; 0 picks a free one (env RELAY_PORT, default 9900).", valueName: "port"))
    var port: Int?

    @Option(help: ArgumentHelp("SQLite state database (env RELAY_DB, default ~/.mycelium-relay.db).", valueName: "path"))
    var db: String?

    @Option(help: ArgumentHelp("Relay identity key file (env RELAY_KEY_FILE, default ~/.mycelium-relay-keys.json).", valueName: "path"))
    var keyFile: String?

    @Option(help: ArgumentHelp("Key-file passphrase from this file's first line (else env RELAY_KEY_PASSPHRASE).", valueName: "path"))
    var passphraseFile: String?

    @Option(help: ArgumentHelp("Invite token from this file; created with a random token if missing (else env RELAY_TOKEN).", valueName: "path"))
    var tokenFile: String?

    @Option(help: ArgumentHelp("Admin bearer token from this file (else env RELAY_ADMIN_TOKEN; unset = loopback only).", valueName: "path"))
    var adminTokenFile: String?

    @Option(help: ArgumentHelp("Health/metrics bearer token from this file (else env RELAY_HEALTH_TOKEN; unset = admin rule).", valueName: "path"))
    var healthTokenFile: String?

    @Option(help: ArgumentHelp("TLS certificate chain (PEM): serve wss:// and https:// directly (env RELAY_TLS_CERT).", valueName: "path"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("TLS private key (PEM) for --tls-cert (env RELAY_TLS_KEY).", valueName: "path"))
    var tlsKey: String?

    @Option(help: ArgumentHelp("Event-loop threads for the sockets (env RELAY_EVENT_LOOPS, default 1). Routing is "
                               + "serialized anyway, so 1 spends the least CPU per frame; more can help TLS on many cores.",
                               valueName: "n"))
    var eventLoops: Int?

    @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: String = "info"

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be 0…65535") }
        if let eventLoops, !RelaySettings.eventLoopRange.contains(eventLoops) {
            throw ValidationError("--event-loops must be \(RelaySettings.eventLoopRange.lowerBound)…\(RelaySettings.eventLoopRange.upperBound)")
        }
        if Logger.Level(rawValue: logLevel) == nil { throw ValidationError("--log-level: unknown level \(logLevel.debugDescription)") }
    }

    func run() async throws {
        var flags = RelaySettings.Flags()
        flags.host = host
        flags.port = port
        flags.db = db
        flags.keyFile = keyFile
        flags.passphraseFile = passphraseFile
        flags.tokenFile = tokenFile
        flags.adminTokenFile = adminTokenFile
        flags.healthTokenFile = healthTokenFile
        flags.tlsCert = tlsCert
        flags.tlsKey = tlsKey
        flags.eventLoops = eventLoops
        let settings = try RelaySettings.resolve(flags, .process)
        let level = Logger.Level(rawValue: logLevel) ?? .info
        var logger = Logger(label: "myc.relay") { label in
            var handler = JSONLineLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        logger.logLevel = level
        // Trapped before the relay starts: a SIGTERM that arrives while it binds (a service
        // manager stopping it at once) is then a clean shutdown, not the default death.
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let service = try await RelayService.start(settings, logger: logger, notice: { printError($0) })
        for await signal in signals {
            logger.notice("shutting down", metadata: ["signal": "\(signal)"])
            break
        }
        await service.shutdown()
        logger.notice("relay stopped")
    }
}
