/// Everything `myc relay` needs to start, resolved in one place: flag, then the reference's
/// `RELAY_*` variable, then the default (PROTOCOL.md §4.12, plus `RELAY_HOST`, `RELAY_DB`
/// and the TLS files).
public struct RelaySettings: Sendable {
    public var host = "0.0.0.0"
    public var port = 9900
    public var databasePath = Paths.inHome(".mycelium-relay.db")
    public var keyFile = KeyFile.Layout.relay.defaultPath
    public var keyPassphrase: String?
    /// The invite token, or where to read (or first create) it.
    public var token: InviteTokenSource = .file(Paths.inHome(".mycelium-relay-token"))
    public var adminToken: String?
    public var healthToken: String?
    public var limits = RelayLimits()
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// The reference's files, imported once on first start when present.
    public var allowFile = Paths.inHome(".mycelium-relay-allow.json")
    public var queueFile: String?
    /// Event-loop threads for the sockets. One by default: routing is serialized by the
    /// core's lock anyway, so more loops parallelize only socket and TLS work, while every
    /// delivery between two loops costs a hand-off. On 2 cores one loop routed more frames
    /// per second at less CPU per frame, per delivery and per handshake than two
    /// (docs/performance.md); more may pay off for TLS-heavy relays on many cores.
    public var eventLoops = 1

    public enum InviteTokenSource: Sendable, Equatable {
        case value(String)
        case file(String)
    }

    /// Command-line values; nil means "not given".
    public struct Flags: Sendable {
        public var host: String?
        public var port: Int?
        public var db: String?
        public var keyFile: String?
        public var passphraseFile: String?
        public var tokenFile: String?
        public var adminTokenFile: String?
        public var healthTokenFile: String?
        public var tlsCert: String?
        public var tlsKey: String?
        public var eventLoops: Int?
        public init() {}
    }

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public init() {}

    public static func resolve(_ flags: Flags, _ config: Configuration) throws -> RelaySettings {
        var s = RelaySettings()
        s.host = config.string(flags.host, "RELAY_HOST", default: s.host)
        s.port = try flags.port ?? config.integer("RELAY_PORT", default: s.port, in: 0...65535)
        s.databasePath = config.path(flags.db, "RELAY_DB", default: s.databasePath)
        s.keyFile = config.path(flags.keyFile, "RELAY_KEY_FILE", default: s.keyFile)
        if let file = flags.passphraseFile {
            s.keyPassphrase = try PassphraseSource.fromFile(file)
        } else {
            s.keyPassphrase = config.string(nil, "RELAY_KEY_PASSPHRASE")
        }
        if let file = flags.tokenFile {
            s.token = .file(Paths.expand(file))
        } else if let token = config.string(nil, "RELAY_TOKEN") {
            s.token = .value(token)
        }
        s.adminToken = try flags.adminTokenFile.map { try PassphraseSource.fromFile($0) } ?? config.string(nil, "RELAY_ADMIN_TOKEN")
        s.healthToken = try flags.healthTokenFile.map { try PassphraseSource.fromFile($0) } ?? config.string(nil, "RELAY_HEALTH_TOKEN")
        s.tlsCertificate = config.string(flags.tlsCert, "RELAY_TLS_CERT").map(Paths.expand)
        s.tlsKey = config.string(flags.tlsKey, "RELAY_TLS_KEY").map(Paths.expand)
        if (s.tlsCertificate == nil) != (s.tlsKey == nil) {
            throw Invalid(description: "--tls-cert and --tls-key go together (RELAY_TLS_CERT / RELAY_TLS_KEY): give both or neither")
        }
        s.eventLoops = try flags.eventLoops ?? config.integer("RELAY_EVENT_LOOPS", default: s.eventLoops, in: Self.eventLoopRange)
        s.allowFile = config.path(nil, "RELAY_ALLOW_FILE", default: s.allowFile)
        s.queueFile = config.string(nil, "RELAY_QUEUE_FILE").map(Paths.expand)

        var l = RelayLimits()
        l.maxPeersPerRoom = try config.integer("RELAY_MAX_PEERS", default: l.maxPeersPerRoom, in: 1...100_000)
        l.maxMessageBytes = try config.integer("RELAY_MAX_MSG_BYTES", default: l.maxMessageBytes, in: 1024...(16 << 20))
        l.pingIntervalMs = Int64(try config.integer("RELAY_PING_INTERVAL", default: Int(l.pingIntervalMs / 1000), in: 1...86_400)) * 1000
        l.rateLimitPerMinute = try config.integer("RELAY_RATE_LIMIT", default: l.rateLimitPerMinute, in: 1...10_000_000)
        l.queueMaxMessages = try config.integer("RELAY_QUEUE_MAX_MSGS", default: l.queueMaxMessages, in: 0...1_000_000)
        l.queueMaxBytes = try config.integer("RELAY_QUEUE_MAX_BYTES", default: l.queueMaxBytes, in: 0...(1 << 34))
        l.queueTTLSeconds = Int64(try config.integer("RELAY_QUEUE_TTL_S", default: Int(l.queueTTLSeconds), in: 1...(365 * 86_400)))
        l.maxConnectionsPerIP = try config.integer("RELAY_MAX_IP_CONNS", default: l.maxConnectionsPerIP, in: 1...1_000_000)
        l.authTimeoutMs = Int64(try config.integer("RELAY_AUTH_TIMEOUT_MS", default: Int(l.authTimeoutMs), in: 100...600_000))
        l.requireTLS = config.environment["RELAY_REQUIRE_TLS"] == "true"
        l.trustedProxy = config.environment["RELAY_TRUSTED_PROXY"] == "true"
        // Our default is on (§8.3); only an explicit "false" turns it off for legacy clients.
        l.requireChallenge = config.environment["RELAY_REQUIRE_CHALLENGE"] != "false"
        l.discovery = config.environment["RELAY_DISCOVERY"] != "false"
        l.defaultRoom = config.string(nil, "RELAY_ROOM", default: l.defaultRoom)
        s.limits = l
        return s
    }

    /// What `--event-loops` / RELAY_EVENT_LOOPS accept.
    public static let eventLoopRange = 1...256

    public var httpPolicy: RelayHTTPPolicy {
        RelayHTTPPolicy(adminToken: adminToken, healthToken: healthToken, requireTLS: limits.requireTLS,
                        trustedProxy: limits.trustedProxy, maxConnectionsPerIP: limits.maxConnectionsPerIP)
    }
}

extension Configuration {
    /// An integer variable, range-checked, with a message naming the variable when it is wrong.
    func integer(_ variable: String, default fallback: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = string(nil, variable) else { return fallback }
        guard let value = Int(text.trimmingWhitespace()), range.contains(value) else {
            throw RelaySettings.Invalid(description: "\(variable)=\(text.debugDescription) is not a whole number in \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }
}
