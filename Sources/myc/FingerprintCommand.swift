import ArgumentParser
import Logging
import MycKit

struct FingerprintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fingerprint",
        abstract: "Print a fingerprint for out-of-band verification.",
        discussion: """
            By default prints this identity's fingerprint. With --pubkey, that of any Ed25519 public key. \
            With --relay, connects to a relay, checks the signature on its challenge, and prints the \
            relay's fingerprint: the value an operator hands peers for MYC_RELAY_FINGERPRINT. \
            A relay whose challenge signature does not verify is refused with a non-zero exit.
            With --peer NAME, prints the fingerprints this identity has pinned for that peer, per room, \
            with first and last seen; with --peers, every pinned peer. Both read the peer's state database \
            (--state-db, env MYC_STATE_DB, default next to the key file) and also list keys blocked \
            pending `myc trust`.
            Fingerprint = first 16 bytes of SHA-512 over the 32-byte public key, as hex in groups of four.
            """
    )

    @OptionGroup var identity: IdentityOptions

    @Flag(name: .long, help: "Read a relay key file (RELAY_KEY_FILE format) instead of a peer identity.")
    var relayKey = false

    @Option(name: .long, help: ArgumentHelp("Fingerprint this base64 Ed25519 public key.", valueName: "base64"))
    var pubkey: String?

    @Option(name: .long, help: ArgumentHelp("Connect to this relay (ws:// or wss://) and fingerprint its verified identity.", valueName: "url"))
    var relay: String?

    @Option(name: .long, help: ArgumentHelp("Trust these CA certificates (PEM) for a wss:// relay, e.g. a self-signed one (env MYC_TLS_CA).", valueName: "path"))
    var tlsCa: String?

    @Option(name: .long, help: ArgumentHelp("Print the fingerprints pinned for this peer, per room.", valueName: "name"))
    var peer: String?

    @Flag(name: .long, help: "Print every pinned peer: room, name, fingerprint, last seen.")
    var peers = false

    @Option(name: .long, help: ArgumentHelp(
        "The peer state database for --peer/--peers (env MYC_STATE_DB; default: next to the key file).",
        valueName: "path"))
    var stateDb: String?

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        if pubkey != nil && relay != nil {
            throw ValidationError("--pubkey and --relay are alternatives; give one of them")
        }
        let sources = [pubkey != nil, relay != nil, peer != nil, peers].filter { $0 }.count
        if sources > 1 {
            throw ValidationError("--pubkey, --relay, --peer and --peers are alternatives; give one of them")
        }
        if (peer != nil || peers) && relayKey {
            throw ValidationError("--relay-key does not go with --peer/--peers (a relay pins no peers)")
        }
        if stateDb != nil && peer == nil && !peers {
            throw ValidationError("--state-db goes with --peer or --peers")
        }
    }

    func run() async throws {
        let config = Configuration.process
        if peer != nil || peers {
            let path = SQLitePeerStore.resolvePath(
                stateDB: stateDb, keyFile: identity.keyFile(layout: .peer, config).path, config)
            let snapshot = try PeerStateOptions.openExisting(at: path).loadSnapshot(nowMs: TrustCommand.nowMs())
            let listing = PinListing(snapshot: snapshot, peer: peer)
            if let peer, listing.isEmpty {
                throw CLIError("no pinned or blocked key for \(peer.debugDescription) in \(path)")
            }
            if json {
                print(JSONSerializer.prettyString(of: .object(listing.json)))
            } else {
                listing.lines.forEach { print($0) }
            }
            return
        }
        let key: SigningPublicKey
        var extra: JSONObject = [:]
        if let pubkey {
            do { key = try SigningPublicKey(base64: pubkey.trimmingWhitespace()) } catch {
                throw CLIError("--pubkey: not a base64 Ed25519 public key (\(error))")
            }
            extra["source"] = "pubkey"
        } else if let relay {
            var logger = Logger(label: "myc.fingerprint")
            logger.logLevel = .critical
            let challenge = try await RelayProbe.fetchChallenge(
                url: relay, trustRootsPEM: config.string(tlsCa, "MYC_TLS_CA").map(Paths.expand), logger: logger)
            switch challenge.verifiedRelayKey() {
            case let .verified(relayKey):
                key = relayKey
            case let .failed(failure):
                throw CLIError("\(relay): refusing this relay: \(failure)")
            case .unpinned:
                throw CLIError("\(relay): relay identity could not be checked")
            }
            extra["source"] = "relay"
            extra["relay"] = .string(relay)
        } else {
            let layout: KeyFile.Layout = relayKey ? .relay : .peer
            let file = identity.keyFile(layout: layout, config)
            let passphrase = try identity.passphrase(layout: layout, config, confirmPrompt: false)
            key = try file.load(passphrase: passphrase).publicKey
            extra["source"] = relayKey ? "relay_key_file" : "key_file"
            extra["path"] = .string(file.path)
        }
        if json {
            var out: JSONObject = ["fingerprint": .string(key.fingerprint.text), "public_key": .string(key.base64)]
            for (k, v) in extra { out[k] = v }
            print(JSONSerializer.string(of: .object(out)))
        } else {
            print(key.fingerprint.text)
        }
    }
}
