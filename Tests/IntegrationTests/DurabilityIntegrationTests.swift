import Foundation
import MycKit
import Testing

/// Crash durability between real processes (issue #5 item 2): `kill -9` of a sender, of the
/// relay and of a recipient loses no accepted message, delivers none twice and reports
/// each outcome once.
@Suite(.serialized) struct DurabilityIntegrationTests {
    /// Lines of a `myc_recv` drain that carry `text` from `from`.
    static func inboxLines(_ drained: String, from: String, _ text: String) -> Int {
        drained.split(separator: "\n").filter { $0.contains("] \(from)@") && $0.hasSuffix("): \(text)") }.count
    }

    /// Waits until `peer`'s stderr contains `needle`.
    static func waitForLog(_ peer: MCPPeer, _ needle: String, timeout: TimeInterval = 15) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if peer.client.stderr.contains(needle) { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw MCPTestClientError(description: "\(peer.name): no log line containing \(needle.debugDescription); stderr:\n\(peer.client.stderr)")
    }

    /// A message each way and back: everything either side had in flight before it (a
    /// queued duplicate, a late re-ack) has been handled once this returns.
    static func roundTrip(_ a: MCPPeer, _ b: MCPPeer, tag: String) throws {
        _ = try a.call("myc_send", ["target": .string(b.name), "text": .string("sync-\(tag)-1")])
        _ = try b.waitForMessage(from: a.name, content: "sync-\(tag)-1", timeout: 20)
        _ = try b.call("myc_send", ["target": .string(a.name), "text": .string("sync-\(tag)-2")])
        _ = try a.waitForMessage(from: b.name, content: "sync-\(tag)-2", timeout: 20)
    }

    static func delivered(_ peer: MCPPeer) -> [JSONObject] { peer.events("delivered") }

    /// The peer's database, next to its key file (read by a second connection, as `myc
    /// trust` would).
    static func databasePath(_ peer: MCPPeer) -> String { peer.home.file("keys.state.db") }

    static func storedOutbox(_ peer: MCPPeer) throws -> [DurableOutboxEntry] {
        let store = try SQLitePeerStore(path: databasePath(peer))
        defer { try? store.close() }
        return try store.loadSnapshot(nowMs: 0).outbox
    }

    static func databaseBytes(_ peer: MCPPeer) -> [UInt8] {
        let path = databasePath(peer)
        return [path, path + "-wal"].flatMap { FileManager.default.contents(atPath: $0).map { [UInt8]($0) } ?? [] }
    }

    @Test func killedSenderAndRestartedRelayStillDeliverOnceAndReportOnce() throws {
        let port = freePort()
        let relayHome = TempDir()
        var relay = try RelayProcess(home: relayHome, port: port)
        let aliceHome = TempDir()
        let bobHome = TempDir()
        var alice = try MCPPeer("alice", relay: relay.url, home: aliceHome)
        var bob = try MCPPeer("bob", relay: relay.url, home: bobHome)
        try alice.waitForVerifiedSession(with: "bob")
        bob.stop()
        try alice.waitForPeers { $0.contains("offline") && $0.contains("bob") }

        let text = "accepted, then the sender died"
        let sent = try alice.call("myc_send", ["target": "bob", "text": .string(text)])
        #expect(sent.contains("📮"), "\(sent)")
        alice.kill9()
        // On disk: the entry, sealed; never the text.
        #expect(try Self.storedOutbox(alice).count == 1)
        #expect(!Self.databaseBytes(alice).contains(subsequence: Array(text.utf8)))
        relay.kill9()
        relay = try RelayProcess(home: relayHome, port: port)

        // The restarted sender restores the entry and retransmits it (same msg_id) before
        // the recipient is back, so the relay may now hold two copies.
        alice = try MCPPeer("alice", relay: relay.url, home: aliceHome, args: ["--log-level", "debug"])
        try Self.waitForLog(alice, "Restored 1 unacknowledged message(s)")
        try Self.waitForLog(alice, "retransmitting")

        bob = try MCPPeer("bob", relay: relay.url, home: bobHome)
        let got = try bob.waitForMessage(from: "alice", content: text, timeout: 20)
        let msgID = try #require(got["meta"]?.objectValue?["msg_id"]?.stringValue)
        let report = try alice.client.waitForNotification("notifications/claude/channel", timeout: 20) {
            $0["meta"]?.objectValue?["type"]?.stringValue == "delivered"
        }
        #expect(report["params"]?.objectValue?["meta"]?.objectValue?["msg_id"]?.stringValue == msgID)

        try Self.roundTrip(alice, bob, tag: "a")
        #expect(bob.messages(from: "alice").filter { $0["content"]?.stringValue == text }.count == 1)
        #expect(Self.inboxLines(try bob.call("myc_recv", ["max": 500]), from: "alice", text) == 1)
        #expect(Self.delivered(alice).count == 1, "the restarted sender reports it delivered once")
        #expect(alice.events("delivery_failed").isEmpty)
        let aliceInbox = try alice.call("myc_recv", ["max": 500])
        #expect(aliceInbox.components(separatedBy: "Message \(msgID) to bob@default confirmed delivered").count == 2)
        #expect(!alice.client.stderr.contains(text), "plaintext never reaches a log")

        alice.stop()
        bob.stop()
        relay.terminate()
    }

