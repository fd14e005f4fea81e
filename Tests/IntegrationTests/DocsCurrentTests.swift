import Foundation
import MycKit
import Testing

/// man/ and completions/ are generated from the command tree; these tests keep them current
/// (regenerating from the built binary changes nothing), lint the pages, and run the
/// completions in real shells.
@Suite struct DocsCurrentTests {
    static let root = Myc.packageRoot.path
    /// The machine's PATH (for swift and python3), after a directory whose `myc` is the
    /// binary under test, so completion scripts call it back by name.
    static func path(with binDir: String? = nil) -> String {
        let inherited = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return binDir.map { "\($0):\(inherited)" } ?? inherited
    }

    static func shell(_ command: String, env: [String: String] = [:]) throws -> Myc.Result {
        var environment = ["PATH": path()]
        for (k, v) in env { environment[k] = v }
        return try Myc.runShell("cd \(root.shellQuoted) && \(command)", env: environment)
    }

    @Test func regeneratingFromTheBuiltBinaryChangesNothing() throws {
        let result = try Self.shell("scripts/regenerate-docs --check", env: ["MYC_BIN": Myc.binary])
        #expect(result.status == 0, """
            man/ or completions/ differ from what the command tree generates; run `scripts/regenerate-docs` and commit.
            \(result.stdout)\(result.stderr)
            """)
    }

    static let pages = ["myc", "myc-relay", "myc-mcp", "myc-chat", "myc-keygen", "myc-fingerprint", "myc-trust", "myc-allow", "myc-demo"]

    @Test func everyCommandHasAPageThatLintsClean() throws {
        for page in Self.pages {
            #expect(FileManager.default.fileExists(atPath: "\(Self.root)/man/\(page).1"), "man/\(page).1 is missing")
        }
        let mandoc = try Self.shell("mandoc -T lint -W warning man/*.1")
        #expect(mandoc.status == 0 && mandoc.stdout.isEmpty && mandoc.stderr.isEmpty, "mandoc: \(mandoc.stdout)\(mandoc.stderr)")
        let groff = try Self.shell("groff -ww -z -mandoc man/*.1")
        #expect(groff.status == 0 && groff.stderr.isEmpty, "groff: \(groff.stderr)")
        // The hand-written sections made it in.
        let rendered = try Self.shell("MANWIDTH=200 man -l man/myc.1")
        for heading in ["ENVIRONMENT", "FILES", "EXIT STATUS", "EXAMPLES", "SECURITY CONSIDERATIONS", "MYC_RELAY_FINGERPRINT"] {
            #expect(rendered.stdout.contains(heading), "myc(1) lacks \(heading)")
        }
    }

    // MARK: Completions

    /// A state database next to `keys.json` with ada pinned in `default` and `ops`, and
    /// bob blocked in `ops`.
    struct PeerState {
        let dir = TempDir()
        let bin = TempDir()
        var keyFile: String { dir.file("keys.json") }

        init() throws {
            let store = try SQLitePeerStore(path: SQLitePeerStore.defaultPath(forKeyFile: dir.file("keys.json")))
            let key = SigningKeyPair.generate().publicKey.base64
            try store.apply([
                .setPin(Pin(peer: RoomPeer(room: "default", name: "ada"), key: key, firstSeenMs: 1, lastSeenMs: 2)),
                .setPin(Pin(peer: RoomPeer(room: "ops", name: "ada"), key: key, firstSeenMs: 1, lastSeenMs: 2)),
                .setBlocked(BlockedKey(
                    peer: RoomPeer(room: "ops", name: "bob"),
                    keyInfo: KeyInfo(signPublicKey: key, ephemeralPublicKey: "e", ephemeralPublicKeySignature: "s", sessionID: "i"),
                    reason: .keyChanged, blockedAtMs: 3)),
            ])
            try FileManager.default.createSymbolicLink(atPath: bin.file("myc"), withDestinationPath: Myc.binary)
        }
    }

    /// What bash offers for `line` (cursor at the end), with the committed completion script.
    static func bashCompletions(_ line: String, script: String = "\(root)/completions/myc.bash", env: [String: String]) throws -> [String] {
        let command = """
            source \(script.shellQuoted)
            line=\(line.shellQuoted)
            read -ra COMP_WORDS <<< "$line"
            [[ "$line" == *" " ]] && COMP_WORDS+=("")
            COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE="$line"; COMP_POINT=${#line}
            _myc myc "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let result = try Myc.run(["-c", command], env: env, executable: "/bin/bash")
        #expect(result.stderr.isEmpty, "bash: \(result.stderr)")
        return result.stdout.split(separator: "\n").map(String.init).sorted()
    }

    @Test func bashCompletesSubcommandsPeerNamesAndRooms() throws {
        let state = try PeerState()
        let env = ["PATH": Self.path(with: state.bin.path), "HOME": state.dir.path, "MYC_KEY_FILE": state.keyFile]
        #expect(try Self.bashCompletions("myc tr", env: env) == ["trust"])
        #expect(try Self.bashCompletions("myc trust ", env: env) == ["ada", "bob"])
        #expect(try Self.bashCompletions("myc trust b", env: env) == ["bob"])
        #expect(try Self.bashCompletions("myc trust bob --room ", env: env) == ["default", "ops"])
        // --key-file on the line wins over the environment; a missing database offers nothing.
        #expect(try Self.bashCompletions("myc trust --key-file /nonexistent/keys.json ", env: env) == [])
        let elsewhere = ["PATH": env["PATH"]!, "HOME": state.dir.path]
        #expect(try Self.bashCompletions("myc trust --key-file \(state.keyFile) ", env: elsewhere) == ["ada", "bob"])
    }

    @Test func fishCompletesPeerNamesAndRooms() throws {
        let state = try PeerState()
        let env = ["PATH": Self.path(with: state.bin.path), "HOME": state.dir.path, "MYC_KEY_FILE": state.keyFile]
        func complete(_ line: String) throws -> [String] {
            let result = try Myc.run(["--no-config", "-c", "source \(Self.root)/completions/myc.fish; complete -C \(line.shellQuoted)"],
                                     env: env, executable: "/usr/bin/fish")
            #expect(result.status == 0, "fish: \(result.stderr)")
            return result.stdout.split(separator: "\n").map { String($0.split(separator: "\t").first ?? "") }.sorted()
        }
        #expect(try complete("myc tr") == ["trust"])
        #expect(try complete("myc trust ") == ["ada", "bob"])
        #expect(try complete("myc trust ada --room ") == ["default", "ops"])
    }

    @Test func zshScriptParsesAndCallsBackForPeerNames() throws {
        let result = try Self.shell("zsh -n completions/_myc")
        #expect(result.status == 0, "zsh: \(result.stderr)")
        let script = try String(contentsOfFile: "\(Self.root)/completions/_myc", encoding: .utf8)
        #expect(script.contains("---completion trust -- positional@0"))
        #expect(script.contains("---completion trust -- --room"))
        // What the script runs when Tab is pressed after `myc trust `: the words so far, the
        // word index and the cursor offset; like "${(@f)"$(…)"}" it drops the trailing
        // newlines, splits into lines, and shows all but the last.
        func lines(_ text: String) -> [Substring] {
            var text = Substring(text)
            while text.hasSuffix("\n") { text = text.dropLast() }
            return Array(text.split(separator: "\n", omittingEmptySubsequences: false).dropLast())
        }
        let state = try PeerState()
        let env = ["SAP_SHELL": "zsh", "SAP_SHELL_VERSION": "5.9", "HOME": state.dir.path, "MYC_KEY_FILE": state.keyFile]
        let names = try Myc.run(["---completion", "trust", "--", "positional@0", "2", "0", "myc", "trust", ""], env: env)
        #expect(lines(names.stdout) == ["ada", "bob"],
                "zsh candidates: \(names.stdout.debugDescription)")
        let rooms = try Myc.run(["---completion", "trust", "--", "--room", "4", "0", "myc", "trust", "bob", "--room", ""], env: env)
        #expect(lines(rooms.stdout) == ["default", "ops"],
                "zsh candidates: \(rooms.stdout.debugDescription)")
    }
}

extension String {
    /// Single-quoted for /bin/sh, bash and fish.
    var shellQuoted: String { "'" + replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
