@testable import MycKit
import Testing

@Suite struct ChatRendererTests {
    let fixedClock: @Sendable (Int64) -> String = { _ in "12:34:56" }

    func message(from: String, room: String = "default", content: String, tofu: String = "🔒", offline: Bool = false,
                 type: String = "info", requestID: String? = nil) -> PeerNotification {
        var meta: JSONObject = ["from_peer": .string(from), "type": .string(type), "room": .string(room), "msg_id": "m-1",
                                "e2e": "encrypted", "sig": "✅"]
        if offline { meta["offline"] = true }
        if let requestID { meta["request_id"] = .string(requestID) }
        meta["tofu"] = .string(offline ? "📮" : tofu)
        return PeerNotification(ts: 0, kind: .message, content: content, meta: meta)
    }

    @Test func messageLineShowsTimeSenderAndTrustMark() {
        let one = ChatRenderer(style: .plain, rooms: ["default"], clock: fixedClock)
        #expect(one.message(message(from: "bob", content: "hi"), stsVerified: false) == ["12:34:56 bob 🔒: hi"])
        #expect(one.message(message(from: "bob", content: "hi"), stsVerified: true) == ["12:34:56 bob 🔒🤝: hi"])
        #expect(one.message(message(from: "new", content: "x", tofu: "🆕"), stsVerified: false) == ["12:34:56 new 🆕: x"])
        #expect(one.message(message(from: "dave", content: "later", offline: true), stsVerified: false)
            == ["12:34:56 dave 📮: later"])
        #expect(one.message(message(from: "bot", content: "done", type: "task_result", requestID: "r-1"), stsVerified: false)
            == ["12:34:56 bot 🔒 (task_result, req r-1): done"])
    }

    @Test func roomShownOnlyWithSeveralRooms() {
        let two = ChatRenderer(style: .plain, rooms: ["default", "ops"], clock: fixedClock)
        #expect(two.message(message(from: "bob", room: "ops", content: "hi"), stsVerified: false) == ["12:34:56 #ops bob 🔒: hi"])
    }

    @Test func multiLineBodiesAreIndentedAndControlCharactersNeutralized() {
        let r = ChatRenderer(style: .plain, rooms: ["default"], clock: fixedClock)
        let lines = r.message(message(from: "eve\u{1B}[2J", content: "line one\nline \u{1B}]0;pwned\u{07}two\r"), stsVerified: false)
        #expect(lines == ["12:34:56 eve^[[2J 🔒: line one", "    line ^[]0;pwned^Gtwo^M"])
        #expect(!lines.joined().unicodeScalars.contains("\u{1B}"), "no escape from the network reaches the terminal")
        #expect(ChatText.sanitize("a\u{202E}b\u{9B}c") == "a\u{FFFD}b\u{FFFD}c")
    }

    @Test func coloursFollowTheTerminalAndNoColor() {
        #expect(ChatStyle.decide(stdoutIsTerminal: true, environment: [:]).colour)
        #expect(!ChatStyle.decide(stdoutIsTerminal: false, environment: [:]).colour)
        #expect(!ChatStyle.decide(stdoutIsTerminal: true, environment: ["NO_COLOR": "1"]).colour)
        #expect(ChatStyle.decide(stdoutIsTerminal: true, environment: ["NO_COLOR": ""]).colour, "no-color.org: empty means unset")
        #expect(!ChatStyle.decide(stdoutIsTerminal: true, environment: ["TERM": "dumb"]).colour)
        let coloured = ChatRenderer(style: ChatStyle(colour: true), rooms: ["default"], clock: fixedClock)
        let line = coloured.message(message(from: "bob", content: "hi"), stsVerified: false)[0]
        #expect(line.contains("\u{1B}[\(ChatStyle.colourCode(for: "bob"))mbob\u{1B}[0m"))
        #expect(ChatText.columns(line) == ChatText.columns("12:34:56 bob 🔒: hi"), "styling takes no columns")
    }

    @Test func senderColourIsStablePerNameAndNeverRed() {
        #expect(ChatStyle.colourCode(for: "bob") == ChatStyle.colourCode(for: "bob"))
        let codes = Set(["alice", "bob", "carol", "dave", "eve", "mallory", "claude", "ada"].map(ChatStyle.colourCode(for:)))
        #expect(codes.count > 2, "names spread over the palette")
        #expect(!codes.contains(31) && !codes.contains(91))
        // FNV-1a over the bytes (computed independently with Python): the same on every run and machine.
        #expect(ChatStyle.colourCode(for: "bob") == 36)
        #expect(ChatStyle.colourCode(for: "alice") == 96)
        #expect(ChatStyle.colourCode(for: "claude") == 35)
    }

    @Test func permissionRequestIsFramedWithTheCommandsToAnswer() {
        let r = ChatRenderer(style: .plain, rooms: ["default"], clock: fixedClock)
        let n = PeerNotification(ts: 0, kind: .message, content: "⚠️ claude needs approval: Bash: list files\nls -la",
                                 meta: ["type": "permission_request", "from_peer": "claude", "room": "default", "request_id": "req-7"])
        let lines = r.permissionRequest(n)
        #expect(lines.first == "┏━ PERMISSION REQUEST req-7 from claude (default, 12:34:56)")
        #expect(lines.contains("┃ ⚠️ claude needs approval: Bash: list files"))
        #expect(lines.contains("┃   ls -la"))
        #expect(lines.last == "┗━ /approve req-7  or  /deny req-7")
    }

    @Test func sendResults() {
        let r = ChatRenderer(style: .plain, rooms: ["default"], clock: fixedClock)
        let outcome = BroadcastOutcome(results: [
            .sentLive(target: "bob", room: "default", msgID: "1", newPin: false, chunks: 1),
            .sentLive(target: "carol", room: "default", msgID: "2", newPin: true, chunks: 3),
            .sentOffline(target: "dave", room: "default", msgID: "3", chunks: 1),
            .blocked(target: "mallory", room: "default"),
        ])
        #expect(r.sent(outcome, room: "default") == "  → bob 🔒 sent, carol 🔒🆕 sent (3 chunks), dave 📮 sent as offline envelope (no PFS), "
            + "mallory 🔴 BLOCKED in default: key changed; check its fingerprint, then /trust mallory")
        #expect(r.sent(BroadcastOutcome(results: []), room: "ops").contains("nobody else is in #ops"))
        #expect(r.sent(.unknownPeer(target: "zed")).contains("unknown peer"))
        #expect(r.sent(.queuedLocally(target: "bob", room: "default", msgID: "4", chunks: 1)) == "  → bob ⏳ queued: relay unreachable")
        #expect(r.delivery(.delivered(target: "dave", room: "default")) == "  ✓ delivered to dave")
        #expect(r.delivery(.failed(target: "dave", room: "default", reason: "after 6 attempt(s): x")) == "  ✗ NOT delivered to dave: after 6 attempt(s): x")
    }

    @Test func linkAndBanner() {
        let r = ChatRenderer(style: .plain, rooms: ["default"], clock: fixedClock)
        #expect(r.link(.connected(url: "ws://r", relayFingerprint: "ab12:cd34", pinned: true), first: true)
            == "● connected to relay ws://r, relay fingerprint ab12:cd34 (matches your pin)")
        #expect(r.link(.connected(url: "ws://r", relayFingerprint: "ab12:cd34", pinned: false), first: false)
            .hasPrefix("● reconnected to relay ws://r, relay fingerprint ab12:cd34 (not pinned"))
        #expect(r.link(.disconnected(reason: "closed", attempt: 2), first: false).contains("relay connection lost (closed); retrying (attempt 2)"))
        #expect(r.link(.disconnected(reason: "connection refused", attempt: 1), first: true)
            .contains("cannot reach the relay (connection refused); retrying (attempt 1)"))
        let banner = r.banner(profile: PeerProfile(name: "ada", rooms: ["default", "ops"], fingerprint: "ffff:0000"))
        #expect(banner[0].contains("you are ada (fingerprint ffff:0000)"))
        #expect(banner[1].hasPrefix("rooms: #default, #ops"))
    }

    @Test func peersListTrustStateAndOfflinePeers() {
        let r = ChatRenderer(style: .plain, rooms: ["default"], clock: fixedClock)
        let snapshot = PeersSnapshot(rooms: [
            .init(name: "default", live: [.init(name: "bob", trust: .pinned, stsVerified: true, blocked: false),
                                          .init(name: "eve", trust: .pinned, stsVerified: false, blocked: true)],
                  offlineKnown: ["dave"]),
        ], blocked: ["eve@default"], inboxPending: 0, disconnectedAttempt: nil)
        #expect(r.peers(snapshot, current: "default") == [
            "#default (current)",
            "  bob 🔒🤝 pinned key, session verified",
            "  eve 🔴 BLOCKED: key changed — /trust eve after checking",
            "  offline, reachable by envelope 📮: dave",
        ])
    }
}

