import ArgumentParser
import MycKit

struct AllowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allow",
        abstract: "Manage the relay's name↔key bindings and revocations.",
        discussion: """
            Works on the relay's database (--db, env RELAY_DB, default ~/.mycelium-relay.db), also \
            while the relay runs: it picks up the change within a second and evicts a revoked live \
            peer with close 4022. With --admin-url it goes through a relay's admin API instead \
            (bearer --admin-token or env RELAY_ADMIN_TOKEN; without a token the relay admits loopback only).
            """,
        subcommands: [List.self, Add.self, Revoke.self, Unrevoke.self]
    )

    struct Target: ParsableArguments {
        @Option(help: ArgumentHelp("The relay's database (env RELAY_DB, default ~/.mycelium-relay.db).", valueName: "path"))
        var db: String?

        @Option(help: ArgumentHelp("Use a relay's admin API instead of its database, e.g. http://127.0.0.1:9900.", valueName: "url"))
        var adminUrl: String?

        @Option(help: ArgumentHelp("Admin bearer token for --admin-url (else env RELAY_ADMIN_TOKEN).", valueName: "token"))
        var adminToken: String?

        func validate() throws {
            if adminUrl != nil && db != nil { throw ValidationError("--db and --admin-url are alternatives; give one") }
        }

        func admin() throws -> any AllowListAdmin {
            let config = Configuration.process
            if let adminUrl {
                return try RemoteAllowListAdmin(baseURL: adminUrl, token: config.string(adminToken, "RELAY_ADMIN_TOKEN"))
            }
            let path = config.path(db, "RELAY_DB", default: Paths.inHome(".mycelium-relay.db"))
            guard AtomicFile.exists(path) else {
                throw CLIError("\(path): no relay database here (start `myc relay` once, or pass --db / --admin-url)")
            }
            return LocalAllowListAdmin(store: try SQLiteRelayStore(path: path))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show bindings, legacy keys and revocations.")
        @OptionGroup var target: Target
        @Option(help: "Only this room.") var room: String?
        @Flag(help: "Print the allow-list JSON (version 2 format).") var json = false

        func run() async throws {
            var object = try await target.admin().list()
            if let room {
                for section in ["bindings", "legacy", "revoked"] {
                    if let all = object[section]?.objectValue {
                        object[section] = .object(all[room].map { [room: $0] } ?? [:])
                    }
                }
            }
            if json {
                print(JSONSerializer.prettyString(of: .object(object)))
                return
            }
            var lines: [String] = []
            for (roomName, names) in object["bindings"]?.objectValue ?? [:] {
                for (name, key) in names.objectValue ?? [:] {
                    lines.append("\(roomName)\t\(name)\t\(Self.fingerprint(key.stringValue))\tbound")
                }
            }
            for (section, label) in [("legacy", "legacy"), ("revoked", "REVOKED")] {
                for (roomName, keys) in object[section]?.objectValue ?? [:] {
                    for key in keys.arrayValue ?? [] {
                        lines.append("\(roomName)\t-\t\(Self.fingerprint(key.stringValue))\t\(label)")
                    }
                }
            }
            if lines.isEmpty { print("(no bindings)") } else {
                print("ROOM\tNAME\tFINGERPRINT\tSTATE")
                lines.forEach { print($0) }
            }
        }

        static func fingerprint(_ key: String?) -> String {
            key.flatMap { try? SigningPublicKey(base64: $0) }?.fingerprint.text ?? "(invalid key)"
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pre-register a peer: bind NAME to PUBKEY in ROOM, so it needs no invite token.")
        @OptionGroup var target: Target
        @Option(help: "Room.") var room: String
        @Option(help: "Peer name.") var name: String
        @Option(help: ArgumentHelp("The peer's base64 Ed25519 public key (`myc keygen` prints it).", valueName: "base64")) var pubkey: String

        func run() async throws {
            let changed = try await target.admin().register(RegistrationRequest(room: room, name: name, pubkey: pubkey.trimmingWhitespace()))
            let fp = (try? SigningPublicKey(base64: pubkey.trimmingWhitespace()))?.fingerprint.text ?? "?"
            print(changed ? "Bound \(name) in \(room) to \(fp)" : "\(name) in \(room) was already bound to \(fp)")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a peer's key in a room (by name or key); a live peer is disconnected.")
        @OptionGroup var target: Target
        @Option(help: "Room.") var room: String
        @Option(help: "Peer name.") var name: String?
        @Option(help: ArgumentHelp("Base64 public key.", valueName: "base64")) var pubkey: String?

        func validate() throws {
            if (name == nil) == (pubkey == nil) { throw ValidationError("give --name or --pubkey (one of them)") }
        }

        func run() async throws {
            let result = try await target.admin().revoke(RevokeRequest(room: room, name: name, pubkey: pubkey, undo: false))
            guard result.revoked else {
                throw CLIError("nothing to revoke: no binding or legacy key matches in room \(room.debugDescription) (a key that was never registered cannot be blocked ahead of time)")
            }
            print("Revoked in \(room)\(result.disconnected ? "; the live peer was disconnected" : "")")
        }
    }

    struct Unrevoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lift a revocation. The key must register again (token or `myc allow add`).")
        @OptionGroup var target: Target
        @Option(help: "Room.") var room: String
        @Option(help: ArgumentHelp("Base64 public key.", valueName: "base64")) var pubkey: String

        func run() async throws {
            let result = try await target.admin().revoke(RevokeRequest(room: room, name: nil, pubkey: pubkey, undo: true))
            guard result.revoked else { throw CLIError("that key is not revoked in room \(room.debugDescription)") }
            print("Revocation lifted in \(room)")
        }
    }
}
