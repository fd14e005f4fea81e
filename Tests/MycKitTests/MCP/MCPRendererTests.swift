import Testing
@testable import MycKit

/// Every outcome → its §6.2 text, with the markers that carry meaning.
@Suite struct MCPRendererTests {
    // MARK: myc_send

    @Test(arguments: [
        (SendOutcome.sentLive(target: "bob", room: "r", msgID: "m", newPin: false, chunks: 1), "bob 🔒"),
        (.sentLive(target: "bob", room: "r", msgID: "m", newPin: true, chunks: 1), "bob 🔒 🆕"),
        (.sentLive(target: "bob", room: "r", msgID: "m", newPin: false, chunks: 3), "bob 🔒 (3 chunks)"),
        (.sentLive(target: "bob", room: "r", msgID: "m", newPin: true, chunks: 2), "bob 🔒 🆕 (2 chunks)"),
    ])
    func sentLive(outcome: SendOutcome, expected: String) {
        #expect(MCPRenderer.send(outcome, target: "bob") == expected)
    }

    @Test func sentOfflineAndQueuedLocally() {
        let offline = MCPRenderer.send(.sentOffline(target: "dave", room: "r", msgID: "m", chunks: 1), target: "dave")
        #expect(offline.hasPrefix("dave 📮 "))
        #expect(offline.contains("no PFS"))
        #expect(!offline.contains("chunks"))
        let offlineChunked = MCPRenderer.send(.sentOffline(target: "dave", room: "r", msgID: "m", chunks: 5), target: "dave")
        #expect(offlineChunked.hasPrefix("dave 📮 ") && offlineChunked.hasSuffix(" (5 chunks)"))
        let local = MCPRenderer.send(.queuedLocally(target: "erin", room: "r", msgID: "m", chunks: 1), target: "erin")
        #expect(local.hasPrefix("erin ⏳ "))
        let localChunked = MCPRenderer.send(.queuedLocally(target: "erin", room: "r", msgID: "m", chunks: 2), target: "erin")
        #expect(localChunked.hasPrefix("erin ⏳ ") && localChunked.hasSuffix(" (2 chunks)"))
    }

    @Test func failures() {
        let blocked = MCPRenderer.send(.blocked(target: "mallory", room: "ops"), target: "mallory")
        #expect(blocked.hasPrefix("mallory 🔴BLOCKED"))
        #expect(blocked.contains("myc_trust") && blocked.contains("myc_verify") && blocked.contains("ops"))

        let unknown = MCPRenderer.send(.unknownPeer(target: "zed"), target: "zed")
        #expect(unknown.hasPrefix("zed 🔴 unknown peer"))

        let type = MCPRenderer.send(.invalidType(reason: "type must be a string"), target: "bob")
        #expect(type.hasPrefix("❌ Invalid message type: type must be a string"))

        let large = MCPRenderer.send(.tooLarge(bytes: 2_000_000, limit: 1_048_576), target: "bob")
        #expect(large == "bob ❌ message too large (2000000 bytes; the limit is 1048576)")

        let full = MCPRenderer.send(.outboxFull(limit: 200), target: "bob")
        #expect(full.hasPrefix("bob ❌ outbox full (200 "))

        let member = MCPRenderer.send(.notAMember(room: "x", joined: ["a", "b"]), target: "bob")
        #expect(member == "❌ Not a member of room \"x\". Joined rooms: a, b.")
        #expect(MCPRenderer.send(.notAMember(room: "x", joined: []), target: nil) == "❌ Not a member of room \"x\". Joined rooms: none.")
        // No target known (broadcast copies): no prefix.
        #expect(MCPRenderer.send(.outboxFull(limit: 200), target: nil).hasPrefix("❌ outbox full (200 "))
    }

    // MARK: myc_broadcast

