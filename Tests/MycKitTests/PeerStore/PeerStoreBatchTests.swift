import Testing
@testable import MycKit

/// The runtime's group commit hands a store the change lists of several engine events
/// concatenated into one `apply`: one transaction must leave exactly what applying them one
/// after the other leaves, later changes acting on what earlier ones in the same call did.
@Suite struct PeerStoreBatchTests {
    /// Engine events as they might follow each other: a send, its ack, a delivery with its
    /// inbox entry, a pin and its replacement, chunk parts and their reassembly.
    static let events: [[PeerStoreChange]] = [
        [.setPin(pin("r", "bob", "k1")), .putOutbox(outboxEntry("m-1"))],
        [.addSeen(seen("r", "bob", "in-1", at: 10)), .appendInbox(message(1, "one"), cap: 2)],
        [.removeOutbox(msgID: "m-1"), .touchPin(roomPeer("r", "bob"), lastSeenMs: 300)],
        [.putOutbox(outboxEntry("m-2")), .putChunkPart(chunkPart("r", "bob", "L", index: 0, of: 2))],
        [.addSeen(seen("r", "bob", "in-2", at: 20)), .appendInbox(message(2, "two"), cap: 2),
         .putChunkPart(chunkPart("r", "bob", "L", index: 1, of: 2))],
        [.removeChunkBuffer(ChunkBufferID(peer: roomPeer("r", "bob"), logicalID: "L")),
         .addSeen(seen("r", "bob", "in-3", at: 30)), .appendInbox(message(3, "three"), cap: 2)],
        [.removePin(roomPeer("r", "bob")), .setPin(pin("r", "bob", "k2")), .setBlocked(blockedKey("r", "eve", "ke")),
         .setWindow(window("r", "bob", "s", last: 5, mask: 1)), .setWindow(window("r", "bob", "s", last: 6, mask: 3))],
        [.pruneSeen(atOrBeforeMs: 10, keepAtMost: 10), .clearBlocked(roomPeer("r", "eve")), .addStsFailed(roomPeer("r", "eve"))],
    ]

    @Test(arguments: PeerStoreKind.allCases)
    func oneApplyOfConcatenatedEventsEqualsApplyingThemInTurn(kind: PeerStoreKind) throws {
        let batched = try kind.make()
        try batched.store.apply(Self.events.flatMap { $0 })
        let oneByOne = try kind.make()
        for changes in Self.events { try oneByOne.store.apply(changes) }

        let snapshot = try batched.store.loadSnapshot(nowMs: 0)
        #expect(snapshot == (try oneByOne.store.loadSnapshot(nowMs: 0)))
        #expect(try batched.store.drainInbox(max: 10, peek: false) == (try oneByOne.store.drainInbox(max: 10, peek: false)))

        // And what that is, spelled out.
        #expect(snapshot.outbox == [outboxEntry("m-2")], "m-1 put and removed in the same call is gone")
        #expect(snapshot.pins == [pin("r", "bob", "k2")])
        #expect(snapshot.blocked.isEmpty)
        #expect(snapshot.stsFailed == [roomPeer("r", "eve")])
        #expect(snapshot.seen == [seen("r", "bob", "in-2", at: 20), seen("r", "bob", "in-3", at: 30)])
        #expect(snapshot.windows == [window("r", "bob", "s", last: 6, mask: 3)])
        #expect(snapshot.chunkParts.isEmpty, "parts stored and their buffer removed in the same call")
    }

    @Test(arguments: PeerStoreKind.allCases)
    func inboxAppendsInOneApplyKeepOrderAndTheCap(kind: PeerStoreKind) throws {
        let store = try kind.make().store
        try store.apply(Self.events.flatMap { $0 })
        let drain = try store.drainInbox(max: 10, peek: false)
        #expect(drain.entries.map(\.content) == ["two", "three"])
        #expect(drain.dropped == 1, "the cap applied between appends of the same transaction")
    }
}
