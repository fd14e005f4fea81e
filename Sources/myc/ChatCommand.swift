import ArgumentParser
import Logging
import MycKit
import UnixSignals

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Join the rooms as a person: a terminal peer next to the Claude Code instances.",
        discussion: """
            The same peer as `myc mcp` (identity, pins, sessions, acknowledgements, offline mail), \
            with a line editor instead of MCP. To every other peer you are an ordinary peer.

            Typing:
              a plain line           goes to everyone in the current room (one encrypted copy each)
              NAME: TEXT             goes to NAME only (also /msg NAME TEXT)
              /help /room /rooms /peers /msg /verify /trust /rotate /approve /deny /quit
            Tab completes commands, peer names (NAME: at the line start) and rooms; Up/Down and \
            Ctrl-R search the history, kept in <key file>.chat_history (0600). Ctrl-C clears the \
            line (it stays in the history); on an empty line it asks before quitting. Ctrl-D quits.

            Marks: 🔒 pinned key, 🆕 key first seen this session, 🤝 session verified (STS), \
            📮 offline envelope (no forward secrecy), ⏳ queued while the relay is unreachable, \
            🔴 blocked (key changed: compare fingerprints with /verify, then /trust).

            When stdin is not a terminal, each line read is sent (commands work too), incoming \
            messages are printed to stdout (JSON lines with --json) and everything else to stderr; \
            at the end of input it waits for pending sends (up to --wait seconds) and exits: \
            0 all sent, 1 a send was refused or failed, 2 still unconfirmed.

            Configuration is the same as `myc mcp` (flags override the variables):
              MYC_RELAY, MYC_PEER, MYC_ROOM, MYC_TOKEN, MYC_KEY_FILE, MYC_KEY_PASSPHRASE, MYC_STATE_DB,
              MYC_RELAY_FINGERPRINT, MYC_TLS_CA, MYC_OFFLINE_MAX_AGE_S, MYC_MAX_MSG_BYTES
            A sealed key file without a passphrase from --passphrase-file or MYC_KEY_PASSPHRASE is \
            unlocked by prompting on the terminal (no echo). Colours only on a terminal, never with NO_COLOR.

            Example:  myc chat --relay ws://host:9900 --name ada --room default,ops --token-file ~/.myc-token
            """
    )

    /// Developer aid: chat with `DemoPeerService` (canned peers, no network, sends echoed).
    @Flag(name: .customLong("fake-peer"), help: .hidden)
    var fakePeer = false

    @Option(help: ArgumentHelp("Relay URL list, comma-separated (env MYC_RELAY).", valueName: "urls")) var relay: String?
    @Option(help: ArgumentHelp("This peer's name (env MYC_PEER).", valueName: "name")) var name: String?
    @Option(help: ArgumentHelp("Rooms, comma-separated; the first is current (env MYC_ROOM, default: default).", valueName: "rooms")) var room: String?
    @Option(help: ArgumentHelp("Invite token from this file's first line (else env MYC_TOKEN).", valueName: "path")) var tokenFile: String?
    @Option(help: ArgumentHelp("Identity key file (env MYC_KEY_FILE, default ~/.mycelium-keys.json).", valueName: "path")) var keyFile: String?
    @Option(help: ArgumentHelp("Key-file passphrase from this file (else env MYC_KEY_PASSPHRASE, else a prompt when the file is sealed).", valueName: "path")) var passphraseFile: String?
    @Option(help: ArgumentHelp("State database (env MYC_STATE_DB).", valueName: "path")) var stateDb: String?
    @Option(help: ArgumentHelp("Allowed relay fingerprints, comma-separated (env MYC_RELAY_FINGERPRINT).", valueName: "fps")) var relayFingerprint: String?
    @Option(help: ArgumentHelp("CA certificates (PEM) for wss:// relays (env MYC_TLS_CA).", valueName: "path")) var tlsCa: String?
    @Flag(help: "Without a terminal: print incoming messages and events as JSON lines.") var json = false
    @Option(help: ArgumentHelp("Without a terminal: seconds to wait at end of input for pending sends (default 60).", valueName: "seconds"))
    var wait: Int = 60
    @Option(help: ArgumentHelp("Log level on stderr: trace, debug, info, notice, warning, error.", valueName: "level"))
    var logLevel: String = "warning"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error (got \(logLevel))")
        }
        guard wait >= 0 else { throw ValidationError("--wait must be 0 or more seconds") }
    }

    func run() async throws {
        let interactive = isatty(STDIN_FILENO) == 1
        let config = Configuration.process
        let style = ChatStyle.decide(stdoutIsTerminal: isatty(STDOUT_FILENO) == 1, environment: config.environment)
        let options = ChatRunner.Options(json: json, waitSeconds: wait, style: style)
        let level = Logger.Level(rawValue: logLevel) ?? .warning

        let service: any PeerService
        var runtime: PeerRuntime?
        var terminal: ChatTerminal?
        if fakePeer {
            let rooms = AuthFrame.normalizeRooms(config.string(room, "MYC_ROOM", default: PeerConstants.defaultRoom))
            service = DemoPeerService(name: config.string(name, "MYC_PEER", default: "demo"), rooms: rooms)
            if interactive { terminal = ChatTerminal(history: nil) }
        } else {
            let settings: PeerSettings
            do {
                settings = try PeerSettings.resolve(flags(), config, passphrasePrompt: { try sealedKeyPrompt(config) })
            } catch {
                printError("myc chat: \(error)")
                throw ExitCode(2)
            }
            if interactive { terminal = ChatTerminal(history: ChatHistory(path: ChatHistory.path(forKeyFile: settings.keyFile))) }
            let logger = Self.logger(level: level, terminal: terminal)
            do {
                runtime = try PeerBootstrap.makeRuntime(settings, logger: logger)
            } catch {
                printError("myc chat: \(error)")
                throw ExitCode(1)
            }
            service = runtime!
        }
        let engineTask = runtime.map { r in Task { await r.run() } }
        let runner = ChatRunner(options: options)
        let chatTerminal = terminal
        let status = await withTaskGroup(of: ChatRunner.Status?.self) { group -> ChatRunner.Status in
            group.addTask { await runner.run(service: service, terminal: chatTerminal) }
            group.addTask {
                // The terminal handles Ctrl-C itself; without one, SIGINT ends the run like SIGTERM.
                let signals: [UnixSignal] = interactive ? [.sigterm, .sighup] : [.sigterm, .sigint, .sighup]
                for await _ in await UnixSignalsSequence(trapping: signals) {
                    runner.terminate()
                    break
                }
                return nil
            }
            var result = ChatRunner.Status.ok
            for await value in group {
                if let value {
                    result = value
                    break
                }
            }
            group.cancelAll()
            return result
        }
        if let runtime {
            await runtime.shutdown()
            _ = await engineTask?.value
        }
        if status != .ok { throw ExitCode(status.rawValue) }
    }

    private func flags() -> PeerSettings.Flags {
        PeerSettings.Flags(
            name: name, rooms: room, relay: relay, tokenFile: tokenFile, keyFile: keyFile, passphraseFile: passphraseFile,
            stateDB: stateDb, relayFingerprint: relayFingerprint, tlsCA: tlsCa)
    }

    /// Prompts (no echo) only when the key file exists and is sealed.
    private func sealedKeyPrompt(_ config: Configuration) throws -> String? {
        let path = config.path(keyFile, "MYC_KEY_FILE", default: KeyFile.Layout.peer.defaultPath)
        guard KeyFile(path: path, layout: .peer).isSealed else { return nil }
        return try PassphraseSource.prompt("Key-file passphrase for \(path): ", confirm: false)
    }

    /// Logs go to stderr; on a terminal they are printed above the prompt.
    static func logger(level: Logger.Level, terminal: ChatTerminal?) -> Logger {
        var logger: Logger
        if let terminal, isatty(STDERR_FILENO) == 1 {
            logger = Logger(label: "myc.chat") { ChatLogHandler(label: $0, level: level) { terminal.log($0) } }
        } else {
            logger = Logger(label: "myc.chat") { StreamLogHandler.standardError(label: $0) }
        }
        logger.logLevel = level
        return logger
    }
}
