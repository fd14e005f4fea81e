import Foundation
import Testing

/// `make install` / `make uninstall` into a DESTDIR with the binary under test (MYC_BIN, so
/// the suite does not pay for a second, release build), and the example systemd unit run
/// against the real `myc relay` flags.
@Suite struct InstallTests {
    static let root = Myc.packageRoot.path

    static func shell(_ command: String, env: [String: String] = [:]) throws -> Myc.Result {
        var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        for (k, v) in env { environment[k] = v }
        return try Myc.runShell(command, env: environment)
    }

    static func files(under dir: String) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: dir)
        var out: [String] = []
        while let path = enumerator?.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir + "/" + path, isDirectory: &isDir), !isDir.boolValue { out.append(path) }
        }
        return out.sorted()
    }

    @Test func installPutsEverythingInItsStandardPlaceAndUninstallRemovesIt() throws {
        let dest = TempDir()
        let make = "make -s -C \(Self.root.shellQuoted) DESTDIR=\(dest.path.shellQuoted) PREFIX=/usr/local MYC_BIN=\(Myc.binary.shellQuoted)"
        let install = try Self.shell("\(make) install")
        #expect(install.status == 0, "make install: \(install.stdout)\(install.stderr)")

        let prefix = dest.path + "/usr/local"
        let installed = Self.files(under: dest.path)
        let pages = try FileManager.default.contentsOfDirectory(atPath: Self.root + "/man").filter { $0.hasSuffix(".1") }.sorted()
        #expect(installed == (["usr/local/bin/myc",
                               "usr/local/share/bash-completion/completions/myc",
                               "usr/local/share/fish/vendor_completions.d/myc.fish",
                               "usr/local/share/zsh/site-functions/_myc"]
                              + pages.map { "usr/local/share/man/man1/\($0)" }).sorted())
        #expect(FileManager.default.isExecutableFile(atPath: prefix + "/bin/myc"))

        // `myc --version` names the version and the protocol.
        let version = try Myc.run(["--version"], executable: prefix + "/bin/myc")
        #expect(version.status == 0)
        #expect(version.stdout.range(of: #"^myc \d+\.\d+\.\d+ \(Mycelium wire protocol v2\)\n$"#, options: .regularExpression) != nil,
                "got \(version.stdout.debugDescription)")

        // `man myc-chat` finds the installed page.
        let man = try Self.shell("MANWIDTH=100 man myc-chat", env: ["MANPATH": prefix + "/share/man"])
        #expect(man.status == 0 && man.stdout.contains("MYC-CHAT(1)"), "man: \(man.stderr)")
        #expect(man.stderr.isEmpty, "man warnings: \(man.stderr)")

        // `myc tr<TAB>` with the installed bash completion and the installed binary.
        let bash = try Myc.run(["-c", """
            source \((prefix + "/share/bash-completion/completions/myc").shellQuoted)
            COMP_WORDS=(myc tr); COMP_CWORD=1; COMP_LINE="myc tr"; COMP_POINT=6
            _myc myc tr myc
            printf '%s\\n' "${COMPREPLY[@]}"
            """], env: ["PATH": "\(prefix)/bin:/usr/bin:/bin"], executable: "/bin/bash")
        #expect(bash.stdout == "trust\n", "bash: \(bash.stdout)\(bash.stderr)")

        let uninstall = try Self.shell("\(make) uninstall")
        #expect(uninstall.status == 0, "make uninstall: \(uninstall.stderr)")
        #expect(Self.files(under: dest.path) == [], "left behind after uninstall")
    }

    /// The unit's ExecStart, with systemd's %S (state root) and %d (credentials directory)
    /// filled in, starts a real relay that uses the credential tokens, and systemd-analyze
    /// finds nothing wrong with the unit.
    @Test func theSystemdUnitRunsARealRelayWithItsCredentials() async throws {
        let unit = try String(contentsOfFile: Self.root + "/packaging/systemd/myc-relay.service", encoding: .utf8)
        let state = TempDir(), credentials = TempDir()
        try FileManager.default.createDirectory(atPath: state.file("myc-relay"), withIntermediateDirectories: true)
        try "unit-invite-token\n".write(toFile: credentials.file("invite-token"), atomically: true, encoding: .utf8)
        try "unit-admin-token\n".write(toFile: credentials.file("admin-token"), atomically: true, encoding: .utf8)

        // ExecStart= with its continuation lines, as systemd joins them.
        var exec = ""
        var inExec = false
        for line in unit.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("ExecStart=") { inExec = true; exec = String(line.dropFirst("ExecStart=".count)) }
            else if inExec { exec += " " + line.trimmingCharacters(in: .whitespaces) }
            else { continue }
            if exec.hasSuffix("\\") { exec.removeLast() } else if inExec { break }
        }
        var words = exec.split(separator: " ").map(String.init)
        #expect(words.first == "/usr/local/bin/myc" && words.dropFirst().first == "relay", "ExecStart: \(exec)")
        words = Array(words.dropFirst(2)).map {
            $0.replacingOccurrences(of: "%S", with: state.path).replacingOccurrences(of: "%d", with: credentials.path)
        }
        // Loopback and a free port for the test; every other flag exactly as in the unit.
        if let host = words.firstIndex(of: "--host") { words[host + 1] = "127.0.0.1" }
        if let port = words.firstIndex(of: "--port") { words[port + 1] = "0" }

        let relay = Process()
        relay.executableURL = URL(fileURLWithPath: Myc.binary)
        relay.arguments = ["relay"] + words
        relay.environment = ["PATH": "/usr/bin:/bin", "HOME": state.file("myc-relay")]
        let out = Pipe()
        relay.standardOutput = out
        relay.standardError = Pipe()
        try relay.run()
        defer { if relay.isRunning { relay.terminate(); relay.waitUntilExit() } }
        var log = ""
        let deadline = Date().addingTimeInterval(20)
        while !log.contains("relay listening"), Date() < deadline, relay.isRunning {
            log += String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        }
        #expect(log.contains("relay listening"), "relay from the unit's ExecStart did not start: \(log)")
        #expect(FileManager.default.fileExists(atPath: state.file("myc-relay/relay.db")))
        #expect(FileManager.default.fileExists(atPath: state.file("myc-relay/relay-keys.json")))
        // It took the token from the credential instead of generating one into HOME.
        #expect(!FileManager.default.fileExists(atPath: state.file("myc-relay/.mycelium-relay-token")))
        relay.terminate()
        relay.waitUntilExit()

        // systemd's own check, with the binary and the man pages (Documentation=) installed.
        let dest = TempDir()
        let install = try Self.shell("make -s -C \(Self.root.shellQuoted) DESTDIR=\(dest.path.shellQuoted) MYC_BIN=\(Myc.binary.shellQuoted) install")
        #expect(install.status == 0)
        let copy = dest.file("myc-relay.service")
        try unit.replacingOccurrences(of: "/usr/local/bin/myc", with: dest.path + "/usr/local/bin/myc")
            .write(toFile: copy, atomically: true, encoding: .utf8)
        let verify = try Self.shell("systemd-analyze verify \(copy.shellQuoted)", env: ["MANPATH": dest.path + "/usr/local/share/man"])
        #expect(verify.status == 0 && verify.stderr.isEmpty && verify.stdout.isEmpty, "systemd-analyze: \(verify.stdout)\(verify.stderr)")
    }
}
