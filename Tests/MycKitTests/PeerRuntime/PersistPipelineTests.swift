import Testing
@testable import MycKit

/// The group-commit bookkeeping on its own: what runs at once, what waits for which write,
/// and what a write carries.
@Suite struct PersistPipelineTests {
    /// A distinguishable action that is not a persist.
    static func send(_ n: UInt8) -> PeerAction { .sendFrame([n]) }
    static func change(_ n: Int64) -> PeerStoreChange { .touchPin(RoomPeer(room: "r", name: "bob"), lastSeenMs: n) }

    @Test func actionsWithNothingAheadRunAtOnce() {
        var pipeline = PersistPipeline()
        #expect(pipeline.submit([Self.send(1), Self.send(2)]) == [Self.send(1), Self.send(2)])
        #expect(pipeline.nextBatch() == nil)
        #expect(pipeline.isSettled)
    }

    @Test func actionsAfterAPersistWaitForItsWrite() {
        var pipeline = PersistPipeline()
        let ready = pipeline.submit([Self.send(1), .persist([Self.change(1)]), Self.send(2), .log(PeerLogEvent(.info, "after"))])
        #expect(ready == [Self.send(1)], "only what comes before the persist")
        #expect(pipeline.nextBatch() == [Self.change(1)])
        #expect(pipeline.isWriting)
        #expect(pipeline.nextBatch() == nil, "one write at a time")
        #expect(pipeline.written() == [Self.send(2), .log(PeerLogEvent(.info, "after"))])
        #expect(pipeline.isSettled)
        #expect(!pipeline.isWriting)
    }

    @Test func actionsArrivingDuringAWriteQueueBehindItEvenWithoutAPersist() {
        var pipeline = PersistPipeline()
        #expect(pipeline.submit([.persist([Self.change(1)]), Self.send(1)]).isEmpty)
        _ = pipeline.nextBatch()
        #expect(pipeline.submit([Self.send(2)]).isEmpty, "would overtake send(1)")
        #expect(pipeline.submit([Self.send(3)]).isEmpty)
        #expect(pipeline.nextBatch() == nil, "nothing to write for them")
        // They wait for no persist of their own: released with the batch they queued behind.
        #expect(pipeline.written() == [Self.send(1), Self.send(2), Self.send(3)])
        #expect(pipeline.isSettled)
        #expect(pipeline.submit([Self.send(4)]) == [Self.send(4)])
    }

    @Test func persistsAcceptedDuringAWriteGoIntoOneApplyInOrder() {
        var pipeline = PersistPipeline()
        _ = pipeline.submit([.persist([Self.change(1)]), Self.send(1)])
        #expect(pipeline.nextBatch() == [Self.change(1)])
        // Three inputs while the first write is on disk.
        _ = pipeline.submit([Self.send(2), .persist([Self.change(2), Self.change(3)]), Self.send(3)])
        _ = pipeline.submit([.persist([Self.change(4)])])
        _ = pipeline.submit([Self.send(4), .persist([Self.change(5)]), Self.send(5)])
        #expect(pipeline.unwrittenChanges == [2, 3, 4, 5].map(Self.change), "what memory holds beyond the disk")
        // The first write completes: its action, then send(2), which waits for no new persist.
        #expect(pipeline.written() == [Self.send(1), Self.send(2)])
        #expect(pipeline.nextBatch() == [2, 3, 4, 5].map(Self.change), "one transaction for all of them")
        #expect(pipeline.unwrittenChanges.isEmpty)
        // Accepted during the second write: waits for it, then gets a write of its own.
        _ = pipeline.submit([.persist([Self.change(6)]), Self.send(6)])
        #expect(pipeline.written() == [Self.send(3), Self.send(4), Self.send(5)])
        #expect(pipeline.nextBatch() == [Self.change(6)])
        #expect(pipeline.written() == [Self.send(6)])
        #expect(pipeline.isSettled)
    }

    @Test func orderIsKeptAcrossPersists() {
        var pipeline = PersistPipeline()
        var ran: [PeerAction] = []
        ran += pipeline.submit([Self.send(1), .persist([Self.change(1)]), Self.send(2)])
        _ = pipeline.nextBatch()
        ran += pipeline.submit([.persist([Self.change(2)]), Self.send(3), .persist([Self.change(3)]), Self.send(4)])
        ran += pipeline.submit([Self.send(5)])
        while pipeline.isWriting {
            ran += pipeline.written()
            _ = pipeline.nextBatch()
        }
        ran += pipeline.submit([Self.send(6)])
        #expect(ran == (1...6).map(Self.send))
    }

    @Test func aFailedWriteDropsEverythingOfItAndAfterIt() {
        var pipeline = PersistPipeline()
        _ = pipeline.submit([.persist([Self.change(1)]), Self.send(1)])
        _ = pipeline.nextBatch()
        _ = pipeline.submit([Self.send(2), .persist([Self.change(2)]), Self.send(3)])
        pipeline.failed()
        #expect(pipeline.isSettled)
        #expect(!pipeline.isWriting)
        #expect(pipeline.unwrittenChanges.isEmpty)
        #expect(pipeline.nextBatch() == nil, "nothing left to write")
    }
}
