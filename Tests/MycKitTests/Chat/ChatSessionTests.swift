@testable import MycKit
import Synchronization
import Testing

/// A display that records what the session shows.
final class RecordingDisplay: ChatDisplay, Sendable {
    private let state = Mutex<(lines: [String], remembered: [String], prompt: String, closed: Bool, completion: ChatCompletion?)>(
        ([], [], "", false, nil))
    func incoming(_ notification: PeerNotification, lines: [String]) { state.withLock { $0.lines += lines } }
    func status(_ lines: [String]) { state.withLock { $0.lines += lines } }
    func remember(_ line: String) { state.withLock { $0.remembered.append(line) } }
    func setPrompt(_ prompt: String) { state.withLock { $0.prompt = prompt } }
    func setCompletion(_ completion: ChatCompletion) { state.withLock { $0.completion = completion } }
    func close() { state.withLock { $0.closed = true } }

    var lines: [String] { state.withLock { $0.lines } }
    var text: String { lines.joined(separator: "\n") }
    var remembered: [String] { state.withLock { $0.remembered } }
    var prompt: String { state.withLock { $0.prompt } }
    var closed: Bool { state.withLock { $0.closed } }
    var completion: ChatCompletion? { state.withLock { $0.completion } }
    func clear() { state.withLock { $0.lines = [] } }
}

@Suite struct ChatSessionTests {
    let clock: @Sendable (Int64) -> String = { _ in "00:00:00" }

    func make(rooms: [String] = ["default"]) async -> (DemoPeerService, ChatSession, RecordingDisplay) {
        let service = DemoPeerService(name: "ada", rooms: rooms, clock: { 0 })
        let display = RecordingDisplay()
        let session = ChatSession(service: service, display: display, renderer: ChatRenderer(style: .plain, rooms: rooms, clock: clock))
        await session.start()
        return (service, session, display)
    }

    @Test func startShowsIdentityAndFillsCompletion() async {
        let (_, _, display) = await make()
        #expect(display.text.contains("you are ada (fingerprint de00:de00"))
        #expect(display.prompt == "#default> ")
        #expect(display.completion?.peers == ["bob", "carol", "mallory", "dave"])
    }

    @Test func plainLineBroadcastsAndNameColonUnicasts() async {
        let (_, session, display) = await make()
        await session.handle(.lines(["hello room"]))
        #expect(display.lines.last == "  → bob 🔒 sent, carol 🔒🆕 sent")
        await session.handle(.lines(["dave: see you later"]))
        #expect(display.lines.last == "  → dave 📮 sent as offline envelope (no PFS)")
        #expect(await session.tracker.unresolved == 3, "bob, carol and dave, until their reports are fed in")
        await session.handle(.lines(["/msg zed hi"]))
        #expect(display.lines.last?.contains("zed: unknown peer") == true)
        #expect(await session.failures == 1)
        #expect(display.remembered == ["hello room", "dave: see you later", "/msg zed hi"])
    }

    @Test func deliveryReportEndsATrackedSendOnce() async {
        let (_, session, display) = await make()
        await session.handle(.lines(["dave: later"]))
        #expect(await session.tracker.unresolved == 1)
        // The demo numbers its messages demo-1, demo-2, ...: the unicast above is the first.
        let report = DeliveryReport(msgID: "demo-1", peer: RoomPeer(room: "default", name: "dave"), outcome: .acknowledged)
        await session.handle(report)
        #expect(display.lines.last == "  ✓ delivered to dave")
        #expect(await session.tracker.unresolved == 0)
        // The engine's own `delivered` event for it is not shown a second time.
        let count = display.lines.count
        await session.handle(PeerNotification(ts: 0, kind: .event, content: "✅ Message demo-1 to dave@default confirmed delivered",
                                              meta: ["type": "delivered", "target": "dave", "room": "default", "msg_id": "demo-1"]))
        #expect(display.lines.count == count)
        await session.handle(report)
        #expect(display.lines.count == count, "never twice")
    }

    @Test func liveSendsShowDeliveredWhenAcknowledged() async {
        let (service, session, display) = await make()
        let reports = Task { () -> [DeliveryReport] in
            var seen: [DeliveryReport] = []
            for await report in service.deliveries {
                seen.append(report)
                if seen.count == 1 { break }
            }
            return seen
        }
        await session.handle(.lines(["bob: hi bob"]))
        for report in await reports.value { await session.handle(report) }
        #expect(display.lines.suffix(2) == ["  → bob 🔒 sent", "  ✓ delivered to bob"])
        #expect(await session.tracker.unresolved == 0)
    }