    @Test func recipientKilledMidBurstLosesNothingAndDuplicatesNothing() throws {
        let relay = try RelayProcess()
        let alice = try MCPPeer("alice", relay: relay.url)
        let bobHome = TempDir()
        var bob = try MCPPeer("bob", relay: relay.url, home: bobHome)
        try alice.waitForVerifiedSession(with: "bob")
        try bob.waitForVerifiedSession(with: "alice")

        // The burst is sent from another thread while this one kills the recipient as soon
        // as the first messages show up: it dies with more of the burst in flight. 45 stays
        // under the relay's per-recipient queue cap (50): beyond it the relay refuses (and
        // the sender reports `delivery_failed`), which is not what this test is about.
        let texts = (0..<45).map { String(format: "burst-%02d", $0) }
        let failures = LockedBox<[String]>([])
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            for text in texts {
                do {
                    let reply = try alice.call("myc_send", ["target": "bob", "text": .string(text)])
                    if reply.contains("❌") || reply.contains("BLOCKED") { failures.withValue { $0.append(reply) } }
                } catch {
                    failures.withValue { $0.append("\(error)") }
                }
            }
            done.signal()
        }
        _ = try bob.waitForMessage(from: "alice", content: texts[4], timeout: 20)
        bob.kill9()
        let firstLife = bob.messages(from: "alice").count
        done.wait()
        #expect(failures.value.isEmpty, "every send was accepted: \(failures.value)")

        bob = try MCPPeer("bob", relay: relay.url, home: bobHome)
        // What the first life accepted is still in the inbox; the rest arrives now. Drain
        // until every message is there, counting each.
        var counts: [String: Int] = [:]
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !texts.allSatisfy({ counts[$0, default: 0] > 0 }) {
            let drained = try bob.call("myc_recv", ["max": 500])
            for text in texts { counts[text, default: 0] += Self.inboxLines(drained, from: "alice", text) }
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(texts.filter { counts[$0, default: 0] == 0 }.isEmpty, "lost: \(texts.filter { counts[$0, default: 0] == 0 })")

        // Anything still in flight (retransmissions of what the first life had accepted)
        // is handled before the round trip completes; it must be deduplicated.
        try Self.roundTrip(alice, bob, tag: "b")
        let rest = try bob.call("myc_recv", ["max": 500])
        for text in texts { counts[text, default: 0] += Self.inboxLines(rest, from: "alice", text) }
        #expect(texts.filter { counts[$0, default: 0] > 1 }.isEmpty, "duplicated: \(counts.filter { $0.value > 1 })")
        #expect(alice.events("delivery_failed").isEmpty)
        #expect(firstLife < texts.count, "the recipient died mid-burst")
        // Every send was acknowledged in the end: the sender's stored outbox drains.
        let outboxDeadline = Date().addingTimeInterval(30)
        var stored = try Self.storedOutbox(alice)
        while !stored.isEmpty, Date() < outboxDeadline {
            Thread.sleep(forTimeInterval: 0.2)
            stored = try Self.storedOutbox(alice)
        }
        #expect(stored.isEmpty)
        #expect(!Self.databaseBytes(alice).contains(subsequence: Array("burst-".utf8)), "no outbox text in clear on disk")

        alice.stop()
        bob.stop()
        relay.terminate()
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        for start in 0...(count - needle.count) where self[start] == needle[0] {
            if Array(self[start..<(start + needle.count)]) == needle { return true }
        }
        return false
    }
}