    @Test func broadcast() {
        let outcome = BroadcastOutcome(results: [
            .sentLive(target: "bob", room: "general", msgID: "1", newPin: false, chunks: 1),
            .sentOffline(target: "dave", room: "ops", msgID: "2", chunks: 1),
            .blocked(target: "mallory", room: "general"),
            .unknownPeer(target: "zed"),
        ])
        let text = MCPRenderer.broadcast(outcome)
        #expect(text.hasPrefix("Broadcast (4): general/bob 🔒; ops/dave 📮 "))
        #expect(text.contains("; general/mallory 🔴BLOCKED"))
        #expect(text.contains("; zed 🔴 unknown peer"))
        #expect(MCPRenderer.broadcast(BroadcastOutcome(results: [])) == "No peers")
        #expect(MCPRenderer.broadcast(BroadcastOutcome(results: [], failure: .notAMember(room: "x", joined: ["general"])))
            == "❌ Not a member of room \"x\". Joined rooms: general.")
        #expect(MCPRenderer.broadcast(BroadcastOutcome(results: [], failure: .invalidType(reason: "r")))
            .hasPrefix("❌ Invalid message type: r"))
    }

    // MARK: myc_recv

    static let noon: Int64 = 1_700_000_000_000  // 2023-11-14T22:13:20Z

    @Test func recvLines() {
        let message = PeerNotification(ts: Self.noon, kind: .message, content: "hello", meta: [
            "from_peer": "bob", "type": "info", "room": "general", "msg_id": "m1", "e2e": "encrypted", "sig": "✅", "tofu": "🔒",
        ])
        #expect(MCPRenderer.inboxLine(message) == "[22:13:20] bob@general (info): hello")

        let withRequest = PeerNotification(ts: Self.noon + 999, kind: .message, content: "ok", meta: [
            "from_peer": "bob", "type": "answer", "room": "r", "msg_id": "m", "e2e": "encrypted", "sig": "✅",
            "offline": true, "request_id": "q7", "tofu": "📮",
        ])
        #expect(MCPRenderer.inboxLine(withRequest) == "[22:13:20] bob@r (answer, req q7, offline-envelope): ok")

        let event = PeerNotification(ts: 0, kind: .event, content: "➕ carol joined", meta: ["type": "peer_joined"])
        #expect(MCPRenderer.inboxLine(event) == "[00:00:00] ⚙ ➕ carol joined")
    }

    @Test func recvDrains() {
        let entry = PeerNotification(ts: 3_661_000, kind: .event, content: "x", meta: ["type": "peer_left"])
        #expect(MCPRenderer.recv(InboxDrain(entries: [], dropped: 0), peek: false) == "No pending messages.")
        #expect(MCPRenderer.recv(InboxDrain(entries: [entry, entry], dropped: 0), peek: false)
            == "[01:01:01] ⚙ x\n[01:01:01] ⚙ x")
        #expect(MCPRenderer.recv(InboxDrain(entries: [entry], dropped: 7), peek: false)
            == "(+7 older entries dropped — inbox cap 500)\n[01:01:01] ⚙ x")
        // A peek does not report (or reset) the counter.
        #expect(MCPRenderer.recv(InboxDrain(entries: [entry], dropped: 7), peek: true) == "[01:01:01] ⚙ x")
    }

    @Test(arguments: [
        (Int64(0), "00:00:00"), (86_399_999, "23:59:59"), (86_400_000, "00:00:00"),
        (-1, "23:59:59"), (1_700_000_000_000, "22:13:20"), (45_296_789, "12:34:56"),
    ])
    func utcClock(ms: Int64, expected: String) {
        #expect(MCPRenderer.utcClock(ms: ms) == expected)
    }

    // MARK: myc_peers

    @Test func peers() {
        let snapshot = PeersSnapshot(rooms: [
            .init(name: "general", live: [
                .init(name: "bob", trust: .pinned, stsVerified: true, blocked: false),
                .init(name: "carol", trust: .new, stsVerified: false, blocked: false),
                .init(name: "mallory", trust: .pinned, stsVerified: false, blocked: true),
            ], offlineKnown: ["dave", "erin"]),
            .init(name: "empty", live: [], offlineKnown: []),
        ], blocked: ["mallory@general"], inboxPending: 3, disconnectedAttempt: 4)
        let lines = MCPRenderer.peers(snapshot).split(separator: "\n").map(String.init)
        #expect(lines[0] == "general:")
        #expect(lines[1] == "  bob 🔒 🤝")
        #expect(lines[2] == "  carol 🆕")
        #expect(lines[3].hasPrefix("  mallory 🔴 BLOCKED"))
        #expect(lines[4].contains("reachable via identity envelope") && lines[4].hasSuffix("dave, erin"))
        #expect(lines[5] == "empty:")
        #expect(lines[6] == "  (no peers)")
        #expect(lines[7].hasPrefix("🔴 BLOCKED: mallory@general"))
        #expect(lines[8].hasPrefix("📥 3 pending in inbox"))
        #expect(lines[9].hasPrefix("⚠️ Relay disconnected (attempt 4)"))
        #expect(lines.count == 10)

        let quiet = PeersSnapshot(rooms: [.init(name: "default", live: [], offlineKnown: [])], blocked: [],
                                  inboxPending: 0, disconnectedAttempt: nil)
        #expect(MCPRenderer.peers(quiet) == "default:\n  (no peers)")
    }

    // MARK: myc_rooms

    @Test func rooms() {
        let listed = RoomsOutcome.listed(rooms: [
            .init(name: "general", peers: 3, members: ["alice", "bob", "carol"], joined: true),
            .init(name: "lobby", peers: 1, members: nil, joined: false),
            .init(name: "quiet", peers: 0, members: [], joined: false),
        ], discovery: true)
        #expect(MCPRenderer.rooms(listed) == "general: 3 peer(s) — alice, bob, carol (joined)\nlobby: 1 peer(s)\nquiet: 0 peer(s)")
        #expect(MCPRenderer.rooms(.listed(rooms: [], discovery: true)) == "No active rooms.")
        let hidden = MCPRenderer.rooms(.listed(rooms: [.init(name: "mine", peers: 1, members: nil, joined: true)], discovery: false))
        #expect(hidden.hasPrefix("mine: 1 peer(s) (joined)\n") && hidden.contains("discovery is disabled"))
        #expect(MCPRenderer.rooms(.disconnected(attempt: 2)).hasPrefix("⚠️ Not connected to the relay (reconnect attempt 2)"))
        let noReply = MCPRenderer.rooms(.noReply)
        #expect(noReply.hasPrefix("⚠️ ") && noReply.contains("discovery"))
    }

    // MARK: myc_trust

    @Test func trust() {
        #expect(MCPRenderer.trust(.nothingPending(peer: "bob")).hasPrefix("No pending key"))
        let ambiguous = MCPRenderer.trust(.ambiguous(peer: "bob", rooms: ["a", "b"]))
        #expect(ambiguous.contains("a, b") && ambiguous.contains("room"))
        let pending = MCPRenderer.trust(.pending(peer: "bob", room: "a", fingerprint: "ab12:cd34"))
        #expect(pending.hasPrefix("🔑 bob@a") && pending.contains("ab12:cd34"))
        #expect(pending.contains("myc_verify") && pending.contains("confirm=true"))
        #expect(MCPRenderer.trust(.trusted(peer: "bob", room: "a", fingerprint: "ab12:cd34")) == "✅ bob@a trusted (ab12:cd34)")
        #expect(MCPRenderer.trust(.verificationFailed(peer: "bob", room: "a")).hasPrefix("❌ Key verification failed"))
    }

    // MARK: myc_verify

    @Test func verify() {
        let own = MCPRenderer.verify(.own(fingerprint: "f00d"), selfName: "alice")
        #expect(own.hasPrefix("🔑 Your fingerprint (alice): f00d"))
        let pinned = MCPRenderer.verify(.pinned(peer: "bob", pins: [
            .init(room: "a", fingerprint: "b0b", status: .trusted, stsVerified: true),
            .init(room: "b", fingerprint: "b0b", status: .newThisSession, stsVerified: false),
            .init(room: "c", fingerprint: "b0b", status: .offline, stsVerified: false),
        ], ownFingerprint: "f00d"), selfName: "alice")
        let lines = pinned.split(separator: "\n").map(String.init)
        #expect(lines[0] == "🔑 bob@a: b0b (pinned & trusted) 🤝 STS verified")
        #expect(lines[1] == "🔑 bob@b: b0b (new this session)")
        #expect(lines[2] == "🔑 bob@c: b0b (pinned, peer offline)")
        #expect(lines[3] == "🔑 Your fingerprint (alice): f00d")
        #expect(MCPRenderer.verify(.blocked(peer: "m"), selfName: "alice").hasPrefix("⚠️ m is BLOCKED — use myc_trust"))
        #expect(MCPRenderer.verify(.noPin(peer: "z"), selfName: "alice") == "No pinned key for z.")
    }
}
