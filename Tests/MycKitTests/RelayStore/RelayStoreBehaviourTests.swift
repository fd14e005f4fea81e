import Testing
@testable import MycKit

/// The `RelayStore` contract, run against the in-memory twin and both SQLite forms, so
/// the twin cannot drift from the real store.
@Suite struct RelayStoreBehaviourTests {
    @Test(arguments: RelayStoreKind.allCases)
    func freshStoreIsEmpty(kind: RelayStoreKind) throws {
        let store = try kind.make().store
        #expect(try store.loadAllowList() == AllowListSnapshot())
        #expect(try store.loadQueue(nowMs: 0).isEmpty)
    }

    @Test(arguments: RelayStoreKind.allCases)
    func bindingsReadBackInInsertionOrder(kind: RelayStoreKind) throws {
        let store = try kind.make().store
        try store.apply([.bind(room: "r2", name: "zed", key: "K1"), .bind(room: "r1", name: "amy", key: "K2")])
        try store.apply([.bind(room: "r2", name: "bob", key: "K3")])
        #expect(try store.loadAllowList().bindings == [
            binding("r2", "zed", "K1"), binding("r1", "amy", "K2"), binding("r2", "bob", "K3"),
        ])
    }

    @Test(arguments: RelayStoreKind.allCases)
    func rebindingANameReplacesItsKeyInPlace(kind: RelayStoreKind) throws {
        let store = try kind.make().store
        try store.apply([.bind(room: "r", name: "a", key: "K1"), .bind(room: "r", name: "b", key: "K2")])
        try store.apply([.bind(room: "r", name: "a", key: "K9")])
        #expect(try store.loadAllowList().bindings == [binding("r", "a", "K9"), binding("r", "b", "K2")])
    }

    @Test(arguments: RelayStoreKind.allCases)
    func unbindRemovesAndABindAfterwardsGoesLast(kind: RelayStoreKind) throws {
        let store = try kind.make().store
        try store.apply([.bind(room: "r", name: "a", key: "K1"), .bind(room: "r", name: "b", key: "K2")])
        try store.apply([.unbind(room: "r", name: "a"), .unbind(room: "r", name: "nobody"), .unbind(room: "x", name: "b")])
        #expect(try store.loadAllowList().bindings == [binding("r", "b", "K2")])
        try store.apply([.bind(room: "r", name: "a", key: "K1")])
        #expect(try store.loadAllowList().bindings == [binding("r", "b", "K2"), binding("r", "a", "K1")])
    }

    @Test(arguments: RelayStoreKind.allCases)
    func sameNameInTwoRoomsIsTwoBindings(kind: RelayStoreKind) throws {
        let store = try kind.make().store
        try store.apply([.bind(room: "r1", name: "a", key: "K1"), .bind(room: "r2", name: "a", key: "K2")])
        try store.apply([.unbind(room: "r1", name: "a")])
        #expect(try store.loadAllowList().bindings == [binding("r2", "a", "K2")])
    }

    /// §4.11.3 step 4 detects a key bound under two names; the store must hold that state.
    @Test(arguments: RelayStoreKind.allCases)
    func keyBoundUnderTwoNamesIsStoredNotRejected(kind: RelayStoreKind) throws {
        let store = try kind.make().store
        try store.apply([.bind(room: "r", name: "a", key: "K"), .bind(room: "r", name: "b", key: "K")])
        #expect(try store.loadAllowList().bindings == [binding("r", "a", "K"), binding("r", "b", "K")])
    }

    @Test(arguments: RelayStoreKind.allCases)
    func legacyKeysKeepOrderWithoutDuplicates(kind: RelayStoreKind) throws {
        let store = try kind.make().store
        try store.apply([.addLegacy(room: "r", key: "A"), .addLegacy(room: "r", key: "B"), .addLegacy(room: "s", key: "A")])
        try store.apply([.addLegacy(room: "r", key: "A")])
        #expect(try store.loadAllowList().legacy == [roomKey("r", "A"), roomKey("r", "B"), roomKey("s", "A")])
        try store.apply([.removeLegacy(room: "r", key: "A"), .removeLegacy(room: "r", key: "none")])
        try store.apply([.addLegacy(room: "r", key: "A")])
        #expect(try store.loadAllowList().legacy == [roomKey("r", "B"), roomKey("s", "A"), roomKey("r", "A")])
    }

    @Test(arguments: RelayStoreKind.allCases)
    func revocationsKeepOrderWithoutDuplicates(kind: RelayStoreKind) throws {
        let store = try kind.make().store
        try store.apply([.revoke(room: "r", key: "A"), .revoke(room: "r", key: "B"), .revoke(room: "r", key: "A")])
        #expect(try store.loadAllowList().revoked == [roomKey("r", "A"), roomKey("r", "B")])
        try store.apply([.unrevoke(room: "r", key: "A"), .unrevoke(room: "q", key: "B")])
        #expect(try store.loadAllowList().revoked == [roomKey("r", "B")])
        try store.apply([.revoke(room: "r", key: "A")])
        #expect(try store.loadAllowList().revoked == [roomKey("r", "B"), roomKey("r", "A")])
    }

    /// Every change kind, replayed: the contract promises a replay after a crash is harmless.
    @Test(arguments: RelayStoreKind.allCases)
    func replayingABatchChangesNothing(kind: RelayStoreKind) throws {
        let store = try kind.make().store
        try store.apply([.bind(room: "r", name: "x", key: "KX"), .addLegacy(room: "r", key: "L0"),
                         .revoke(room: "r", key: "R0"), .enqueue(queuedFrame(1)), .enqueue(queuedFrame(2, expiresAtMs: 5))])
        let batch: [StoreChange] = [
            .bind(room: "r", name: "a", key: "K"), .unbind(room: "r", name: "x"),
            .addLegacy(room: "r", key: "L"), .removeLegacy(room: "r", key: "L0"),
            .revoke(room: "r", key: "R"), .unrevoke(room: "r", key: "R0"),
            .enqueue(queuedFrame(3)), .dequeue(ids: [1]), .expireQueue(nowMs: 5),
        ]
        try store.apply(batch)
        let snapshot = try store.loadAllowList()
        let queue = try store.loadQueue(nowMs: 0)
        try store.apply(batch)
        #expect(try store.loadAllowList() == snapshot)
        #expect(try store.loadQueue(nowMs: 0) == queue)
        #expect(snapshot == AllowListSnapshot(bindings: [binding("r", "a", "K")], legacy: [roomKey("r", "L")], revoked: [roomKey("r", "R")]))
        #expect(queue == [queuedFrame(3)])
    }

    @Test(arguments: RelayStoreKind.allCases)
    func aBatchAppliesInOrder(kind: RelayStoreKind) throws {
        let store = try kind.make().store
        try store.apply([.bind(room: "r", name: "a", key: "K"), .unbind(room: "r", name: "a"),
                         .unbind(room: "r", name: "b"), .bind(room: "r", name: "b", key: "K2"),
                         .enqueue(queuedFrame(1)), .dequeue(ids: [1])])
        #expect(try store.loadAllowList().bindings == [binding("r", "b", "K2")])
        #expect(try store.loadQueue(nowMs: 0).isEmpty)
    }

    @Test(arguments: RelayStoreKind.allCases)
    func anEmptyBatchChangesNothing(kind: RelayStoreKind) throws {
        let store = try kind.make().store
        try store.apply([.bind(room: "r", name: "a", key: "K")])
        let token = try store.externalChangeToken()
        try store.apply([])
        #expect(try store.loadAllowList().bindings == [binding("r", "a", "K")])
        #expect(try store.externalChangeToken() == token)
    }

    @Test(arguments: RelayStoreKind.allCases)
    func queueIsFIFOPerRoomAndTarget(kind: RelayStoreKind) throws {
        let store = try kind.make().store
        // Enqueued out of id order and interleaved across three queues.
        try store.apply([.enqueue(queuedFrame(5, target: "bob")), .enqueue(queuedFrame(2, target: "carol"))])
        try store.apply([.enqueue(queuedFrame(3, target: "bob")), .enqueue(queuedFrame(4, room: "r2", target: "bob"))])
        try store.apply([.enqueue(queuedFrame(7, target: "bob")), .enqueue(queuedFrame(6, target: "carol"))])
        let queue = try store.loadQueue(nowMs: 0)
        #expect(queue.map(\.id) == [2, 3, 4, 5, 6, 7])
        #expect(queue.filter { $0.room == "r" && $0.target == "bob" }.map(\.id) == [3, 5, 7])
        #expect(queue.filter { $0.room == "r" && $0.target == "carol" }.map(\.id) == [2, 6])
        #expect(queue.filter { $0.room == "r2" }.map(\.id) == [4])
    }

    @Test(arguments: RelayStoreKind.allCases)
    func frameFieldsRoundTripExactly(kind: RelayStoreKind) throws {
        let store = try kind.make().store
        let text = #"{"type":"message","payload":"caf\u00e9 ☕️ \"quoted\" 👩‍👩‍👧","from":"ålice"}"#
        let frame = QueuedFrame(id: 42, room: "rüm", target: "bøb", sender: "ålice", data: text,
                                size: text.utf8.count, expiresAtMs: 1_730_000_000_123)
        try store.apply([.enqueue(frame)])
        #expect(try store.loadQueue(nowMs: 1_730_000_000_000) == [frame])
    }

    @Test(arguments: RelayStoreKind.allCases)
    func loadQueueSkipsExpiredFrames(kind: RelayStoreKind) throws {
        let store = try kind.make().store
        try store.apply([.enqueue(queuedFrame(1, expiresAtMs: 999)), .enqueue(queuedFrame(2, expiresAtMs: 1000)),
                         .enqueue(queuedFrame(3, expiresAtMs: 1001))])
        #expect(try store.loadQueue(nowMs: 1000).map(\.id) == [3])
        // Loading is a read: the expired frames are still stored.
        #expect(try store.loadQueue(nowMs: 0).map(\.id) == [1, 2, 3])
    }

    @Test(arguments: RelayStoreKind.allCases)
    func expireQueueDeletesFramesAtOrBeforeNow(kind: RelayStoreKind) throws {
        let store = try kind.make().store
        try store.apply([.enqueue(queuedFrame(1, expiresAtMs: 999)), .enqueue(queuedFrame(2, expiresAtMs: 1000)),
                         .enqueue(queuedFrame(3, expiresAtMs: 1001))])
        try store.apply([.expireQueue(nowMs: 1000)])
        #expect(try store.loadQueue(nowMs: 0).map(\.id) == [3])
    }

    @Test(arguments: RelayStoreKind.allCases)
    func dequeueRemovesOnlyTheGivenIds(kind: RelayStoreKind) throws {
        let store = try kind.make().store
        try store.apply((1...5).map { .enqueue(queuedFrame($0)) })
        try store.apply([.dequeue(ids: [2, 4, 99]), .dequeue(ids: [])])
        #expect(try store.loadQueue(nowMs: 0).map(\.id) == [1, 3, 5])
    }

    /// An id reused after a restart (above every *live* frame, but equal to an expired one
    /// not yet swept) must store the new frame, not silently keep the stale one.
    @Test(arguments: RelayStoreKind.allCases)
    func enqueueWithAnExistingIdReplacesTheFrame(kind: RelayStoreKind) throws {
        let store = try kind.make().store
        try store.apply([.enqueue(queuedFrame(7, data: "old", expiresAtMs: 10))])
        let fresh = queuedFrame(7, target: "carol", data: "new", expiresAtMs: 5000)
        try store.apply([.enqueue(fresh)])
        #expect(try store.loadQueue(nowMs: 0) == [fresh])
    }

    @Test(arguments: RelayStoreKind.allCases)
    func readsAndOwnWritesDoNotChangeTheToken(kind: RelayStoreKind) throws {
        let store = try kind.make().store
        let token = try store.externalChangeToken()
        _ = try store.loadAllowList()
        _ = try store.loadQueue(nowMs: 0)
        #expect(try store.externalChangeToken() == token)
        try store.apply([.bind(room: "r", name: "a", key: "K"), .enqueue(queuedFrame(1))])
        #expect(try store.externalChangeToken() == token)
    }

    @Test func inMemoryTwinTokenChangesOnSimulatedOutsideWrite() throws {
        let store = InMemoryRelayStore()
        let token = store.externalChangeToken()
        store.applyExternally([.revoke(room: "r", key: "K")])
        #expect(store.externalChangeToken() != token)
        #expect(store.loadAllowList().revoked == [roomKey("r", "K")])
    }

    @Test func inMemoryTwinStartsFromGivenState() throws {
        let snapshot = AllowListSnapshot(bindings: [binding("r", "a", "K")], legacy: [roomKey("r", "L")])
        let store = InMemoryRelayStore(allowList: snapshot, queue: [queuedFrame(9), queuedFrame(3)])
        #expect(store.loadAllowList() == snapshot)
        #expect(store.loadQueue(nowMs: 0).map(\.id) == [3, 9])
        #expect(store.largestQueuedFrameId() == 9)
    }
}
