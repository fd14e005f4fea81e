import Testing
@testable import MycKit

/// Tool calls through `MCPToolDispatcher` against the demo service (the test double).
@Suite struct MCPToolDispatcherTests {
    let service = DemoPeerService(name: "alice", rooms: ["general", "ops"], clock: { 1_700_000_000_000 })
    var dispatcher: MCPToolDispatcher { MCPToolDispatcher(service: service) }

    @Test func sendEchoesAndRecvDrains() async throws {
        let sent = try await dispatcher.call(name: "myc_send", arguments: ["target": "bob", "text": "hi", "request_id": "q"])
        #expect(sent == MCPToolResult(text: "bob 🔒"))
        let peek = try await dispatcher.call(name: "myc_recv", arguments: ["peek": true])
        #expect(peek.text == "[22:13:20] bob@general (info, req q): hi")
        let drained = try await dispatcher.call(name: "myc_recv", arguments: [:])
        #expect(drained.text == peek.text)
        #expect(try await dispatcher.call(name: "myc_recv", arguments: [:]).text == "No pending messages.")
    }

    @Test func sendOutcomes() async throws {
        #expect(try await dispatcher.call(name: "myc_send", arguments: ["target": "carol", "text": "x"]).text == "carol 🔒 🆕")
        #expect(try await dispatcher.call(name: "myc_send", arguments: ["target": "dave", "text": "x"]).text.hasPrefix("dave 📮"))
        #expect(try await dispatcher.call(name: "myc_send", arguments: ["target": "mallory", "text": "x"]).text.hasPrefix("mallory 🔴BLOCKED"))
        #expect(try await dispatcher.call(name: "myc_send", arguments: ["target": "zed", "text": "x"]).text.hasPrefix("zed 🔴 unknown peer"))
        #expect(try await dispatcher.call(name: "myc_send", arguments: ["target": "bob", "text": "x", "type": "_ack"]).text
            .hasPrefix("❌ Invalid message type"))
        #expect(try await dispatcher.call(name: "myc_send", arguments: ["target": "bob", "text": "x", "room": "nope"]).text
            .hasPrefix("❌ Not a member of room \"nope\""))
        let big = String(repeating: "a", count: 50_000)
        #expect(try await dispatcher.call(name: "myc_send", arguments: ["target": "bob", "text": .string(big)]).text == "bob 🔒 (3 chunks)")
    }

    @Test func argumentErrorsAreToolErrors() async throws {
        let result = try await dispatcher.call(name: "myc_send", arguments: ["text": "hi"])
        #expect(result.isError)
        #expect(result.text == "❌ myc_send: missing required argument \"target\".")
    }

    @Test func unknownToolThrows() async {
        await #expect(throws: MCPUnknownToolError(name: "myc_rotate")) {
            try await dispatcher.call(name: "myc_rotate", arguments: ["confirm": true])
        }
    }

    @Test func rotateKeyWarnsWithoutConfirmAndReportsCounts() async throws {
        let warning = try await dispatcher.call(name: "myc_rotate_key", arguments: [:]).text
        #expect(warning.hasPrefix("Key rotation is PERMANENT. Current fingerprint: de00:de00:"))
        #expect(warning.hasSuffix("Call again with confirm=true."))
        let done = try await dispatcher.call(name: "myc_rotate_key", arguments: ["confirm": true]).text
        #expect(done.hasPrefix("✅ Identity rotated. New fingerprint: 0001:de00:"))
        #expect(done.contains("Announced to 1 online peer(s), 1 offline envelope(s)."))
        let bad = try await dispatcher.call(name: "myc_rotate_key", arguments: ["confirm": "yes"])
        #expect(bad.isError)
        #expect(bad.text == "❌ myc_rotate_key: argument \"confirm\" must be a boolean.")
    }

    @Test func everyToolAnswers() async throws {
        #expect(try await dispatcher.call(name: "myc_broadcast", arguments: ["text": "x"]).text
            == "Broadcast (2): general/bob 🔒; general/carol 🔒 🆕")
        #expect(try await dispatcher.call(name: "myc_peers", arguments: [:]).text.hasPrefix("general:\n  bob 🔒 🤝"))
        #expect(try await dispatcher.call(name: "myc_rooms", arguments: [:]).text.contains("(joined)"))
        #expect(try await dispatcher.call(name: "myc_trust", arguments: ["peer_name": "mallory"]).text.contains("general, ops"))
        #expect(try await dispatcher.call(name: "myc_trust", arguments: ["peer_name": "mallory", "room": "ops"]).text.hasPrefix("🔑 mallory@ops"))
        #expect(try await dispatcher.call(name: "myc_verify", arguments: ["peer_name": "mallory"]).text.hasPrefix("⚠️ mallory is BLOCKED"))
        #expect(try await dispatcher.call(name: "myc_trust", arguments: ["peer_name": "mallory", "room": "ops", "confirm": true]).text
            .hasPrefix("✅ mallory@ops trusted"))
        #expect(try await dispatcher.call(name: "myc_verify", arguments: [:]).text.hasPrefix("🔑 Your fingerprint (alice)"))
        #expect(try await dispatcher.call(name: "myc_verify", arguments: ["peer_name": "bob"]).text.hasPrefix("🔑 bob@general"))
        #expect(try await dispatcher.call(name: "myc_verify", arguments: ["peer_name": "zed"]).text == "No pinned key for zed.")
    }

    @Test func toolsListKnownPeers() async {
        let tools = await dispatcher.tools()
        #expect(tools.count == 8)
        #expect(tools.last?.name == "myc_rotate_key")
        #expect(tools[0].description.contains("bob, carol, mallory, dave"))
    }

    @Test func knownPeersAreDeduplicatedInOrder() {
        let snapshot = PeersSnapshot(rooms: [
            .init(name: "a", live: [.init(name: "bob", trust: .pinned, stsVerified: false, blocked: false)], offlineKnown: ["dave"]),
            .init(name: "b", live: [.init(name: "dave", trust: .pinned, stsVerified: false, blocked: false)], offlineKnown: ["bob", "erin"]),
        ], blocked: [], inboxPending: 0, disconnectedAttempt: nil)
        #expect(MCPToolDispatcher.knownPeers(snapshot) == ["bob", "dave", "erin"])
    }
}
