import Foundation
import MycKit
import Testing

/// `myc mcp --fake-peer` as Claude Code drives it: the real binary, stdio, hand-written
/// JSON-RPC. The peer behind the face is `DemoPeerService` (the test double), so these
/// tests hold the MCP surface (§6) to the wire, not the protocol engine.
@Suite struct MCPFaceTests {
    static let env = ["MYC_PEER": "alice", "MYC_ROOM": "general, ops ,general"]

    private func expectCleanExit(_ client: MCPTestClient, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(client.closeAndWait() == 0, "stderr: \(client.stderr)", sourceLocation: sourceLocation)
        #expect(client.protocolViolations.isEmpty, "stdout carried non-JSON-RPC: \(client.protocolViolations)",
                sourceLocation: sourceLocation)
    }

    @Test func initializeAnswersWithChannelCapabilities() throws {
        let client = try MCPTestClient(env: Self.env)
        let result = try client.initialize()
        #expect(result["serverInfo"] == .object(["name": "myc-alice", "version": "0.3.0"]))
        #expect(result["protocolVersion"] == "2025-06-18")
        let capabilities = try #require(result["capabilities"]?.objectValue)
        #expect(capabilities["experimental"] == .object(["claude/channel": .object([:]), "claude/channel/permission": .object([:])]))
        #expect(capabilities["tools"]?.objectValue != nil)
        let instructions = result["instructions"]?.stringValue ?? ""
        #expect(instructions.contains("\"alice\"") && instructions.contains("general, ops"))
        #expect(instructions.contains("myc_verify") && instructions.contains("myc_recv"))
        let ping = try client.request("ping")
        #expect(ping["result"] == .object([:]))
        expectCleanExit(client)
    }

    /// STACK.md: without the gate an `initialize` already waiting on stdin can reach the
    /// SDK's own handler (which refuses Claude Code's capabilities). Written before the
    /// child even starts, 20 times in a row.
    @Test func initializeWaitingOnStdinIsAlwaysAnswered() throws {
        for attempt in 1...20 {
            let client = try MCPTestClient(env: Self.env, preload: [MCPTestClient.initializeMessage()])
            let response = try client.waitForResponse(id: 1)
            let result = response["result"]?.objectValue
            #expect(result?["serverInfo"]?.objectValue?["name"] == "myc-alice", "attempt \(attempt): \(response)")
            #expect(result?["capabilities"]?.objectValue?["experimental"]?.objectValue?["claude/channel"] != nil,
                    "attempt \(attempt): \(response)")
            expectCleanExit(client)
        }
    }

    @Test func toolsListHasEveryToolWithItsSchema() throws {
        let client = try MCPTestClient(env: Self.env)
        try client.initialize()
        let tools = try client.listTools()
        #expect(tools.compactMap { $0["name"]?.stringValue }
            == ["myc_send", "myc_broadcast", "myc_recv", "myc_peers", "myc_rooms", "myc_trust", "myc_verify", "myc_rotate_key"])
        func shape(_ name: String) -> (properties: [String: String], required: Set<String>) {
            let schema = tools.first { $0["name"]?.stringValue == name }?["inputSchema"]?.objectValue ?? [:]
            #expect(schema["type"] == "object")
            var properties: [String: String] = [:]
            for (key, value) in schema["properties"]?.objectValue ?? [:] {
                properties[key] = value.objectValue?["type"]?.stringValue
            }
            return (properties, Set(schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []))
        }
        #expect(shape("myc_send").properties == ["target": "string", "text": "string", "type": "string", "request_id": "string", "room": "string"])
        #expect(shape("myc_send").required == ["target", "text"])
        #expect(shape("myc_broadcast").properties == ["text": "string", "type": "string", "room": "string", "include_offline": "boolean"])
        #expect(shape("myc_broadcast").required == ["text"])
        #expect(shape("myc_recv").properties == ["max": "number", "peek": "boolean"])
        #expect(shape("myc_peers").properties.isEmpty && shape("myc_rooms").properties.isEmpty)
        #expect(shape("myc_trust").properties == ["peer_name": "string", "room": "string", "confirm": "boolean"])
        #expect(shape("myc_trust").required == ["peer_name"])
        #expect(shape("myc_verify").properties == ["peer_name": "string", "room": "string"])
        #expect(shape("myc_rotate_key").properties == ["confirm": "boolean"])
        #expect(shape("myc_verify").required.isEmpty)
        // Descriptions name the joined rooms and the known peers.
        let send = tools.first { $0["name"] == "myc_send" }
        let target = send?["inputSchema"]?.objectValue?["properties"]?.objectValue?["target"]?.objectValue
        #expect(target?["description"]?.stringValue?.contains("bob") == true)
        let room = send?["inputSchema"]?.objectValue?["properties"]?.objectValue?["room"]?.objectValue
        #expect(room?["description"]?.stringValue?.contains("general, ops") == true)
        expectCleanExit(client)
    }

    @Test func everyToolReturnsText() throws {
        let client = try MCPTestClient(env: Self.env)
        try client.initialize()
        #expect(try client.callTool("myc_send", ["target": "bob", "text": "hello"]) == ("bob 🔒", false))
        #expect(try client.callTool("myc_send", ["target": "dave", "text": "later"]).text.hasPrefix("dave 📮"))
        #expect(try client.callTool("myc_send", ["target": "mallory", "text": "x"]).text.hasPrefix("mallory 🔴BLOCKED"))
        #expect(try client.callTool("myc_broadcast", ["text": "all", "include_offline": true]).text
            .hasPrefix("Broadcast (3): general/bob 🔒; general/carol 🔒 🆕; general/dave 📮"))
        #expect(try client.callTool("myc_recv", ["peek": true]).text.contains("bob@general (info): hello"))
        let peers = try client.callTool("myc_peers").text
        #expect(peers.hasPrefix("general:\n  bob 🔒 🤝") && peers.contains("ops:"))
        #expect(try client.callTool("myc_rooms").text.contains("general: 4 peer(s)"))
        #expect(try client.callTool("myc_trust", ["peer_name": "mallory", "room": "ops"]).text.hasPrefix("🔑 mallory@ops"))
        #expect(try client.callTool("myc_verify").text.hasPrefix("🔑 Your fingerprint (alice)"))
        #expect(try client.callTool("myc_verify", ["peer_name": "bob"]).text.contains("🤝"))
        // Drains, then the inbox is empty.
        #expect(try client.callTool("myc_recv", ["max": 500]).text.contains("hello"))
        #expect(try client.callTool("myc_recv", ["max": -3]).text == "No pending messages.")
        expectCleanExit(client)
    }

    @Test func badArgumentsAreToolErrorsAndUnknownToolsAreRPCErrors() throws {
        let client = try MCPTestClient(env: Self.env)
        try client.initialize()
        let missing = try client.callTool("myc_send", ["text": "no target"])
        #expect(missing.isError)
        #expect(missing.text.contains("missing required argument \"target\""))
        let wrong = try client.callTool("myc_recv", ["max": "ten"])
        #expect(wrong.isError)
        let unknown = try client.request("tools/call", params: ["name": "myc_rotate", "arguments": ["confirm": true]])
        #expect(unknown["result"] == nil)
        #expect(unknown["error"]?.objectValue?["message"]?.stringValue?.contains("Unknown tool: myc_rotate") == true)
        // The server is still fine afterwards.
        #expect(try client.callTool("myc_send", ["target": "bob", "text": "still here"]).text == "bob 🔒")
        expectCleanExit(client)
    }

    @Test func sendProducesAChannelNotificationWithOrderedMeta() throws {
        let client = try MCPTestClient(env: Self.env)
        try client.initialize()
        let text = "data:,multi\nline \"quoted\" ✅"
        _ = try client.callTool("myc_send", ["target": "carol", "text": .string(text), "type": "task", "request_id": "r-9"])
        let note = try client.waitForNotification("notifications/claude/channel")
        let params = try #require(note["params"]?.objectValue)
        #expect(params["content"] == .string(text))
        let meta = try #require(params["meta"]?.objectValue)
        #expect(meta.keys == ["from_peer", "type", "room", "msg_id", "e2e", "sig", "request_id", "tofu"])
        #expect(meta["from_peer"] == "carol" && meta["type"] == "task" && meta["room"] == "general")
        #expect(meta["e2e"] == "encrypted" && meta["sig"] == "✅" && meta["request_id"] == "r-9" && meta["tofu"] == "🆕")
        expectCleanExit(client)
    }

    @Test func permissionRequestReachesThePeerAndTheVerdictComesBack() throws {
        let client = try MCPTestClient(env: Self.env)
        try client.initialize()
        client.notify("notifications/claude/channel/permission_request", params: [
            "request_id": "abcde", "tool_name": "Bash", "description": "List files", "input_preview": "{\"command\":\"ls\"}",
        ])
        let verdict = try client.waitForNotification("notifications/claude/channel/permission")
        #expect(verdict["params"] == .object(["request_id": "abcde", "behavior": "allow"]))
        client.notify("notifications/claude/channel/permission_request", params: [
            "request_id": "fghij", "tool_name": "rm", "description": "delete", "input_preview": "-rf /",
        ])
        let denied = try client.waitForNotification("notifications/claude/channel/permission") { $0["request_id"] == "fghij" }
        #expect(denied["params"] == .object(["request_id": "fghij", "behavior": "deny"]))
        // A verdict sent by the model goes out only as …/permission, never as a channel message.
        _ = try client.callTool("myc_send", ["target": "bob", "type": "_perm_verdict",
                                             "text": #"{"request_id":"zzz","behavior":"deny"}"#])
        let relayed = try client.waitForNotification("notifications/claude/channel/permission") { $0["request_id"] == "zzz" }
        #expect(relayed["params"] == .object(["request_id": "zzz", "behavior": "deny"]))
        Thread.sleep(forTimeInterval: 0.2)
        #expect(!client.notifications.contains { $0["method"] == "notifications/claude/channel" })
        expectCleanExit(client)
    }

    @Test func stdoutCarriesOnlyJSONRPCUnderLoad() throws {
        let client = try MCPTestClient(env: Self.env)
        try client.initialize()
        // Large results and notifications interleaved: every line must stay whole.
        let big = String(repeating: "x", count: 200_000)
        for i in 0..<10 {
            client.send(["jsonrpc": "2.0", "id": .number(Double(1000 + i)), "method": "tools/call",
                         "params": ["name": "myc_send", "arguments": ["target": "bob", "text": .string(big)]]])
        }
        for i in 0..<10 { _ = try client.waitForResponse(id: .number(Double(1000 + i)), timeout: 30) }
        let recv = try client.callTool("myc_recv", ["max": 500])
        #expect(recv.text.split(separator: "\n").count == 10)
        let deadline = Date().addingTimeInterval(10)
        while client.notifications.count < 10, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(client.notifications.count == 10)
        #expect(client.notifications.allSatisfy { $0["params"]?.objectValue?["content"] == .string(big) })
        expectCleanExit(client)
    }

    @Test func missingConfigurationIsAClearErrorOnStderr() throws {
        let result = try Myc.run(["mcp"], env: ["MYC_PEER": "alice"])
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty, "stdout belongs to MCP even when failing")
        #expect(result.stderr.contains("MYC_RELAY"))
        let noName = try Myc.run(["mcp"], env: ["MYC_RELAY": "ws://127.0.0.1:9"])
        #expect(noName.stderr.contains("MYC_PEER"))
        let badURL = try Myc.run(["mcp"], env: ["MYC_RELAY": "http://x", "MYC_PEER": "a"])
        #expect(badURL.stderr.contains("not a relay URL"))
        let reserved = try Myc.run(["mcp"], env: ["MYC_RELAY": "ws://127.0.0.1:9", "MYC_PEER": "_relay"])
        #expect(reserved.stderr.contains("reserved"))
        let help = try Myc.run(["mcp", "--help"])
        for variable in ["MYC_RELAY", "MYC_TOKEN", "MYC_PEER", "MYC_ROOM", "MYC_KEY_FILE", "MYC_KEY_PASSPHRASE",
                         "MYC_TOFU_FILE", "MYC_REPLAY_FILE", "MYC_RELAY_FINGERPRINT", "MYC_OFFLINE_MAX_AGE_S",
                         "MYC_MAX_MSG_BYTES"] {
            #expect(help.stdout.contains(variable), "help lacks \(variable)")
        }
        #expect(!help.stdout.contains("fake-peer"))
        #expect(help.stdout.contains("MYC_STATE_DB"))
    }
}
