import Testing
@testable import MycKit

/// The `PeerStore` contract, run against the in-memory twin and both SQLite forms, so the
/// twin cannot drift from the real store.
@Suite struct PeerStoreBehaviourTests {
    @Test(arguments: PeerStoreKind.allCases)
    func freshStoreIsEmpty(kind: PeerStoreKind) throws {
        let store = try kind.make().store
        #expect(try store.loadSnapshot(nowMs: 0) == PeerStateSnapshot())
        #expect(try store.inboxCount() == 0)
        #expect(try store.drainInbox(max: 50, peek: false) == InboxDrain(entries: [], dropped: 0))
    }

    @Test(arguments: PeerStoreKind.allCases)
    func pinsReadBackInInsertionOrderAndAreReplacedInPlace(kind: PeerStoreKind) throws {
        let store = try kind.make().store
        try store.apply([.setPin(pin("r2", "zed", "K1")), .setPin(pin("r1", "amy", "K2")), .setPin(pin("r1", "zed", "K3"))])
        try store.apply([.setPin(pin("r2", "zed", "K9", first: 900, last: 901))])
        #expect(try store.loadSnapshot(nowMs: 0).pins == [
            pin("r2", "zed", "K9", first: 900, last: 901), pin("r1", "amy", "K2"), pin("r1", "zed", "K3"),
        ])
        try store.apply([.touchPin(roomPeer("r1", "amy"), lastSeenMs: 7777), .touchPin(roomPeer("r1", "nobody"), lastSeenMs: 1)])
        #expect(try store.loadSnapshot(nowMs: 0).pins[1] == pin("r1", "amy", "K2", first: 100, last: 7777))
        try store.apply([.removePin(roomPeer("r2", "zed")), .removePin(roomPeer("r9", "amy"))])
        try store.apply([.setPin(pin("r2", "zed", "K4"))])
        #expect(try store.loadSnapshot(nowMs: 0).pins.map(\.key) == ["K2", "K3", "K4"])
    }

    @Test(arguments: PeerStoreKind.allCases)
    func blockedKeysKeepEveryFieldAndReason(kind: PeerStoreKind) throws {
        let store = try kind.make().store
        let all: [BlockedKey] = [
            blockedKey("r", "a", "KA", reason: .keyChanged, at: 1),
            blockedKey("r", "b", "KB", reason: .badEphemeralSignature, at: 2),
            blockedKey("r", "c", "KC", reason: .stsFailed, at: 3),
            BlockedKey(peer: roomPeer("s", "d"), keyInfo: KeyInfo(signPublicKey: "KD", ephemeralPublicKey: "",
                       ephemeralPublicKeySignature: "", sessionID: ""), reason: .other, blockedAtMs: -4),
        ]
        try store.apply(all.map { .setBlocked($0) })
        #expect(try store.loadSnapshot(nowMs: 0).blocked == all)
        // A newer key for the same peer replaces the entry in place.
        let newer = blockedKey("r", "a", "KA2", reason: .stsFailed, at: 9)
        try store.apply([.setBlocked(newer), .clearBlocked(roomPeer("r", "b")), .clearBlocked(roomPeer("x", "c"))])
        #expect(try store.loadSnapshot(nowMs: 0).blocked == [newer, all[2], all[3]])
    }

    @Test(arguments: PeerStoreKind.allCases)
    func stsFailedIsAnOrderedSet(kind: PeerStoreKind) throws {
        let store = try kind.make().store
        try store.apply([.addStsFailed(roomPeer("r", "b")), .addStsFailed(roomPeer("r", "a")), .addStsFailed(roomPeer("r", "b"))])
        #expect(try store.loadSnapshot(nowMs: 0).stsFailed == [roomPeer("r", "b"), roomPeer("r", "a")])
        try store.apply([.clearStsFailed(roomPeer("r", "b")), .clearStsFailed(roomPeer("q", "a")), .addStsFailed(roomPeer("r", "b"))])
        #expect(try store.loadSnapshot(nowMs: 0).stsFailed == [roomPeer("r", "a"), roomPeer("r", "b")])
    }

    @Test(arguments: PeerStoreKind.allCases)
    func seenEntriesArePrunedByAgeThenOldestInserted(kind: PeerStoreKind) throws {
        let store = try kind.make().store
        try store.apply([
            .addSeen(seen("r", "a", "m1", at: 50)), .addSeen(seen("r", "a", "m2", at: 10)),
            .addSeen(seen("r", "b", "m1", at: 40)), .addSeen(seen("s", "a", "m1", at: 30)),
            .addSeen(seen("r", "a", "m3", at: 20)),
        ])
        // Re-adding keeps the insertion position (JS Map.set) and takes the new time.
        try store.apply([.addSeen(seen("r", "a", "m1", at: 60))])
        #expect(try store.loadSnapshot(nowMs: 0).seen == [
            seen("r", "a", "m1", at: 60), seen("r", "a", "m2", at: 10), seen("r", "b", "m1", at: 40),
            seen("s", "a", "m1", at: 30), seen("r", "a", "m3", at: 20),
        ])
        // Age first (at or before 20 goes), then the oldest-inserted beyond the cap.
        try store.apply([.pruneSeen(atOrBeforeMs: 20, keepAtMost: 2)])
        #expect(try store.loadSnapshot(nowMs: 0).seen == [seen("r", "b", "m1", at: 40), seen("s", "a", "m1", at: 30)])
        try store.apply([.pruneSeen(atOrBeforeMs: 0, keepAtMost: 5)])
        #expect(try store.loadSnapshot(nowMs: 0).seen.count == 2)
        try store.apply([.pruneSeen(atOrBeforeMs: 0, keepAtMost: 0)])
        #expect(try store.loadSnapshot(nowMs: 0).seen.isEmpty)
    }

    @Test(arguments: PeerStoreKind.allCases)
    func windowMasksRoundTripAllSixtyFourBits(kind: PeerStoreKind) throws {
        let store = try kind.make().store
        let masks: [UInt64] = [0, 1, 1 << 63, UInt64.max, 0x8000_0000_0000_0001, 0x7FFF_FFFF_FFFF_FFFF, 0xDEAD_BEEF_0123_4567]
        let windows = masks.enumerated().map { i, mask in
            window("r", "bob", "s\(i)", last: Int64(i) - 1, mask: mask)
        }
        try store.apply(windows.map { .setWindow($0) })
        let read = try store.loadSnapshot(nowMs: 0).windows
        #expect(read == windows)
        #expect(read.map(\.mask) == masks)
        #expect(read[2].mask >> 63 == 1)
        // Replacing a window keeps its position.
        try store.apply([.setWindow(window("r", "bob", "s0", last: Int64.max, mask: UInt64.max))])
        #expect(try store.loadSnapshot(nowMs: 0).windows.first == window("r", "bob", "s0", last: Int64.max, mask: UInt64.max))
        #expect(try store.loadSnapshot(nowMs: 0).windows.count == masks.count)
    }

    /// "K" and the Kelvin sign are equal to Swift's `==` but different peers on the wire; so
    /// are a precomposed and a decomposed "é". The store must keep them apart everywhere.
    @Test(arguments: PeerStoreKind.allCases)
    func namesRoomsAndIdsCompareByteWise(kind: PeerStoreKind) throws {
        #expect("K" == kelvin, "the premise: Swift merges them")
        let store = try kind.make().store
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        try store.apply([
            .setPin(pin("r", "K", "K-latin")), .setPin(pin("r", kelvin, "K-kelvin")),
            .setPin(pin(composed, "a", "K-composed")), .setPin(pin(decomposed, "a", "K-decomposed")),
            .setBlocked(blockedKey("r", "K", "B1")), .setBlocked(blockedKey("r", kelvin, "B2")),
            .addStsFailed(roomPeer("r", "K")), .addStsFailed(roomPeer("r", kelvin)),
            .addSeen(seen("r", "K", composed, at: 1)), .addSeen(seen("r", "K", decomposed, at: 2)),
            .addSeen(seen("r", kelvin, composed, at: 3)),
            .setWindow(window("r", "K", composed, last: 1, mask: 1)), .setWindow(window("r", "K", decomposed, last: 2, mask: 3)),
        ])
        var snapshot = try store.loadSnapshot(nowMs: 0)
        #expect(snapshot.pins.map(\.key) == ["K-latin", "K-kelvin", "K-composed", "K-decomposed"])
        #expect(snapshot.pins.map { Array($0.peer.name.utf8) } == [[0x4B], [0xE2, 0x84, 0xAA], [0x61], [0x61]])
        #expect(snapshot.blocked.map(\.keyInfo.signPublicKey) == ["B1", "B2"])
        #expect(snapshot.stsFailed.count == 2)
        #expect(snapshot.seen.map(\.atMs) == [1, 2, 3])
        #expect(snapshot.windows.map(\.last) == [1, 2])
        #expect(Array(snapshot.seen[1].msgID.utf8) == Array(decomposed.utf8))

        try store.apply([
            .removePin(roomPeer("r", kelvin)), .clearBlocked(roomPeer("r", "K")), .clearStsFailed(roomPeer("r", kelvin)),
            .touchPin(roomPeer("r", "K"), lastSeenMs: 42),
        ])
        snapshot = try store.loadSnapshot(nowMs: 0)
        #expect(snapshot.pins.map(\.key) == ["K-latin", "K-composed", "K-decomposed"])
        #expect(snapshot.pins[0].lastSeenMs == 42)
        #expect(snapshot.blocked.map(\.keyInfo.signPublicKey) == ["B2"])
        #expect(snapshot.stsFailed.map { Array($0.name.utf8) } == [[0x4B]])
    }

    /// Untrusted strings with NULs and other control characters are kept whole: a msg_id cut
    /// at its NUL would collide with another one.
    @Test(arguments: PeerStoreKind.allCases)
    func embeddedNULsAndControlCharactersSurvive(kind: PeerStoreKind) throws {
        let store = try kind.make().store
        try store.apply([
            .addSeen(seen("r", "a", "x\u{0}y", at: 1)), .addSeen(seen("r", "a", "x", at: 2)),
            .setWindow(window("r", "a", "s\u{0}1", last: 1, mask: 1)), .setWindow(window("r", "a", "s", last: 2, mask: 2)),
            .setBlocked(BlockedKey(peer: roomPeer("r", "a"), keyInfo: KeyInfo(signPublicKey: "k\u{0}k", ephemeralPublicKey: "\n",
                       ephemeralPublicKeySignature: "\u{1F}", sessionID: "🍄"), reason: .other, blockedAtMs: 0)),
        ])
        let snapshot = try store.loadSnapshot(nowMs: 0)
        #expect(snapshot.seen.map(\.msgID) == ["x\u{0}y", "x"])
        #expect(snapshot.windows.map(\.sessionID) == ["s\u{0}1", "s"])
        #expect(snapshot.blocked.first?.keyInfo == KeyInfo(signPublicKey: "k\u{0}k", ephemeralPublicKey: "\n",
                                                         ephemeralPublicKeySignature: "\u{1F}", sessionID: "🍄"))
    }

    /// One batch is applied in order: later changes see earlier ones.
    @Test(arguments: PeerStoreKind.allCases)
    func aBatchIsAppliedInOrder(kind: PeerStoreKind) throws {
        let store = try kind.make().store
        try store.apply([
            .setPin(pin("r", "a", "K1")), .removePin(roomPeer("r", "a")), .setPin(pin("r", "b", "K2")),
            .setBlocked(blockedKey("r", "c", "B")), .clearBlocked(roomPeer("r", "c")),
            .clearStsFailed(roomPeer("r", "d")), .addStsFailed(roomPeer("r", "d")),
            .addSeen(seen("r", "a", "m", at: 5)), .pruneSeen(atOrBeforeMs: 5, keepAtMost: 10), .addSeen(seen("r", "a", "n", at: 6)),
            .setWindow(window("r", "a", "s", last: 1, mask: 1)), .setWindow(window("r", "a", "s", last: 2, mask: 3)),
        ])
        #expect(try store.loadSnapshot(nowMs: 0) == PeerStateSnapshot(
            pins: [pin("r", "b", "K2")], blocked: [], stsFailed: [roomPeer("r", "d")],
            seen: [seen("r", "a", "n", at: 6)], windows: [window("r", "a", "s", last: 2, mask: 3)]))
    }

    /// Every change kind, replayed: the contract promises a replay after a crash is harmless.
    @Test(arguments: PeerStoreKind.allCases)
    func replayingABatchChangesNothing(kind: PeerStoreKind) throws {
        let store = try kind.make().store
        try store.apply([.setPin(pin("r", "z", "K0")), .addSeen(seen("r", "z", "old", at: 1))])
        let batch: [PeerStoreChange] = [
            .setPin(pin("r", "a", "K1")), .touchPin(roomPeer("r", "a"), lastSeenMs: 300), .removePin(roomPeer("r", "z")),
            .setBlocked(blockedKey("r", "b", "B")), .clearBlocked(roomPeer("r", "q")),
            .addStsFailed(roomPeer("r", "c")), .clearStsFailed(roomPeer("r", "q")),
            .addSeen(seen("r", "a", "m1", at: 10)), .addSeen(seen("r", "a", "m2", at: 11)),
            .pruneSeen(atOrBeforeMs: 1, keepAtMost: 10),
            .setWindow(window("r", "a", "s", last: 5, mask: 0b10111)),
        ]
        try store.apply(batch)
        let once = try store.loadSnapshot(nowMs: 0)
        try store.apply(batch)
        #expect(try store.loadSnapshot(nowMs: 0) == once)
        #expect(once.pins == [pin("r", "a", "K1", last: 300)])
        #expect(once.seen.map(\.msgID) == ["m1", "m2"])
    }

    @Test(arguments: PeerStoreKind.allCases)
    func anEmptyBatchIsANoOp(kind: PeerStoreKind) throws {
        let store = try kind.make().store
        try store.apply([])
        #expect(try store.loadSnapshot(nowMs: 0) == PeerStateSnapshot())
    }
}
