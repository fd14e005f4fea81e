import Testing
@testable import MycKit

/// The inbox half of the contract (§6.5): cap, dropped counter, peek, drain order, meta.
@Suite struct PeerStoreInboxTests {
    @Test(arguments: PeerStoreKind.allCases)
    func drainReturnsTheOldestFirstAndRemovesThem(kind: PeerStoreKind) throws {
        let store = try kind.make().store
        for i in 1...5 { try store.appendInbox(message(Int64(i), "m\(i)"), cap: 500) }
        #expect(try store.inboxCount() == 5)
        let first = try store.drainInbox(max: 2, peek: false)
        #expect(first.entries.map(\.content) == ["m1", "m2"])
        #expect(first.dropped == 0)
        #expect(try store.inboxCount() == 3)
        try store.appendInbox(event(6, "e6"), cap: 500)
        let rest = try store.drainInbox(max: 50, peek: false)
        #expect(rest.entries.map(\.content) == ["m3", "m4", "m5", "e6"])
        #expect(try store.inboxCount() == 0)
    }

    @Test(arguments: PeerStoreKind.allCases)
    func peekLeavesEntriesAndTheDroppedCounter(kind: PeerStoreKind) throws {
        let store = try kind.make().store
        for i in 1...4 { try store.appendInbox(message(Int64(i), "m\(i)"), cap: 3) }
        let peeked = try store.drainInbox(max: 2, peek: true)
        #expect(peeked == InboxDrain(entries: [message(2, "m2"), message(3, "m3")], dropped: 0))
        #expect(try store.inboxCount() == 3)
        #expect(try store.drainInbox(max: 10, peek: true).entries.count == 3)
        // The counter is reported once, by the first real drain, then reset.
        let drained = try store.drainInbox(max: 1, peek: false)
        #expect(drained == InboxDrain(entries: [message(2, "m2")], dropped: 1))
        #expect(try store.drainInbox(max: 1, peek: false).dropped == 0)
    }

    @Test(arguments: PeerStoreKind.allCases)
    func theCapDropsTheOldestAndCountsEveryDrop(kind: PeerStoreKind) throws {
        let store = try kind.make().store
        for i in 1...10 { try store.appendInbox(message(Int64(i), "m\(i)"), cap: 4) }
        #expect(try store.inboxCount() == 4)
        // A smaller cap on a later append trims to it at once.
        try store.appendInbox(message(11, "m11"), cap: 2)
        let drain = try store.drainInbox(max: 500, peek: false)
        #expect(drain.entries.map(\.content) == ["m10", "m11"])
        #expect(drain.dropped == 9)
        #expect(try store.drainInbox(max: 500, peek: false) == InboxDrain(entries: [], dropped: 0))
    }

    @Test(arguments: PeerStoreKind.allCases)
    func aZeroCapKeepsNothingAndAZeroMaxReturnsNothing(kind: PeerStoreKind) throws {
        let store = try kind.make().store
        try store.appendInbox(message(1, "gone"), cap: 0)
        #expect(try store.inboxCount() == 0)
        try store.appendInbox(message(2, "kept"), cap: 5)
        let none = try store.drainInbox(max: 0, peek: false)
        #expect(none == InboxDrain(entries: [], dropped: 1))
        #expect(try store.inboxCount() == 1)
    }

    /// Every field comes back; meta keys keep their order and JSON types.
    @Test(arguments: PeerStoreKind.allCases)
    func entriesKeepEveryFieldAndMetaKeyOrder(kind: PeerStoreKind) throws {
        let store = try kind.make().store
        let meta: JSONObject = [
            "zeta": "last-letter-first", "from_peer": .string(kelvin), "room": "ops", "msg_id": "m\u{0}1",
            "seq": 42, "offline": true, "ratio": 0.5, "alpha": "a", "request_id": "",
        ]
        let entry = PeerNotification(ts: 1_700_000_000_123, kind: .message, content: "héllo\n\u{0}🍄 \"quoted\"", meta: meta)
        let verdict = PeerNotification(
            ts: 5, kind: .event, content: "e", meta: [:],
            permissionVerdict: PermissionVerdict(requestID: "abcde", behavior: "allow"))
        try store.appendInbox(entry, cap: 500)
        try store.appendInbox(verdict, cap: 500)
        let drained = try store.drainInbox(max: 10, peek: false).entries
        #expect(drained.first == entry)
        #expect(drained.first?.meta.keys == ["zeta", "from_peer", "room", "msg_id", "seq", "offline", "ratio", "alpha", "request_id"])
        #expect(drained.first?.meta["seq"] == .number(42))
        #expect(drained.first?.meta["offline"] == .bool(true))
        // The verdict goes to the host, never through the inbox: it is not stored.
        #expect(drained.last == PeerNotification(ts: 5, kind: .event, content: "e", meta: [:]))
    }
}
