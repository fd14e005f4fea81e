/// Everything a peer (`myc mcp`, `myc chat`) needs to start, resolved in one place: flag,
/// then the reference's `MYC_*` variable, then the default (PROTOCOL.md §5.1). An existing
/// Claude Code config keeps working when its command becomes `myc mcp`.
public struct PeerSettings: Sendable {
    public var name: String
    public var rooms: [String]
    public var relays: [RelayURL]
    /// Optional once this identity is bound in its rooms (§8.21 fix).
    public var token: String?
    public var keyFile: String
    public var keyPassphrase: String?
    public var stateDB: String
    public var relayPins: Set<String>
    public var offlineMaxAgeMs: Int64
    public var maxLogicalBytes: Int
    public var approvers: [String]
    public var trustRootsPEM: String?
    /// The reference's files, imported once on first start when present.
    public var pinsFile: String
    public var replayFile: String

    /// Command-line values; nil means "not given".
    public struct Flags: Sendable {
        public var name: String?
        public var rooms: String?
        public var relay: String?
        public var tokenFile: String?
        public var keyFile: String?
        public var passphraseFile: String?
        public var stateDB: String?
        public var relayFingerprint: String?
        public var approvers: String?
        public var tlsCA: String?

        public init(name: String? = nil, rooms: String? = nil, relay: String? = nil, tokenFile: String? = nil,
                    keyFile: String? = nil, passphraseFile: String? = nil, stateDB: String? = nil,
                    relayFingerprint: String? = nil, approvers: String? = nil, tlsCA: String? = nil) {
            self.name = name
            self.rooms = rooms
            self.relay = relay
            self.tokenFile = tokenFile
            self.keyFile = keyFile
            self.passphraseFile = passphraseFile
            self.stateDB = stateDB
            self.relayFingerprint = relayFingerprint
            self.approvers = approvers
            self.tlsCA = tlsCA
        }
    }

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public static func resolve(_ flags: Flags, _ config: Configuration, passphrasePrompt: (() throws -> String?)? = nil) throws -> PeerSettings {
        guard let name = config.string(flags.name, "MYC_PEER"), !name.isEmpty else {
            throw Invalid(description: "no peer name: set MYC_PEER or pass --name")
        }
        guard name.jsLength <= 64, !name.unicodeScalars.contains("\u{0}") else {
            throw Invalid(description: "peer name must be 1–64 characters without NUL: \(name.debugDescription)")
        }
        if name.hasPrefix("_") {
            throw Invalid(description: "peer names starting with _ are reserved (\(name.debugDescription)); our relay refuses them")
        }
        let rooms = AuthFrame.normalizeRooms(config.string(flags.rooms, "MYC_ROOM", default: "default"))
        guard !rooms.isEmpty else { throw Invalid(description: "MYC_ROOM/--room lists no room") }
        guard let relayText = config.string(flags.relay, "MYC_RELAY") else {
            throw Invalid(description: "no relay: set MYC_RELAY or pass --relay (e.g. ws://127.0.0.1:9900)")
        }
        let relays: [RelayURL]
        do { relays = try RelayURL.list(relayText) } catch { throw Invalid(description: "MYC_RELAY: \(error)") }
        var token: String? = nil
        if let file = flags.tokenFile { token = try PassphraseSource.fromFile(file) } else { token = config.string(nil, "MYC_TOKEN") }
        let keyFile = config.path(flags.keyFile, "MYC_KEY_FILE", default: KeyFile.Layout.peer.defaultPath)
        var passphrase: String? = nil
        if let file = flags.passphraseFile { passphrase = try PassphraseSource.fromFile(file) } else { passphrase = config.string(nil, "MYC_KEY_PASSPHRASE") }
        if passphrase == nil, let passphrasePrompt { passphrase = try passphrasePrompt() }
        let maxAgeSeconds = try config.integer("MYC_OFFLINE_MAX_AGE_S", default: 3600, in: 1...(30 * 86_400))
        let maxBytes = try config.integer("MYC_MAX_MSG_BYTES", default: 1_048_576, in: 1...(64 << 20))
        let approvers = config.string(flags.approvers, "MYC_APPROVERS").map {
            $0.split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        } ?? []
        return PeerSettings(
            name: name, rooms: rooms, relays: relays, token: token, keyFile: keyFile, keyPassphrase: passphrase,
            stateDB: SQLitePeerStore.resolvePath(stateDB: flags.stateDB, keyFile: keyFile, config),
            relayPins: Fingerprint.pinSet(config.string(flags.relayFingerprint, "MYC_RELAY_FINGERPRINT") ?? ""),
            offlineMaxAgeMs: Int64(maxAgeSeconds) * 1000, maxLogicalBytes: maxBytes, approvers: approvers,
            trustRootsPEM: config.string(flags.tlsCA, "MYC_TLS_CA").map(Paths.expand),
            pinsFile: PeerReferenceImport.pinsFilePath(config), replayFile: PeerReferenceImport.replayFilePath(config))
    }
}
