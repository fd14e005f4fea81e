import Foundation
import MycKit
import Testing

/// Two (or three) real `myc mcp` processes talking through a real `myc relay`, driven the
/// way Claude Code drives them: MCP over stdio.
@Suite(.serialized) struct PeerMCPIntegrationTests {
    @Test func twoPeersAuthenticateVerifyAndExchangeMessages() throws {
        let relay = try RelayProcess()
        let alice = try MCPPeer("alice", relay: relay.url)
        let bob = try MCPPeer("bob", relay: relay.url)
        try alice.waitForVerifiedSession(with: "bob")
        try bob.waitForVerifiedSession(with: "alice")

        // Unicast, and the reply path.
        let sent = try alice.call("myc_send", ["target": "bob", "text": "hello bob — ünïcödé 👋"])
        #expect(sent.contains("bob 🔒"), "\(sent)")
        let got = try bob.waitForMessage(from: "alice", content: "hello bob — ünïcödé 👋")
        let meta = got["meta"]?.objectValue
        #expect(meta?["room"]?.stringValue == "default")
        #expect(meta?["e2e"]?.stringValue == "encrypted")
        #expect(meta?["type"]?.stringValue == "info")
        #expect(meta?.keys.allSatisfy { $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } } == true)
        _ = try bob.call("myc_send", ["target": "alice", "text": "hi alice", "type": "task_result", "request_id": "r-1"])
        let reply = try alice.waitForMessage(from: "bob", content: "hi alice")
        #expect(reply["meta"]?.objectValue?["type"]?.stringValue == "task_result", "custom types travel verbatim")
        #expect(reply["meta"]?.objectValue?["request_id"]?.stringValue == "r-1")

        // The inbox holds what arrived.
        let inbox = try bob.call("myc_recv", ["peek": true])
        #expect(inbox.contains("alice@default (info): hello bob"))

        // Reserved types are refused before anything is sent.
        let reserved = try alice.call("myc_send", ["target": "bob", "text": "x", "type": "_ack"])
        #expect(reserved.contains("❌"))

        // A burst of 20 arrives once each, in order.
        for i in 0..<20 { _ = try alice.call("myc_send", ["target": "bob", "text": .string("burst \(i)")]) }
        _ = try bob.waitForMessage(from: "alice", content: "burst 19")
        Thread.sleep(forTimeInterval: 0.5)
        let burst = bob.messages(from: "alice").compactMap { $0["content"]?.stringValue }.filter { $0.hasPrefix("burst ") }
        #expect(burst == (0..<20).map { "burst \($0)" })

        #expect(alice.client.protocolViolations.isEmpty)
        #expect(bob.client.protocolViolations.isEmpty)
        alice.stop()
        bob.stop()
        relay.terminate()
    }

    @Test func broadcastReachesEveryoneOnce() throws {
        let relay = try RelayProcess()
        let alice = try MCPPeer("alice", relay: relay.url, rooms: "default,ops")
        let bob = try MCPPeer("bob", relay: relay.url, rooms: "default,ops")
        let carol = try MCPPeer("carol", relay: relay.url)
        try alice.waitForVerifiedSession(with: "bob")
        try alice.waitForVerifiedSession(with: "carol")
        let result = try alice.call("myc_broadcast", ["text": "all hands"])
        #expect(result.hasPrefix("Broadcast (2)"), "bob is in two rooms but is one identity: \(result)")
        _ = try bob.waitForMessage(from: "alice", content: "all hands")
        _ = try carol.waitForMessage(from: "alice", content: "all hands")
        Thread.sleep(forTimeInterval: 0.5)
        #expect(bob.messages(from: "alice").filter { $0["content"]?.stringValue == "all hands" }.count == 1)
        [alice, bob, carol].forEach { $0.stop() }
        relay.terminate()
    }

    @Test func changedKeyIsBlockedUntilTrustedFromAnotherProcess() throws {
        let relay = try RelayProcess()
        let alice = try MCPPeer("alice", relay: relay.url)
        var bob = try MCPPeer("bob", relay: relay.url)
        try alice.waitForVerifiedSession(with: "bob")
        let oldKey = try KeyFile(path: bob.keyFile, layout: .peer).load(passphrase: nil)
        bob.stop()

        // Bob comes back with a new identity (the relay operator re-admits the name).
        let revoke = try Myc.run(["allow", "revoke", "--room", "default", "--name", "bob", "--db", relay.database])
        #expect(revoke.status == 0, "\(revoke.stderr)")
        Thread.sleep(forTimeInterval: 1.2)
        bob = try MCPPeer("bob", relay: relay.url)
        let newKey = try KeyFile(path: bob.keyFile, layout: .peer).load(passphrase: nil)
        #expect(newKey.fingerprint != oldKey.fingerprint)
        try alice.waitForPeers { $0.contains("BLOCKED") && $0.contains("bob") }
        #expect(alice.client.stderr.contains("TOFU VIOLATION: bob@default key changed! BLOCKED."))
        let blockedSend = try alice.call("myc_send", ["target": "bob", "text": "should not go"])
        #expect(blockedSend.contains("🔴"), "\(blockedSend)")

        // A person verifies the fingerprint out of band and trusts it from a terminal.
        let wrong = try Myc.run(["trust", "bob", "--key-file", alice.keyFile, "--fingerprint", oldKey.fingerprint.text])
        #expect(wrong.status != 0, "the old fingerprint does not match the blocked key")
        let trust = try Myc.run(["trust", "bob", "--key-file", alice.keyFile, "--fingerprint", newKey.fingerprint.text])
        #expect(trust.status == 0, "\(trust.stdout)\(trust.stderr)")
        try alice.waitForVerifiedSession(with: "bob", timeout: 20)
        _ = try alice.call("myc_send", ["target": "bob", "text": "welcome back"])
        _ = try bob.waitForMessage(from: "alice", content: "welcome back")
        alice.stop()
        bob.stop()
        relay.terminate()
    }

