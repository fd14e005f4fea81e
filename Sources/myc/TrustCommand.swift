#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import MycKit

struct TrustCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trust",
        abstract: "Trust a peer's new key after checking its fingerprint out of band.",
        discussion: """
            A peer whose identity key changed (or that failed key checks) is blocked until you trust \
            it. Ask the peer for its fingerprint over another channel (`myc fingerprint` on their side), \
            then either type `yes` when asked, or pass it with --fingerprint: a fingerprint that does \
            not match the blocked key is refused and nothing changes. Without a terminal, --fingerprint \
            is required.
            Works on the peer's state database, also while the peer runs: it picks up the new pin \
            and rebuilds the session.
            """
    )

    @Argument(help: "The blocked peer's name.", completion: PeerCompletion.peerNames)
    var name: String

    @Option(help: "The room, when the peer is blocked in several.", completion: PeerCompletion.roomNames)
    var room: String?

    @Option(help: ArgumentHelp(
        "The fingerprint the peer read you out of band; confirms without a prompt, refuses on a mismatch.",
        valueName: "fp"))
    var fingerprint: String?

    @Flag(help: "On a terminal, trust after showing the fingerprint without asking to type `yes`.")
    var yes = false

    @OptionGroup var state: PeerStateOptions

    func run() throws {
        let config = Configuration.process
        let store = try state.openExisting(config)
        let blocked = try store.loadSnapshot(nowMs: Self.nowMs()).blocked
        let interactive = isatty(STDIN_FILENO) == 1
        let decision = TrustDecision.decide(
            peer: name, room: room, blocked: blocked, fingerprint: fingerprint, interactive: interactive, assumeYes: yes)
        switch decision {
        case let .nothingPending(peer, room):
            throw CLIError("no blocked key for \(peer.debugDescription)\(room.map { " in room \($0.debugDescription)" } ?? "") "
                + "(nothing to trust; `myc fingerprint --peers` lists pinned and blocked peers)")
        case let .ambiguous(peer, rooms):
            throw CLIError("\(peer.debugDescription) is blocked in several rooms: "
                + rooms.map(\.debugDescription).joined(separator: ", ") + "; pass --room ROOM")
        case let .invalidKey(key):
            throw CLIError("\(Self.label(key)): the blocked key is not an Ed25519 public key, so it cannot be verified or trusted")
        case let .fingerprintMismatch(key, actual, given):
            throw CLIError("\(Self.label(key)): fingerprint \(given.trimmingWhitespace()) does not match the blocked key's "
                + "\(actual); refusing, nothing was changed (check with the peer again)")
        case let .needsFingerprint(key, actual):
            Self.show(key, fingerprint: actual)
            throw CLIError("no terminal to confirm on: verify the fingerprint with the peer, then pass it with --fingerprint; "
                + "nothing was changed")
        case let .confirm(key, actual):
            Self.show(key, fingerprint: actual)
            print("Compare it with the fingerprint \(key.peer.name) reads you over another channel.")
            print("Type yes to trust this key: ", terminator: "")
            fflush(nil)  // all streams: the prompt has no newline
            guard let answer = readLine(), TrustDecision.isConfirmation(answer) else {
                throw CLIError("not confirmed; nothing was changed")
            }
            try trust(key, fingerprint: actual, in: store)
        case let .trust(key, actual):
            if fingerprint == nil { Self.show(key, fingerprint: actual) }
            try trust(key, fingerprint: actual, in: store)
        }
    }

    private func trust(_ key: BlockedKey, fingerprint: String, in store: SQLitePeerStore) throws {
        try store.apply(TrustDecision.changes(trusting: key, nowMs: Self.nowMs()))
        print("✅ \(Self.label(key)) trusted (\(fingerprint))")
    }

    private static func show(_ key: BlockedKey, fingerprint: String) {
        print("\(label(key)) is blocked (\(describe(key.reason)), since \(ISOTimestamp.string(fromMilliseconds: key.blockedAtMs)))")
        print("🔑 \(fingerprint)")
    }

    private static func label(_ key: BlockedKey) -> String { "\(key.peer.name)@\(key.peer.room)" }

    static func describe(_ reason: BlockedKey.Reason) -> String {
        switch reason {
        case .keyChanged: return "its identity key changed since it was pinned"
        case .badEphemeralSignature: return "its session key signature did not verify"
        case .stsFailed: return "the session confirmation (STS) failed"
        case .other: return "its keys failed verification"
        }
    }

    static func nowMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

/// Where a peer's state database is: `--state-db`, env `MYC_STATE_DB`, else next to the
/// identity key file (`--key-file`, env `MYC_KEY_FILE`, default ~/.mycelium-keys.json).
struct PeerStateOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The peer's state database (env MYC_STATE_DB; default: next to the key file, ~/.mycelium-keys.state.db).",
        valueName: "path"), completion: .file())
    var stateDb: String?

    @Option(name: .long, help: ArgumentHelp(
        "Identity key file whose state database to use (env MYC_KEY_FILE; default ~/.mycelium-keys.json). Not read.",
        valueName: "path"), completion: .file())
    var keyFile: String?

    func path(_ config: Configuration) -> String {
        let keyFile = config.path(keyFile, "MYC_KEY_FILE", default: KeyFile.Layout.peer.defaultPath)
        return SQLitePeerStore.resolvePath(stateDB: stateDb, keyFile: keyFile, config)
    }

    /// Opens the database, refusing to create one: no database means this identity has
    /// never run a peer, so there is nothing pinned or blocked yet.
    func openExisting(_ config: Configuration) throws -> SQLitePeerStore {
        try Self.openExisting(at: path(config))
    }

    static func openExisting(at path: String) throws -> SQLitePeerStore {
        guard AtomicFile.exists(path) else {
            throw CLIError("\(path): no peer state database here (run `myc mcp` or `myc chat` with this identity "
                + "once, or pass --state-db / --key-file)")
        }
        return try SQLitePeerStore(path: path)
    }
}
