import Foundation
import MycKit

/// A real `myc mcp` peer process, configured like Claude Code would configure it (only
/// `MYC_*` variables), driven through `MCPTestClient`.
final class MCPPeer: @unchecked Sendable {
    let name: String
    let home: TempDir
    let client: MCPTestClient
    var keyFile: String { home.file("keys.json") }

    init(_ name: String, relay: String, token: String? = "test-invite-token", rooms: String = "default",
         home: TempDir = TempDir(), env: [String: String] = [:], args: [String] = []) throws {
        self.name = name
        self.home = home
        var environment = ["MYC_PEER": name, "MYC_RELAY": relay, "MYC_ROOM": rooms,
                           "MYC_KEY_FILE": home.file("keys.json"), "HOME": home.path]
        if let token { environment["MYC_TOKEN"] = token }
        for (k, v) in env { environment[k] = v }
        client = try MCPTestClient(args: ["mcp"] + args, env: environment)
        try client.initialize()
    }

    func call(_ tool: String, _ args: JSONObject = [:]) throws -> String {
        try client.callTool(tool, args).text
    }

    /// Polls `myc_peers` until `predicate` holds for its text.
    @discardableResult
    func waitForPeers(timeout: TimeInterval = 15, _ predicate: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try call("myc_peers")
            if predicate(last) { return last }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw MCPTestClientError(description: "\(name): myc_peers never matched; last:\n\(last)\nstderr:\n\(client.stderr)")
    }

    /// Waits until `peer` has a live session here, STS-verified.
    func waitForVerifiedSession(with peer: String, timeout: TimeInterval = 15) throws {
        try waitForPeers(timeout: timeout) { text in
            text.split(separator: "\n").contains { $0.contains(" \(peer) ") && $0.contains("🤝") }
                || text.split(separator: "\n").contains { $0.hasSuffix(" \(peer) 🔒 🤝") || $0.hasSuffix(" \(peer) 🆕 🤝") }
        }
    }

    /// Channel notifications whose meta says they came from `from`.
    func messages(from: String) -> [JSONObject] {
        client.notifications.filter {
            $0["method"]?.stringValue == "notifications/claude/channel"
                && $0["params"]?.objectValue?["meta"]?.objectValue?["from_peer"]?.stringValue == from
        }.compactMap { $0["params"]?.objectValue }
    }

    func waitForMessage(from: String, content: String, timeout: TimeInterval = 10) throws -> JSONObject {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let hit = messages(from: from).first(where: { $0["content"]?.stringValue == content }) { return hit }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw MCPTestClientError(description: "\(name): no message \(content.debugDescription) from \(from); stderr:\n\(client.stderr)")
    }

    /// Events (`meta.type`) seen so far.
    func events(_ type: String) -> [JSONObject] {
        client.notifications.compactMap { $0["params"]?.objectValue }
            .filter { $0["meta"]?.objectValue?["type"]?.stringValue == type && $0["meta"]?.objectValue?["from_peer"] == nil }
    }

    func stop() { _ = client.closeAndWait() }

    /// SIGKILL: no shutdown, no flush, nothing after the last committed write.
    func kill9() {
        kill(client.process.processIdentifier, SIGKILL)
        client.process.waitUntilExit()
    }
}
