import Foundation
import MycKit
import Testing

/// `myc chat` in a real terminal (tmux) against a real `myc relay`, talking with a real
/// `myc mcp` peer driven as Claude Code drives it.
@Suite(.serialized, .enabled(if: TmuxTerminal.available, "needs tmux"))
struct ChatTerminalTests {
    /// `myc chat` as `name` in a fresh home, in a tmux pane.
    func chat(_ name: String, relay: RelayProcess, home: TempDir = TempDir(), env: [String: String] = [:]) throws -> TmuxTerminal {
        var environment = ["MYC_RELAY": relay.url, "MYC_PEER": name, "MYC_TOKEN": relay.token,
                           "MYC_KEY_FILE": home.file("keys.json"), "HOME": home.path]
        for (k, v) in env { environment[k] = v }
        let term = try TmuxTerminal(mycArgs: ["chat", "--log-level", "notice"], env: environment)
        term.keepAlive.append(home)
        return term
    }

    /// Waits until the peer list shows `name` live (🆕 first seen, 🔒 pinned).
    func waitUntilListed(_ name: String, _ term: TmuxTerminal) throws {
        try term.waitFor("\(name) listed") { $0.contains { $0.hasPrefix("  \(name) 🆕") || $0.hasPrefix("  \(name) 🔒") } }
    }

    @Test func incomingMessageLandsAboveTheHalfTypedLine() throws {
        let relay = try RelayProcess()
        let claude = try MCPPeer("claude", relay: relay.url)
        let home = TempDir()
        let term = try chat("ada", relay: relay, home: home)
        try term.waitFor(text: "connected to relay \(relay.url)")
        try waitUntilListed("claude", term)  // the banner's peer list: claude is live here
        try claude.waitForVerifiedSession(with: "ada")

        // Half a line, cursor moved back into it.
        try term.type("half typed ünï")
        try term.press("Left", "Left", "Left")
        let prompt = "#default> half typed ünï"
        try term.waitFor("the half line") { _ in (try? term.lastLine().text) == prompt }
        let before = try term.cursor()
        #expect(before.x == prompt.count - 3)

        _ = try claude.call("myc_send", ["target": "ada", "text": "hello from claude"])
        // First contact: a new pin (🆕), session verified by STS (🤝).
        let rows = try term.waitFor(text: "claude 🆕🤝: hello from claude")
        let messageRow = rows.firstIndex { $0.contains("claude 🆕🤝: hello from claude") }!
        let last = try term.lastLine()
        #expect(last.text == prompt, "the half line is redrawn intact below the message:\n\(rows.joined(separator: "\n"))")
        #expect(messageRow < last.index)
        #expect(try term.cursor() == (before.x, last.index), "the cursor is where it was")

        // Typing goes on at the cursor, and Enter sends the whole line to the room.
        try term.type("X")
        try term.waitFor("the insertion") { _ in (try? term.lastLine().text) == "#default> half typed Xünï" }
        try term.press("Enter")
        _ = try claude.waitForMessage(from: "ada", content: "half typed Xünï")
        try term.waitFor(text: "→ claude 🔒")
        claude.stop()
        relay.terminate()
    }

    @Test func tabCompletesAPeerNameToAnAddress() throws {
        let relay = try RelayProcess()
        let claude = try MCPPeer("claude", relay: relay.url)
        let term = try chat("ada", relay: relay)
        try waitUntilListed("claude", term)
        try term.type("cl")
        try term.press("Tab")
        try term.waitFor("completion") { _ in (try? term.lastLine().text) == "#default> claude:" }
        #expect(try term.cursor().x == "#default> claude: ".count, "completion ends with the space after the colon")
        try term.type("just for you")
        try term.press("Enter")
        _ = try claude.waitForMessage(from: "ada", content: "just for you")
        // And a command name, then a room argument.
        try term.type("/ro")
        try term.press("Tab", "Tab")
        try term.waitFor(text: "/rooms")
        try term.press("C-u")
        try term.type("/roo")
        try term.press("Tab")
        try term.waitFor("command completion") { _ in (try? term.lastLine().text)?.hasPrefix("#default> /room") == true }
        claude.stop()
        relay.terminate()
    }

