import Foundation
import MycKit
import Testing

/// The README's doc test: every command in its ```sh blocks is run here, as written, by a
/// shell whose `myc` is the binary under test, and its `.mcp.json` block configures a real
/// `myc mcp`. The only changes: the walkthrough's port 9900 becomes a free port, HOME is a
/// throwaway directory, `make` gets `SWIFT=true` where it would compile (the suite runs inside
/// `swift test`, which holds the build lock; building is what produced the binary under test)
/// and `make install` gets a DESTDIR and MYC_BIN. A README command that no test here runs
/// fails `everyReadmeCommandIsRun`.
@Suite struct DocsReadmeTests {
    static let root = Myc.packageRoot.path
    static let readme = (try? String(contentsOfFile: root + "/README.md", encoding: .utf8)) ?? ""

    /// The commands of every ```sh block: comments dropped, continuation lines joined.
    static var commands: [String] {
        var out: [String] = []
        var inBlock = false
        var pending = ""
        for raw in readme.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line.hasPrefix("```") {
                inBlock = line == "```sh"
                continue
            }
            guard inBlock else { continue }
            var command = line
            if let hash = command.range(of: " # ") ?? command.range(of: "  #") { command = String(command[..<hash.lowerBound]) }
            command = command.trimmingCharacters(in: .whitespaces)
            if command.isEmpty || command.hasPrefix("#") { continue }
            if command.hasSuffix("\\") {
                pending += command.dropLast() + " "
                continue
            }
            out.append(pending + command)
            pending = ""
        }
        return out
    }

    /// The first ```json block.
    static var mcpConfig: String {
        guard let start = readme.range(of: "```json\n"),
              let end = readme.range(of: "\n```", range: start.upperBound..<readme.endIndex) else { return "" }
        return String(readme[start.upperBound..<end.lowerBound])
    }

    // What the tests below run, by README text.
    static let walkthrough = [
        "make build",
        #"export PATH="$PWD/.build/debug:$PATH""#,
        "myc relay --host 127.0.0.1 --port 9900",
        "myc fingerprint --relay ws://127.0.0.1:9900",
        "myc chat --relay ws://127.0.0.1:9900 --name ada --room default --token-file ~/.mycelium-relay-token",
        "myc fingerprint",
        "myc fingerprint --peer claude",
        "myc fingerprint --key-file ~/.mycelium-claude-keys.json",
        "myc fingerprint --key-file ~/.mycelium-claude-keys.json --peer ada",
        "myc fingerprint --peers",
        "myc allow list",
        "myc allow revoke --room default --name claude",
    ]
    static let standalone = [
        "make run",
        "myc demo",
        "make install PREFIX=/usr/local",
        "myc --version",
        "myc keygen --key-file ~/ada-keys.json",
        "myc keygen --key-file ~/relay-keys.json --relay-key",
        "myc fingerprint --key-file ~/ada-keys.json",
    ]
    /// `make test` is the command running this suite (and what CI runs).
    static let notRunHere = ["make test"]

    @Test func everyReadmeCommandIsRun() {
        let documented = Set(Self.commands)
        let covered = Set(Self.walkthrough + Self.standalone + Self.notRunHere)
        #expect(documented.count > 15, "no commands found in README.md")
        #expect(documented.subtracting(covered).sorted() == [], "README commands no test runs")
        #expect(covered.subtracting(documented).sorted() == [], "commands tested here that the README no longer has")
        // The two commands come first.
        #expect(Array(Self.commands.prefix(2)) == ["make run", "make test"])
    }

    /// A shell like a reader's: `myc` on the PATH is the binary under test, HOME is `home`.
    struct Reader {
        let home = TempDir()
        let bin = TempDir()
        let port = freePort()

        init() throws {
            try FileManager.default.createSymbolicLink(atPath: bin.file("myc"), withDestinationPath: Myc.binary)
        }

        var env: [String: String] {
            let inherited = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
            return ["HOME": home.path, "PATH": "\(bin.path):\(inherited)"]
        }

        func adapt(_ command: String) -> String {
            var c = command.replacingOccurrences(of: "9900", with: String(port))
            if c.hasPrefix("make ") { c += " SWIFT=true" }
            if c.hasPrefix("make install") { c += " DESTDIR=\(home.file("dest")) MYC_BIN=\(Myc.binary)" }
            return c
        }

        /// Runs one README command (checking it is one) in the repository directory.
        func run(_ command: String, stdin: String? = nil) throws -> Myc.Result {
            #expect(DocsReadmeTests.commands.contains(command), "not in the README: \(command)")
            return try Myc.run(["-c", "cd \(DocsReadmeTests.root.shellQuoted) && \(adapt(command))"], env: env, stdin: stdin,
                               executable: "/bin/sh")
        }

        func ok(_ command: String, stdin: String? = nil) throws -> String {
            let result = try run(command, stdin: stdin)
            #expect(result.status == 0, "\(command): exit \(result.status)\n\(result.stdout)\n\(result.stderr)")
            return result.stdout
        }
    }

    static func fingerprints(in text: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: "[0-9a-f]{4}(:[0-9a-f]{4}){7}")
        return pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { (text as NSString).substring(with: $0.range) }
    }

    @Test func theFiveMinuteWalkthroughWorksAsWritten() throws {
        let reader = try Reader()
        // A TypeScript installation's files in HOME, for the migration checks at the end.
        let zoe = SigningKeyPair.generate().publicKey
        try #"{"version":2,"rooms":{"default":{"zoe":{"sign_pubkey":"\#(zoe.base64)","first_seen":"2026-01-02T03:04:05.000Z","last_seen":"2026-01-03T03:04:05.000Z"}}}}"#
            .write(toFile: reader.home.file(".mycelium-known-peers.json"), atomically: true, encoding: .utf8)
        try #"{"version":2,"bindings":{"default":{"zoe":"\#(zoe.base64)"}}}"#
            .write(toFile: reader.home.file(".mycelium-relay-allow.json"), atomically: true, encoding: .utf8)

        #expect(try reader.ok("make build").contains("true build"))
        _ = try reader.ok(Self.walkthrough[1])  // as written (a no-op in its own shell); then what it does:
        let resolved = try Myc.runShell(#"cd \#(Self.root.shellQuoted) && export PATH="$PWD/.build/debug:$PATH" && command -v myc"#)
        #expect(resolved.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == Self.root + "/.build/debug/myc")

        // 1. The relay, in the background; it generates and shows the invite token.
        let relay = Process()
        relay.executableURL = URL(fileURLWithPath: "/bin/sh")
        relay.arguments = ["-c", "exec " + reader.adapt("myc relay --host 127.0.0.1 --port 9900")]
        relay.environment = reader.env
        let relayOut = Pipe(), relayErr = Pipe()
        relay.standardOutput = relayOut
        relay.standardError = relayErr
        let relayLog = LockedBox("")
        relayOut.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { relayLog.withValue { $0 += String(decoding: data, as: UTF8.self) } }
        }
        try relay.run()
        defer {
            relayOut.fileHandleForReading.readabilityHandler = nil
            if relay.isRunning { relay.terminate(); relay.waitUntilExit() }
        }
        func waitForLog(_ predicate: (String) -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline, relay.isRunning {
                if predicate(relayLog.value) { return true }
                Thread.sleep(forTimeInterval: 0.02)
            }
            return predicate(relayLog.value)
        }
        #expect(waitForLog { $0.contains("relay listening") }, "relay: \(relayLog.value)")
        let log = relayLog.value
        let token = try String(contentsOfFile: reader.home.file(".mycelium-relay-token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!token.isEmpty)

        // 2. Pin the relay.
        let relayFingerprint = Self.fingerprints(in: try reader.ok("myc fingerprint --relay ws://127.0.0.1:9900")).first
        #expect(relayFingerprint != nil && log.contains(relayFingerprint ?? "?"), "relay fingerprint differs from its log")

        // 3. The .mcp.json block, placeholders filled in, starts a working `myc mcp`.
        let config = try JSONParser.parseObject(Self.mcpConfig)
        let server = try #require(config["mcpServers"]?.objectValue?["mycelium"]?.objectValue)
        #expect(server["command"]?.stringValue == "myc")
        var env = reader.env
        for (key, value) in server["env"]?.objectValue ?? [:] {
            var v = value.stringValue ?? ""
            v = v.replacingOccurrences(of: "9900", with: String(reader.port))
            if v == "<contents of ~/.mycelium-relay-token>" { v = token }
            if v == "<output of step 2>" { v = relayFingerprint ?? "" }
            #expect(!v.contains("<"), "unfilled placeholder \(key)=\(v)")
            env[key] = v
        }
        let claude = try MCPTestClient(args: server["args"]?.arrayValue?.compactMap(\.stringValue) ?? [], env: env)
        defer { _ = claude.closeAndWait() }
        try claude.initialize()
        let tools = try claude.listTools().compactMap { $0["name"]?.stringValue }
        for tool in ["myc_send", "myc_broadcast", "myc_recv", "myc_peers", "myc_rooms", "myc_trust", "myc_verify", "myc_rotate_key"] {
            #expect(tools.contains(tool), "README names \(tool); the server lists \(tools)")
            #expect(Self.readme.contains("`\(tool)`"))
        }
        #expect(waitForLog { $0.split(separator: "\n").contains { $0.contains("peer authenticated") && $0.contains("claude") } },
                "claude never authenticated: \(claude.stderr)")
        #expect(FileManager.default.fileExists(atPath: reader.home.file(".mycelium-claude-keys.json")), "MYC_KEY_FILE ~ not expanded")

        // 4. ada joins with `myc chat` (no terminal: it sends the lines it reads) and writes to claude.
        let chat = try reader.run("myc chat --relay ws://127.0.0.1:9900 --name ada --room default --token-file ~/.mycelium-relay-token",
                                  stdin: "claude: hello from ada\n")
        #expect(chat.status == 0, "chat: \(chat.stdout)\n\(chat.stderr)")
        let delivered = try claude.waitForNotification("notifications/claude/channel") { (params: JSONObject) in
            params["content"]?.stringValue == "hello from ada"
                && params["meta"]?.objectValue?["from_peer"]?.stringValue == "ada"
        }
        #expect(delivered["params"] != nil)

        // 5. Fingerprints, both ways.
        let adaOwn = Self.fingerprints(in: try reader.ok("myc fingerprint"))
        let adaPinnedForClaude = Self.fingerprints(in: try reader.ok("myc fingerprint --peer claude"))
        let claudeOwn = Self.fingerprints(in: try reader.ok("myc fingerprint --key-file ~/.mycelium-claude-keys.json"))
        let claudePinnedForAda = Self.fingerprints(in: try reader.ok("myc fingerprint --key-file ~/.mycelium-claude-keys.json --peer ada"))
        #expect(adaOwn.count == 1 && claudeOwn.count == 1)
        #expect(adaPinnedForClaude == claudeOwn, "ada pinned \(adaPinnedForClaude), claude is \(claudeOwn)")
        #expect(claudePinnedForAda == adaOwn, "claude pinned \(claudePinnedForAda), ada is \(adaOwn)")
        let verify = try claude.callTool("myc_verify", ["peer_name": "ada"]).text
        #expect(adaOwn.allSatisfy { verify.contains($0) }, "myc_verify: \(verify)")

        // Migration: the reference's pins (imported by ada's first start) and allow-list
        // (imported by the relay's first start).
        let pins = try reader.ok("myc fingerprint --peers")
        #expect(pins.contains("zoe") && pins.contains(zoe.fingerprint.text), "fingerprint --peers: \(pins)")
        let allow = try reader.ok("myc allow list")
        #expect(allow.contains("zoe") && allow.contains("ada") && allow.contains("claude"), "allow list: \(allow)")

        // Relay operations from the reference section.
        _ = try reader.ok("myc allow revoke --room default --name claude")
        #expect(try reader.ok("myc allow list").lowercased().contains("revoked"))
    }

    @Test func theStandaloneCommandsWorkAsWritten() throws {
        let reader = try Reader()
        // make run: deps (nothing missing), no compile, then the run recipe with the debug binary.
        let run = try reader.ok("make run")
        #expect(run.contains("Fingerprint read back: "), "make run: \(run)")

        let demo = try reader.ok("myc demo")
        #expect(demo.contains("appears in none of those frames"))

        _ = try reader.ok("make install PREFIX=/usr/local")
        #expect(FileManager.default.isExecutableFile(atPath: reader.home.file("dest/usr/local/bin/myc")))
        #expect(FileManager.default.fileExists(atPath: reader.home.file("dest/usr/local/share/man/man1/myc-chat.1")))

        let version = try reader.ok("myc --version")
        #expect(Self.readme.contains("`\(version.trimmingCharacters(in: .newlines))`"), "README shows another --version: \(version)")

        let created = try reader.ok("myc keygen --key-file ~/ada-keys.json")
        _ = try reader.ok("myc keygen --key-file ~/relay-keys.json --relay-key")
        let relayKeys = try JSONParser.parseObject(String(contentsOfFile: reader.home.file("relay-keys.json"), encoding: .utf8))
        #expect(relayKeys.keys.sorted() == ["private", "public"])
        let fingerprint = try reader.ok("myc fingerprint --key-file ~/ada-keys.json").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Self.fingerprints(in: fingerprint).count == 1 && created.contains(fingerprint))
    }
}