    @Test func trustAsksAndTheAnswerIsNeverRemembered() async {
        let (_, session, display) = await make()
        await session.handle(.lines(["/trust mallory"]))
        #expect(display.text.contains("🔑 mallory@default presents a NEW key: bad0:bad0"))
        #expect(display.prompt == "(yes/no)> ")
        await session.handle(.lines(["yes"]))
        #expect(display.lines.last == "✅ mallory@default trusted (bad0:bad0:1111:2222:3333:4444:5555:6666)")
        #expect(display.remembered == ["/trust mallory"], "the confirmation is not in the history")
        #expect(display.prompt == "#default> ")
        await session.handle(.lines(["/trust mallory"]))
        #expect(display.lines.last == "no pending key change for mallory: nothing to trust")
    }

    @Test func trustCancelledByAnythingButYes() async {
        let (_, session, display) = await make()
        await session.handle(.lines(["/trust mallory"]))
        await session.handle(.lines(["nope"]))
        #expect(display.lines.last == "trust cancelled: mallory stays blocked")
        #expect(display.remembered == ["/trust mallory"])
    }

    @Test func rotateAsksFirst() async {
        let (_, session, display) = await make()
        await session.handle(.lines(["/rotate"]))
        #expect(display.text.contains("Key rotation is permanent"))
        await session.handle(.lines(["yes"]))
        #expect(display.text.contains("✅ identity rotated: de00:de00"))
        #expect(display.text.contains("announced to 1 live peer(s) and 1 offline peer(s)"))
    }

    @Test func approveSendsTheVerdictToTheAskingPeer() async throws {
        let (service, session, display) = await make()
        let request = PeerNotification(ts: 0, kind: .message, content: "⚠️ bob needs approval: Bash: list files\nls -la",
                                       meta: ["type": "permission_request", "from_peer": "bob", "room": "default", "request_id": "req-7"])
        await session.handle(request)
        #expect(display.text.contains("PERMISSION REQUEST req-7 from bob"))
        #expect(display.completion?.permissionIDs == ["req-7"])
        var events = service.events.makeAsyncIterator()
        await session.handle(.lines(["/approve req-7"]))
        #expect(display.text.contains("allowed req-7 for bob"))
        // The demo echoes a _perm_verdict send back as the verdict it carried.
        let echoed = await events.next()
        #expect(echoed?.permissionVerdict == PermissionVerdict(requestID: "req-7", behavior: "allow"))
        await session.handle(.lines(["/approve req-7"]))
        #expect(display.lines.last == "no pending permission request req-7 (none pending)")
        await session.handle(.lines(["/deny nope"]))
        #expect(display.lines.last?.hasPrefix("no pending permission request nope") == true)
    }

    @Test func roomSwitchOnlyAmongJoinedRooms() async {
        let (_, session, display) = await make(rooms: ["default", "ops"])
        await session.handle(.lines(["/room ops"]))
        #expect(display.prompt == "#ops> ")
        await session.handle(.lines(["/room lobby"]))
        #expect(display.lines.last?.hasPrefix("not a joined room: lobby") == true)
        #expect(display.prompt == "#ops> ")
    }

    @Test func longPasteAsksShortPasteIsOneMessage() async {
        let (_, session, display) = await make()
        await session.handle(.lines(["one", "two"]))
        #expect(display.lines.last == "  → bob 🔒 sent, carol 🔒🆕 sent")
        display.clear()
        await session.handle(.lines(["a", "b", "c", "d", "e"]))
        #expect(display.text.contains("5 lines pasted"))
        await session.handle(.lines(["no"]))
        #expect(display.lines.last == "paste dropped (5 lines): nothing sent")
        #expect(display.remembered.isEmpty, "pastes and answers stay out of the history")
    }

    @Test func interruptOnEmptyLineAsksThenQuits() async {
        let (_, session, display) = await make()
        await session.handle(.interrupt(discarded: "half a thought"))
        #expect(display.remembered == ["half a thought"], "a cleared line is kept in the history")
        #expect(!display.closed)
        await session.handle(.interrupt(discarded: ""))
        #expect(display.text.contains("Quit myc chat?"))
        #expect(!display.closed)
        await session.handle(.interrupt(discarded: ""))
        #expect(display.closed)
        #expect(await session.state == .quitting)
    }

    @Test func endOfInputWithDeferredSendsAsks() async {
        let (_, session, display) = await make()
        await session.handle(.lines(["dave: offline note"]))
        await session.handle(.endOfInput)
        #expect(display.text.contains("1 message(s) not yet confirmed delivered"))
        #expect(!display.closed)
        await session.handle(.lines(["yes"]))
        #expect(display.closed)
    }

    @Test func quitWithNothingPendingLeaves() async {
        let (_, session, display) = await make()
        await session.handle(.lines(["/quit"]))
        #expect(display.closed)
    }

    @Test func badCommandsShowAHint() async {
        let (_, session, display) = await make()
        await session.handle(.lines(["/nope"]))
        #expect(display.lines.last?.hasPrefix("unknown command /nope") == true)
    }
}
