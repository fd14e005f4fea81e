import Foundation
import GRDB
import Testing
@testable import MycKit

func outboxEntry(_ msgID: String, room: String = "r", to target: String = "bob", type: String = "info",
                 requestID: String? = nil, sealed: [UInt8] = [1, 2, 3], attempts: Int = 0, wasOffline: Bool = false,
                 sessionOnly: Bool = false, created: Int64 = 100, armed: Int64 = 100) -> DurableOutboxEntry {
    DurableOutboxEntry(msgID: msgID, peer: roomPeer(room, target), type: type, requestID: requestID, sealedPlaintext: sealed,
                       attempts: attempts, wasOffline: wasOffline, sessionOnly: sessionOnly, createdAtMs: created,
                       armedAtMs: armed)
}

func chunkPart(_ room: String, _ from: String, _ logical: String, index: Int, of count: Int,
               sealed: [UInt8] = [7], opened: Int64 = 50) -> DurableChunkPart {
    DurableChunkPart(buffer: ChunkBufferID(peer: roomPeer(room, from), logicalID: logical), count: count, index: index,
                     sealedData: sealed, openedAtMs: opened)
}

/// The durable outbox, the stored chunk parts and the in-transaction inbox append, against
/// every store implementation.
@Suite struct PeerStoreDurableOutboxTests {
    @Test(arguments: PeerStoreKind.allCases)
    func outboxKeepsSendOrderAndEveryFieldAndReplacesInPlace(kind: PeerStoreKind) throws {
        let store = try kind.make().store
        let a = outboxEntry("m-1", to: kelvin, requestID: "req", sealed: [0, 255, 0], wasOffline: true, sessionOnly: true)
        let b = outboxEntry("m-2", room: "ops", to: "K", type: "_perm_req")
        let c = outboxEntry("m-3\u{0}x", to: "carol", sealed: Array(repeating: 0xAB, count: 30_000))
        try store.apply([.putOutbox(a), .putOutbox(b), .putOutbox(c)])
        #expect(try store.loadSnapshot(nowMs: 0).outbox == [a, b, c])
        // A retransmission updates the row where it is (send order does not change).
        var retried = a
        retried.attempts = 4
        retried.armedAtMs = 9_999
        try store.apply([.putOutbox(retried)])
        #expect(try store.loadSnapshot(nowMs: 0).outbox == [retried, b, c])
        // Byte-exact ids: "m-3" is not "m-3\0x", and removing an unknown id is a no-op.
        try store.apply([.removeOutbox(msgID: "m-3"), .removeOutbox(msgID: "m-1")])
        #expect(try store.loadSnapshot(nowMs: 0).outbox == [b, c])
        try store.apply([.removeOutbox(msgID: "m-3\u{0}x"), .removeOutbox(msgID: "m-2")])
        #expect(try store.loadSnapshot(nowMs: 0).outbox.isEmpty)
    }

    @Test(arguments: PeerStoreKind.allCases)
    func chunkPartsAreRemovedPerBuffer(kind: PeerStoreKind) throws {
        let store = try kind.make().store
        let p0 = chunkPart("r", "K", "L1", index: 0, of: 3)
        let q0 = chunkPart("r", kelvin, "L1", index: 0, of: 3)
        let p2 = chunkPart("r", "K", "L1", index: 2, of: 3, sealed: [1, 2])
        let other = chunkPart("r", "K", "L2", index: 0, of: 2)
        try store.apply([.putChunkPart(p0), .putChunkPart(q0), .putChunkPart(p2), .putChunkPart(other), .putChunkPart(p0)])
        #expect(try store.loadSnapshot(nowMs: 0).chunkParts == [p0, q0, p2, other])
        try store.apply([.removeChunkBuffer(ChunkBufferID(peer: roomPeer("r", "K"), logicalID: "L1"))])
        #expect(try store.loadSnapshot(nowMs: 0).chunkParts == [q0, other], "only that sender's buffer, by bytes")
    }

    @Test(arguments: PeerStoreKind.allCases)
    func inboxAppendAsAChangeHonoursTheCap(kind: PeerStoreKind) throws {
        let store = try kind.make().store
        try store.apply([.addSeen(seen("r", "bob", "m1", at: 1)), .appendInbox(message(1, "one"), cap: 2)])
        try store.apply([.appendInbox(message(2, "two"), cap: 2), .appendInbox(message(3, "three"), cap: 2)])
        #expect(try store.loadSnapshot(nowMs: 0).seen == [seen("r", "bob", "m1", at: 1)])
        #expect(try store.drainInbox(max: 10, peek: false) == InboxDrain(entries: [message(2, "two"), message(3, "three")], dropped: 1))
    }

    /// The dedup commit and the inbox entry are one transaction: when the batch fails,
    /// neither is there (so the sender's retransmission is delivered, not deduped).
    @Test func aFailedDeliveryBatchLeavesNeitherTheCommitNorTheInboxEntry() throws {
        let dir = TempDir()
        let path = dir.file("peer.state.db")
        let store = try SQLitePeerStore(path: path)
        let saboteur = try DatabaseQueue(path: path)
        try saboteur.write { db in
            try db.execute(sql: "CREATE TRIGGER boom BEFORE INSERT ON chunk_part BEGIN SELECT RAISE(ABORT, 'boom'); END")
        }
        try saboteur.close()
        #expect(throws: PeerStoreError.self) {
            try store.apply([.addSeen(seen("r", "bob", "m1", at: 1)), .appendInbox(message(1, "one"), cap: 9),
                             .putChunkPart(chunkPart("r", "bob", "L", index: 0, of: 2))])
        }
        #expect(try store.loadSnapshot(nowMs: 0) == PeerStateSnapshot())
        #expect(try store.inboxCount() == 0)
    }

    /// A database written by the previous version gains the new tables and keeps its rows.
    @Test func aV1DatabaseIsMigratedKeepingItsState() throws {
        let dir = TempDir()
        let path = dir.file("peer.state.db")
        let queue = try DatabaseQueue(path: path)
        let v1 = PeerMigrations.migrator
        try v1.migrate(queue, upTo: "v1")
        try queue.write { db in
            try db.execute(sql: "INSERT INTO sts_failed (room, name, seq) VALUES (CAST('r' AS BLOB), CAST('bob' AS BLOB), 1)")
        }
        try queue.close()
        let store = try SQLitePeerStore(path: path)
        #expect(try store.appliedMigrations() == ["v1", "v2-durable-outbox"])
        #expect(try store.loadSnapshot(nowMs: 0).stsFailed == [roomPeer("r", "bob")])
        try store.apply([.putOutbox(outboxEntry("m"))])
        #expect(try store.loadSnapshot(nowMs: 0).outbox == [outboxEntry("m")])
    }
}
