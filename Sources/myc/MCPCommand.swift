import ArgumentParser
import Logging
import MycKit
import UnixSignals

struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "The MCP server (stdio) that Claude Code starts: holds the identity, does all the crypto.",
        discussion: """
            Speaks MCP (JSON-RPC over stdin/stdout) to the host and the Mycelium protocol to the relay. \
            stdout carries only the protocol; logs go to stderr. Tools: myc_send, myc_broadcast, myc_recv, \
            myc_peers, myc_rooms, myc_trust, myc_verify. Messages and events reach the host as \
            notifications/claude/channel; permission prompts travel as claude/channel/permission.

            Configuration is read from the environment, with the reference's names, so an existing \
            Claude Code config keeps working when its command becomes `myc mcp`:
              MYC_RELAY              relay URL list, comma-separated (required)
              MYC_TOKEN              invite token (needed only until this identity is bound in its rooms)
              MYC_PEER               this peer's name (required; no U+0000)
              MYC_ROOM               rooms to join, comma-separated; first 8 kept (default: default)
              MYC_KEY_FILE           identity key file (default: ~/.mycelium-keys.json)
              MYC_KEY_PASSPHRASE     passphrase that encrypts the key file (default: unset, plain file)
              MYC_TOFU_FILE          TOFU pins of the reference, imported on first start \
            (default: ~/.mycelium-known-peers.json)
              MYC_REPLAY_FILE        replay state of the reference, imported on first start \
            (default: ~/.mycelium-replay-state.json, plus <file>.wal)
              MYC_RELAY_FINGERPRINT  allowed relay fingerprints, comma-separated (default: any relay)
              MYC_OFFLINE_MAX_AGE_S  freshness window for offline envelopes, seconds (default: 3600)
              MYC_MAX_MSG_BYTES      largest message sent or accepted, bytes (default: 1048576)
              MYC_STATE_DB           pins, replay state and inbox (default: next to the key file, .state.db)
              MYC_APPROVERS          peers whose permission verdicts count, comma-separated (default: any)
              MYC_TLS_CA             CA certificates (PEM) to trust for wss:// relays (default: system roots)
            Flags override the variables.

            Claude Code config:  {"command": "myc", "args": ["mcp"], "env": {"MYC_RELAY": "ws://host:9900",             "MYC_PEER": "alice", "MYC_TOKEN": "..."}}
            """
    )

    /// Developer aid: serve the MCP face over `DemoPeerService` (canned peers, no network,
    /// sends echoed back) so the face can be driven end to end. Uses MYC_PEER and MYC_ROOM.
    @Flag(name: .customLong("fake-peer"), help: .hidden)
    var fakePeer = false

    @Option(help: ArgumentHelp("Relay URL list, comma-separated (env MYC_RELAY).", valueName: "urls")) var relay: String?
    @Option(help: ArgumentHelp("This peer's name (env MYC_PEER).", valueName: "name")) var name: String?
    @Option(help: ArgumentHelp("Rooms, comma-separated (env MYC_ROOM, default: default).", valueName: "rooms")) var room: String?
    @Option(help: ArgumentHelp("Invite token from this file's first line (else env MYC_TOKEN).", valueName: "path")) var tokenFile: String?
    @Option(help: ArgumentHelp("Identity key file (env MYC_KEY_FILE).", valueName: "path")) var keyFile: String?
    @Option(help: ArgumentHelp("Key-file passphrase from this file (else env MYC_KEY_PASSPHRASE).", valueName: "path")) var passphraseFile: String?
    @Option(help: ArgumentHelp("State database (env MYC_STATE_DB).", valueName: "path")) var stateDb: String?
    @Option(help: ArgumentHelp("Allowed relay fingerprints, comma-separated (env MYC_RELAY_FINGERPRINT).", valueName: "fps")) var relayFingerprint: String?
    @Option(help: ArgumentHelp("Peers whose permission verdicts count (env MYC_APPROVERS).", valueName: "names")) var approvers: String?
    @Option(help: ArgumentHelp("CA certificates (PEM) for wss:// relays (env MYC_TLS_CA).", valueName: "path")) var tlsCa: String?
    @Option(help: ArgumentHelp("Log level on stderr: trace, debug, info, notice, warning, error.", valueName: "level")) var logLevel: String = "info"

    func run() async throws {
        guard fakePeer else { return try await runPeer() }
        let config = Configuration.process
        let name = config.string(nil, "MYC_PEER", default: "demo")
        let rooms = AuthFrame.normalizeRooms(config.string(nil, "MYC_ROOM", default: PeerConstants.defaultRoom))
        let logger = MCPFace.stderrLogger(level: .notice)
        logger.notice("myc mcp --fake-peer: serving a demo peer (no network, nothing is encrypted)")
        try await MCPFace(service: DemoPeerService(name: name, rooms: rooms), logger: logger).run()
    }

    private func runPeer() async throws {
        let flags = PeerSettings.Flags(
            name: name, rooms: room, relay: relay, tokenFile: tokenFile, keyFile: keyFile, passphraseFile: passphraseFile,
            stateDB: stateDb, relayFingerprint: relayFingerprint, approvers: approvers, tlsCA: tlsCa)
        let settings = try PeerSettings.resolve(flags, .process)
        let logger = MCPFace.stderrLogger(level: Logger.Level(rawValue: logLevel) ?? .info)
        // Trapped before anything starts, so an early SIGTERM is a clean stop too.
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let runtime = try PeerBootstrap.makeRuntime(settings, logger: logger)
        let engineTask = Task { await runtime.run() }
        let face = MCPFace(service: runtime, logger: logger)
        // Serve until the host closes stdin, or until SIGTERM/SIGINT.
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do { try await face.run() } catch { logger.error("MCP face stopped", metadata: ["error": "\(error)"]) }
            }
            group.addTask {
                for await _ in signals { break }
            }
            _ = await group.next()
            group.cancelAll()
        }
        await runtime.shutdown()
        _ = await engineTask.value
    }
}