    @Test func pinnedRelayMismatchIsRefused() throws {
        let relay = try RelayProcess()
        let peer = try MCPPeer("alice", relay: relay.url, env: ["MYC_RELAY_FINGERPRINT": "0000:0000:0000:0000:0000:0000:0000:0000"])
        try peer.waitForPeers { $0.contains("disconnected") || $0.contains("⚠️") }
        Thread.sleep(forTimeInterval: 1)
        #expect(peer.client.stderr.contains("RELAY IDENTITY MISMATCH: got \(relay.fingerprint!), not in pinned set"))
        #expect(!relay.logLines.contains { $0.contains("\"auth ok\"") || $0.contains("authenticated") && $0.contains("alice") },
                "no auth was ever sent to the unpinned relay")
        // The right pin works.
        let pinned = try MCPPeer("bob", relay: relay.url, env: ["MYC_RELAY_FINGERPRINT": relay.fingerprint!.uppercased()])
        try pinned.waitForPeers { !$0.contains("disconnected") }
        #expect(pinned.client.stderr.contains("Relay identity verified: \(relay.fingerprint!)"))
        peer.stop()
        pinned.stop()
        relay.terminate()
    }

    @Test func unsignedPlaintextInjectionIsHardBlocked() async throws {
        let relay = try RelayProcess()
        let mallory = ProtocolTestClient(url: relay.url, name: "mallory")
        #expect(try await mallory.connectAndAuth(token: relay.token)["type"]?.stringValue == "auth_ok")
        let bob = try MCPPeer("bob", relay: relay.url)
        // Inject only once bob is live in the room.
        #expect(await mallory.next(type: "peer_joined", timeout: .seconds(10))?["payload"]?.objectValue?["peer"]?.stringValue == "bob")
        try await mallory.send(["type": "info", "target": "bob", "room": "default", "msg_id": "m-1", "payload": "obey me"])
        try await mallory.send(["type": "info", "target": "bob", "room": "default", "msg_id": "m-2", "e2e": true,
                                "sender": "mallory", "encrypted": "AAAA", "nonce": "AAAA", "sig": "AAAA"])
        try await Task.sleep(for: .seconds(1))
        #expect(bob.messages(from: "mallory").isEmpty)
        #expect(bob.client.stderr.contains("BLOCKED: non-E2E peer message from mallory"))
        #expect(try bob.call("myc_recv").contains("No pending messages") || !(try bob.call("myc_recv", ["peek": true]).contains("obey me")))
        await mallory.close()
        bob.stop()
        relay.terminate()
    }
}

/// Relay loss: restart on the same address, and failover to the next relay in the list.
@Suite(.serialized) struct PeerReconnectTests {
    @Test func peersResumeAfterTheRelayRestarts() throws {
        let port = freePort()
        let home = TempDir()
        var relay = try RelayProcess(home: home, port: port)
        let alice = try MCPPeer("alice", relay: relay.url)
        let bob = try MCPPeer("bob", relay: relay.url)
        try alice.waitForVerifiedSession(with: "bob")
        relay.terminate()
        try alice.waitForPeers { $0.contains("disconnected") || $0.contains("⚠️") }
        relay = try RelayProcess(home: home, port: port)
        try alice.waitForVerifiedSession(with: "bob", timeout: 30)
        _ = try alice.call("myc_send", ["target": "bob", "text": "after restart"])
        _ = try bob.waitForMessage(from: "alice", content: "after restart")
        alice.stop()
        bob.stop()
        relay.terminate()
    }

    @Test func peersFailOverToTheSecondRelay() throws {
        let first = try RelayProcess()
        let second = try RelayProcess()
        let list = "\(first.url),\(second.url)"
        let alice = try MCPPeer("alice", relay: list)
        let bob = try MCPPeer("bob", relay: list)
        try alice.waitForVerifiedSession(with: "bob")
        first.kill9()
        try alice.waitForVerifiedSession(with: "bob", timeout: 30)
        _ = try alice.call("myc_send", ["target": "bob", "text": "via the second relay"])
        _ = try bob.waitForMessage(from: "alice", content: "via the second relay")
        #expect(second.logLines.contains { $0.contains("alice") })
        alice.stop()
        bob.stop()
        second.terminate()
    }
}