    @Test func trustFlowAfterAKeyChange() throws {
        let relay = try RelayProcess()
        var claude = try MCPPeer("claude", relay: relay.url)
        let home = TempDir()
        let term = try chat("ada", relay: relay, home: home)
        try waitUntilListed("claude", term)
        try claude.waitForVerifiedSession(with: "ada")
        claude.stop()
        // Claude comes back with a new identity (the operator re-admits the name).
        let revoke = try Myc.run(["allow", "revoke", "--room", "default", "--name", "claude", "--db", relay.database])
        #expect(revoke.status == 0, "\(revoke.stderr)")
        Thread.sleep(forTimeInterval: 1.2)  // the relay reads the revocation on its next store poll
        claude = try MCPPeer("claude", relay: relay.url)
        let newKey = try KeyFile(path: claude.keyFile, layout: .peer).load(passphrase: nil)
        try term.waitFor(text: "BLOCKED")
        try term.type("/trust claude")
        try term.press("Enter")
        try term.waitFor(text: "claude@default presents a NEW key: \(newKey.fingerprint.text)")
        try term.waitFor("the question prompt") { _ in (try? term.lastLine().text) == "(yes/no)>" }
        try term.type("yes")
        try term.press("Enter")
        try term.waitFor(text: "✅ claude@default trusted (\(newKey.fingerprint.text))")
        try claude.waitForVerifiedSession(with: "ada", timeout: 20)
        try term.type("claude: welcome back")
        try term.press("Enter")
        _ = try claude.waitForMessage(from: "ada", content: "welcome back")

        // The history keeps the command, never the answer; it is private to this user.
        try term.press("C-d")
        let historyPath = ChatHistory.path(forKeyFile: home.file("keys.json"))
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, !term.paneDead { Thread.sleep(forTimeInterval: 0.05) }
        #expect(term.paneDead, "Ctrl-D on an empty line quits")
        let history = try String(contentsOfFile: historyPath, encoding: .utf8)
        #expect(history.contains("/trust"))
        #expect(history.contains("welcome"))
        #expect(!history.split(separator: "\n").contains { $0 == "yes" }, "\(history)")
        let mode = try FileManager.default.attributesOfItem(atPath: historyPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        claude.stop()
        relay.terminate()
    }

    @Test func permissionRequestApprovedFromTheTerminal() throws {
        let relay = try RelayProcess()
        let claude = try MCPPeer("claude", relay: relay.url)
        let term = try chat("ada", relay: relay)
        try waitUntilListed("claude", term)
        try claude.waitForVerifiedSession(with: "ada")
        try term.type("half")
        claude.client.notify("notifications/claude/channel/permission_request", params: [
            "request_id": "req-7", "tool_name": "Bash", "description": "list files", "input_preview": "ls -la /tmp",
        ])
        try term.waitFor(text: "PERMISSION REQUEST req-7 from claude")
        let rows = try term.waitFor(text: "/approve req-7  or  /deny req-7")
        #expect(rows.contains { $0.contains("claude needs approval: Bash: list files") })
        #expect(rows.contains { $0.contains("ls -la /tmp") })
        #expect(try term.lastLine().text == "#default> half")
        try term.press("C-u")
        try term.type("/approve req-7")
        try term.press("Enter")
        try term.waitFor(text: "allowed req-7 for claude")
        let verdict = try claude.client.waitForNotification("notifications/claude/channel/permission")
        #expect(verdict["params"]?.objectValue?["request_id"]?.stringValue == "req-7")
        #expect(verdict["params"]?.objectValue?["behavior"]?.stringValue == "allow")
        claude.stop()
        relay.terminate()
    }
}