@Suite struct ChatDeliveryTrackerTests {
    func acked(_ id: String, _ target: String = "dave") -> DeliveryReport {
        DeliveryReport(msgID: id, peer: RoomPeer(room: "default", name: target), outcome: .acknowledged)
    }

    @Test func sendEndsOnceWhenAcknowledged() {
        var t = ChatDeliveryTracker()
        t.track(.sentOffline(target: "dave", room: "default", msgID: "m1", chunks: 1))
        t.track(.sentLive(target: "bob", room: "default", msgID: "m2", newPin: false, chunks: 1))
        #expect(t.unresolved == 2)
        #expect(t.resolve(acked("m1")) == .delivered(target: "dave", room: "default"))
        #expect(t.resolve(acked("m2", "bob")) == .delivered(target: "bob", room: "default"), "live sends end too")
        #expect(t.unresolved == 0)
        #expect(t.resolve(acked("m1")) == nil, "never twice")
        #expect(t.knows("m1") && t.knows("m2") && !t.knows("m3"))
    }

    @Test func chunkedSendIsDeliveredWhenEveryPartIs() {
        var t = ChatDeliveryTracker()
        t.track(.queuedLocally(target: "dave", room: "default", msgID: "big", chunks: 3))
        #expect(t.resolve(acked("big#0")) == nil)
        #expect(t.resolve(acked("big#2")) == nil)
        #expect(t.resolve(acked("big#1")) == .delivered(target: "dave", room: "default"))
        #expect(t.unresolved == 0)
    }

    @Test func failureEndsTheMessageAtItsFirstFailedPart() {
        var t = ChatDeliveryTracker()
        t.track(.sentOffline(target: "dave", room: "default", msgID: "big", chunks: 2))
        let failure = DeliveryReport(msgID: "big#1", peer: RoomPeer(room: "default", name: "dave"),
                                     outcome: .failed(reason: "offline delivery window expired (after 6 attempt(s))"))
        #expect(t.resolve(failure) == .failed(target: "dave", room: "default", reason: "offline delivery window expired (after 6 attempt(s))"))
        #expect(t.resolve(acked("big#0")) == nil)
        #expect(t.unresolved == 0)
    }

    @Test func anAckThatBeatsTheSendIsAppliedWhenItIsTracked() {
        var t = ChatDeliveryTracker()
        #expect(t.resolve(acked("fast", "bob")) == nil)
        #expect(t.knows("fast"))
        #expect(t.track(.sentLive(target: "bob", room: "default", msgID: "fast", newPin: false, chunks: 1))
            == .delivered(target: "bob", room: "default"))
        #expect(t.unresolved == 0)
        #expect(t.track(.blocked(target: "eve", room: "default")) == nil)
        #expect(t.unresolved == 0, "refused sends are not tracked")
    }
}
