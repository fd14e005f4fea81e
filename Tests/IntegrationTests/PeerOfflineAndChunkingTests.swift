import Foundation
import MycKit
import Testing

/// Offline envelopes, chunking and the permission relay between real `myc mcp` processes.
@Suite(.serialized) struct PeerOfflineAndChunkingTests {
    @Test func messageToAnOfflinePeerArrivesWhenItReturns() throws {
        let relay = try RelayProcess()
        let alice = try MCPPeer("alice", relay: relay.url)
        let bobHome = TempDir()
        var bob = try MCPPeer("bob", relay: relay.url, home: bobHome)
        try alice.waitForVerifiedSession(with: "bob")
        bob.stop()
        try alice.waitForPeers { $0.contains("offline") && $0.contains("bob") }
        let sent = try alice.call("myc_send", ["target": "bob", "text": "while you were away"])
        #expect(sent.contains("📮"), "sealed to bob's identity key and queued by the relay: \(sent)")
        bob = try MCPPeer("bob", relay: relay.url, home: bobHome)
        let got = try bob.waitForMessage(from: "alice", content: "while you were away", timeout: 15)
        #expect(got["meta"]?.objectValue?["offline"] == true)
        #expect(got["meta"]?.objectValue?["tofu"]?.stringValue == "📮")
        alice.stop()
        bob.stop()
        relay.terminate()
    }

    @Test func oneMebibyteMessageCrossesTheRelayFrameCapIntact() throws {
        let relay = try RelayProcess()
        let alice = try MCPPeer("alice", relay: relay.url)
        let bob = try MCPPeer("bob", relay: relay.url)
        try alice.waitForVerifiedSession(with: "bob")
        // 1 MiB of multi-byte text, so code points straddle the 24,000-byte cuts.
        let unit = "ünïcödé→🙂 "
        var text = String(repeating: unit, count: 1_048_576 / unit.utf8.count)
        while text.utf8.count > 1_048_576 { text.removeLast() }
        let sent = try alice.call("myc_send", ["target": "bob", "text": .string(text)])
        #expect(sent.contains("chunks"), "\(sent)")
        let got = try bob.waitForMessage(from: "alice", content: text, timeout: 30)
        #expect(got["meta"]?.objectValue?["chunked"]?.numberValue ?? 0 > 40)
        let oneByteOver = text + String(repeating: "x", count: 1_048_577 - text.utf8.count)
        let tooBig = try alice.call("myc_send", ["target": "bob", "text": .string(oneByteOver)])
        #expect(tooBig.contains("❌"), "over MYC_MAX_MSG_BYTES is refused: \(tooBig.prefix(200))")
        alice.stop()
        bob.stop()
        relay.terminate()
    }

    @Test func permissionRequestAndVerdictRoundTrip() throws {
        let relay = try RelayProcess()
        let claude = try MCPPeer("claude", relay: relay.url)
        let human = try MCPPeer("human", relay: relay.url)
        try claude.waitForVerifiedSession(with: "human")
        // The host asks its peer for approval of a tool call.
        claude.client.notify("notifications/claude/channel/permission_request", params: [
            "request_id": "req-7", "tool_name": "Bash", "description": "list files", "input_preview": "ls -la",
        ])
        let shown = try human.client.waitForNotification("notifications/claude/channel") {
            $0["meta"]?.objectValue?["type"]?.stringValue == "permission_request"
        }
        #expect(shown["params"]?.objectValue?["meta"]?.objectValue?["request_id"]?.stringValue == "req-7")
        #expect(shown["params"]?.objectValue?["content"]?.stringValue?.contains("Bash") == true)
        // The approver answers through myc_send; the asking host gets the verdict.
        _ = try human.call("myc_send", ["target": "claude", "type": "_perm_verdict",
                                        "text": #"{"request_id":"req-7","behavior":"allow"}"#])
        let verdict = try claude.client.waitForNotification("notifications/claude/channel/permission")
        #expect(verdict["params"]?.objectValue?["request_id"]?.stringValue == "req-7")
        #expect(verdict["params"]?.objectValue?["behavior"]?.stringValue == "allow")
        #expect(!(try claude.call("myc_recv", ["peek": true])).contains("req-7\",\"behavior"), "verdicts never go to the inbox")
        claude.stop()
        human.stop()
        relay.terminate()
    }
}
