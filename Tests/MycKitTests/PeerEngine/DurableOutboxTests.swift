import Foundation
import Testing
@testable import MycKit

/// Crash durability (issue #5 item 2): a peer killed at any point loses no accepted send,
/// delivers nothing twice and reports each outcome once. A "kill" keeps exactly what the
/// engine had handed to the store and nothing else (timers, sessions, memory are gone);
/// the restarted engine starts from that store's snapshot.
@Suite("PeerEngine crash-durable outbox and inbox")
struct DurableOutboxTests {
    static let aliceConfig = PE.config("alice", PE.alice)
    static let bobConfig = PE.config("bob", PE.bob)

    static func msgID(_ outcome: SendOutcome?) -> String { PeerEngineOutboxTests.msgID(outcome) }

    static func inboxTexts(_ store: InMemoryPeerStore, _ text: String) -> Int {
        store.drainInbox(max: 10_000, peek: true).entries.filter { $0.content == text }.count
    }

    static func changes(_ actions: some Sequence<PeerAction>) -> [PeerStoreChange] {
        actions.flatMap { action -> [PeerStoreChange] in
            if case let .persist(changes) = action { return changes }
            return []
        }
    }

    static func frameTypes(_ actions: some Sequence<PeerAction>) -> [String] {
        actions.compactMap { action in
            guard case let .sendFrame(bytes) = action else { return nil }
            return (try? JSONParser.parseObject(bytes))?["type"]?.stringValue
        }
    }

    // MARK: Sender

    @Test func everyEntryIsStoredSealedBeforeItsFirstFrame() throws {
        let (net, alice, _) = EngineNet.pair()
        var probe = alice.engine
        let text = String(repeating: "é", count: 20_000)  // 40,000 bytes: two parts
        let actions = probe.handle(.command(PeerCommandID(99), .send(SendRequest(target: "bob", text: text))), nowMs: net.now)
        let firstFrame = try #require(actions.firstIndex { if case .sendFrame = $0 { true } else { false } })
        let stored = Self.changes(actions[..<firstFrame]).compactMap { change -> DurableOutboxEntry? in
            if case let .putOutbox(entry) = change { return entry }
            return nil
        }
        #expect(stored.map(\.msgID).count == 2, "both parts are stored before the first goes out")
        let curve = try PE.alice.curve25519()
        for entry in stored {
            let opened = try curve.openSealed(entry.sealedPlaintext)
            #expect(String(decoding: opened, as: UTF8.self).hasPrefix("{\"__myc_chunk\""))
            #expect(!entry.sealedPlaintext.contains(subsequence: Array("éé".utf8)))
        }
    }

    /// SIGKILL after sending to an offline peer, relay keeps its queue, the sender comes
    /// back first (and resends under the same msg_id), then the recipient: one delivery,
    /// one `delivered`.
    @Test func killedSenderResendsUnderTheSameIDAndReportsDeliveredOnce() throws {
        let (net, alice, bob) = EngineNet.pair()
        let bobStore = net.kill(bob)
        let id = Self.msgID(net.sendText(alice, to: "bob", "kept across a crash"))
        #expect(net.queue.filter { $0.frame["msg_id"] == .string(id) }.count == 1)
        let aliceStore = net.kill(alice)
        #expect(aliceStore.loadSnapshot(nowMs: 0).outbox.map(\.msgID) == [id])

        net.advance(by: 60_000)
        let alice2 = net.restart(Self.aliceConfig, from: aliceStore)
        #expect(alice2.hasLine("Restored 1 unacknowledged message(s)"))
        net.settle()
        #expect(net.queue.filter { $0.frame["msg_id"] == .string(id) }.count == 2, "resent under the same msg_id")

        let bob2 = net.restart(Self.bobConfig, from: bobStore)
        net.settle()
        bobStore.apply(bob2.persisted)
        aliceStore.apply(alice2.persisted)
        #expect(Self.inboxTexts(bobStore, "kept across a crash") == 1)
        #expect(bob2.texts == ["kept across a crash"])
        #expect(bob2.hasLine("Replay dedup: re-acked \(id)"), "the second copy was deduplicated")
        #expect(alice2.events("delivered").map { $0.meta["msg_id"] } == [.string(id)])
        #expect(aliceStore.loadSnapshot(nowMs: 0).outbox.isEmpty)
        #expect(alice2.engine.outboxCount == 0)

        net.advance(by: 2 * PeerConstants.offlineAckTimeoutMs(offlineMaxAgeMs: PeerConstants.defaultOfflineMaxAgeMs))
        #expect(alice2.events("delivered").count == 1)
        #expect(alice2.events("delivery_failed").isEmpty)
        #expect(Self.inboxTexts(aliceStore, "✅ Message \(id) to bob@default confirmed delivered") == 1)
    }

    /// The recipient comes back while the sender is dead: its ack waits in the relay queue
    /// and the restarted sender reports the message delivered from it.
    @Test func ackQueuedWhileTheSenderWasDeadIsReportedOnceOnReturn() {
        let (net, alice, bob) = EngineNet.pair()
        let bobStore = net.kill(bob)
        let id = Self.msgID(net.sendText(alice, to: "bob", "ack me later"))
        let aliceStore = net.kill(alice)
        let bob2 = net.restart(Self.bobConfig, from: bobStore)
        net.settle()
        #expect(bob2.texts == ["ack me later"])
        let alice2 = net.restart(Self.aliceConfig, from: aliceStore)
        net.settle()
        aliceStore.apply(alice2.persisted)
        #expect(alice2.events("delivered").map { $0.meta["msg_id"] } == [.string(id)])
        #expect(aliceStore.loadSnapshot(nowMs: 0).outbox.isEmpty)
        net.advance(by: 120_000)
        #expect(bob2.texts == ["ack me later"])
        #expect(alice2.events("delivered").count == 1)
    }

    @Test func attemptsSurviveARestartAndTheFailureIsReportedOnce() {
        let (net, alice, bob) = EngineNet.pair()
        net.kill(bob)
        net.reachable = []
        net.relayClose(alice, code: 1006, reason: "relay gone")
        let id = Self.msgID(net.sendText(alice, to: "bob", "never arrives"))
        let window = PeerConstants.offlineAckTimeoutMs(offlineMaxAgeMs: PeerConstants.defaultOfflineMaxAgeMs)
        // Three windows expire (three retransmission attempts) before the crash.
        net.advance(by: 3 * window + 1_000)
        let aliceStore = net.kill(alice)
        #expect(aliceStore.loadSnapshot(nowMs: 0).outbox.map(\.attempts) == [3])

        let restartAt = net.now + 60_000
        net.advance(to: restartAt)
        let alice2 = net.restart(Self.aliceConfig, from: aliceStore)
        let stored = aliceStore.loadSnapshot(nowMs: 0).outbox[0]
        let rearmed = alice2.armed.filter { $0.id == .outbox(msgID: id) }
        #expect(rearmed.first?.at == stored.armedAtMs + window, "the window runs on from the last attempt")
        // Three more windows: attempts 4 and 5, then the terminal failure.
        var failing: [PeerAction] = []
        for _ in 0..<3 {
            guard let at = alice2.timers[.outbox(msgID: id)] else { break }
            var probe = alice2.engine
            failing = probe.handle(.timerFired(.outbox(msgID: id)), nowMs: at)
            net.advance(to: at)
        }
        aliceStore.apply(alice2.persisted)
        #expect(alice2.events("delivery_failed").map { $0.meta["msg_id"] } == [.string(id)])
        #expect(alice2.events("delivery_failed").first?.content.contains("after 6 attempt(s)") == true,
                "RETRY_MAX counts the attempts made before the crash")
        #expect(aliceStore.loadSnapshot(nowMs: 0).outbox.isEmpty)
        // The removal and the event's inbox entry are one transaction.
        let batch = failing.compactMap { action -> [PeerStoreChange]? in
            if case let .persist(changes) = action, changes.contains(.removeOutbox(msgID: id)) { return changes }
            return nil
        }
        #expect(batch.count == 1)
        #expect(batch.first?.contains { if case let .appendInbox(n, _) = $0 { n.type == "delivery_failed" } else { false } } == true)
        net.advance(by: 3 * window)
        #expect(alice2.events("delivery_failed").count == 1)
    }

    @Test func anEntryThatCannotBeOpenedIsReportedOnceAndDropped() {
        let foreign = try! BoxKeyPair(secretKey: [UInt8](repeating: 9, count: 32))
        let sealed = try! SealedBox.seal(Array("secret".utf8), to: foreign.publicKey)
        let row = DurableOutboxEntry(msgID: "alice-x-0", peer: RoomPeer(room: "default", name: "bob"), type: "info",
                                     requestID: nil, sealedPlaintext: sealed, attempts: 0, wasOffline: false,
                                     sessionOnly: false, createdAtMs: PE.t0 - 1_000, armedAtMs: PE.t0 - 1_000)
        let net = EngineNet()
        let alice = net.add(Self.aliceConfig, snapshot: PeerStateSnapshot(outbox: [row]))
        #expect(alice.engine.outboxCount == 0)
        net.start(alice)
        net.settle()
        #expect(alice.events("delivery_failed").map { $0.meta["msg_id"] } == [.string("alice-x-0")])
        #expect(alice.persisted.contains(.removeOutbox(msgID: "alice-x-0")))
        #expect(alice.logs.contains { $0.level == .error && $0.metadata["msg.id"] == "alice-x-0" })
        #expect(!alice.lines.contains { $0.contains("secret") })
    }

    @Test func resealStoresEveryEntryUnderTheCurrentIdentity() throws {
        let (net, alice, bob) = EngineNet.pair()
        _ = net.kill(bob)
        _ = net.sendText(alice, to: "bob", "sealed twice")
        let newIdentity = PE.carol
        alice.engine.identityCurve = try newIdentity.curve25519()
        alice.engine.resealOutbox()
        let resealed = Self.changes(alice.engine.actions).compactMap { change -> DurableOutboxEntry? in
            if case let .putOutbox(entry) = change { return entry }
            return nil
        }
        alice.engine.actions = []
        #expect(resealed.count == 1)
        let opened = try newIdentity.curve25519().openSealed(resealed[0].sealedPlaintext)
        #expect(String(decoding: opened, as: UTF8.self) == "sealed twice")
        #expect(throws: SodiumError.self) { try PE.alice.curve25519().openSealed(resealed[0].sealedPlaintext) }
        // A restart under the new identity restores it.
        let store = InMemoryPeerStore()
        store.apply(alice.persisted + [.putOutbox(resealed[0])])
        var config = Self.aliceConfig
        config.identity = newIdentity
        let restored = PeerEngine(config: config, snapshot: store.loadSnapshot(nowMs: 0))
        #expect(restored.outboxCount == 1)
    }

    // MARK: Receiver

    /// Kills the recipient after every single action of its delivery (for a plain message
    /// and for both parts of a chunked one), then restarts it: the message is in its inbox
    /// exactly once, the sender hears no failure, and an `_ack` never leaves before the
    /// inbox entry (or the chunk part) and its dedup commit are on disk together.
    @Test(arguments: ["plain message", String(repeating: "ü", count: 15_000)])
    func recipientKilledAtEveryStepLosesNothingAndDuplicatesNothing(text: String) throws {
        var cut = 0
        while true {
            let (net, alice, bob) = EngineNet.pair()
            var captured: [JSONObject] = []
            net.tamper = { to, frame in
                guard to === bob, frame["type"]?.stringValue == "info" else { return frame }
                captured.append(frame)
                return nil
            }
            _ = net.sendText(alice, to: "bob", text)
            net.tamper = nil
            #expect(captured.count == (text.utf8.count > 24_000 ? 2 : 1))
            var probe = bob.engine
            var actions: [PeerAction] = []
            for frame in captured { actions += probe.handle(.linkText(RelayFrames.bytes(frame)), nowMs: net.now) }
            guard cut <= actions.count else { break }

            // What a kill -9 after `cut` actions leaves on disk.
            let store = InMemoryPeerStore()
            store.apply(bob.persisted)
            for case let .persist(changes) in actions[..<cut] { store.apply(changes) }
            let snapshot = store.loadSnapshot(nowMs: 0)
            let ids = Set(captured.compactMap { $0["msg_id"]?.stringValue })
            let committed = Set(snapshot.seen.filter { $0.peer.name == "alice" && ids.contains($0.msgID) }.map(\.msgID))
            let delivered = Self.inboxTexts(store, text)
            let partsKept = snapshot.chunkParts.count
            let acks = Self.frameTypes(actions[..<cut]).filter { $0 == "_ack" }.count
            // Every committed id is backed by what it carried, and every ack by a commit.
            #expect(committed.count == (delivered == 1 ? captured.count : partsKept), "cut \(cut)")
            #expect(acks <= committed.count, "cut \(cut): an ack left before its commit")

            _ = net.kill(bob, keeping: store)
            net.advance(by: 5_000)
            let bob2 = net.restart(Self.bobConfig, from: store)
            net.advance(by: 40_000)
            store.apply(bob2.persisted)
            #expect(Self.inboxTexts(store, text) == 1, "cut \(cut): delivered exactly once across the crash")
            #expect(store.loadSnapshot(nowMs: 0).chunkParts.isEmpty)
            #expect(alice.engine.outboxCount == 0, "cut \(cut)")
            #expect(alice.events("delivery_failed").isEmpty)
            #expect(bob2.events("chunk_timeout").isEmpty)
            cut += 1
        }
        #expect(cut > 3)
    }

    /// A chunk buffer restored after a restart keeps its original deadline.
    @Test func restoredChunkBufferTimesOutOnItsOriginalDeadline() throws {
        let (net, alice, bob) = EngineNet.pair()
        var parts = 0
        net.tamper = { to, frame in
            guard to === bob, frame["type"]?.stringValue == "info" else { return frame }
            parts += 1
            return parts == 1 ? frame : nil  // only the first part reaches bob
        }
        _ = net.sendText(alice, to: "bob", String(repeating: "x", count: 30_000))
        let opened = net.now
        net.kill(alice)
        net.tamper = nil
        let bobStore = net.kill(bob)
        let stored = bobStore.loadSnapshot(nowMs: 0).chunkParts
        #expect(stored.count == 1)
        #expect(!stored[0].sealedData.contains(subsequence: Array("xxxx".utf8)))
        net.advance(by: 30_000)
        let bob2 = net.restart(Self.bobConfig, from: bobStore)
        #expect(bob2.armed.contains { $0.id == .chunkTimeout(stored[0].buffer) && $0.at == opened + PeerConstants.chunkTimeoutMs })
        net.advance(by: 100_000)
        bobStore.apply(bob2.persisted)
        #expect(bob2.events("chunk_timeout").count == 1)
        #expect(bobStore.loadSnapshot(nowMs: 0).chunkParts.isEmpty)
    }

    // MARK: At rest

    /// The database file never holds an outbox text or a chunk part in clear.
    @Test func plaintextIsNeverInTheDatabaseFile() throws {
        let (net, alice, bob) = EngineNet.pair()
        _ = net.kill(bob)
        let marker = "PLAINTEXT-MARKER-7f3a"
        _ = net.sendText(alice, to: "bob", marker + " short")
        _ = net.sendText(alice, to: "bob", marker + String(repeating: " long", count: 6_000))
        let dir = TempDir()
        let path = dir.file("alice.state.db")
        let store = try SQLitePeerStore(path: path)
        try store.apply(alice.persisted)
        #expect(try store.loadSnapshot(nowMs: 0).outbox.count == 3)
        func files() -> [UInt8] {
            [path, path + "-wal"].flatMap { FileManager.default.contents(atPath: $0).map { [UInt8]($0) } ?? [] }
        }
        var bytes = files()
        try store.close()  // checkpoints the WAL into the database file
        bytes += files()
        #expect(!bytes.isEmpty)
        #expect(!bytes.contains(subsequence: Array(marker.utf8)))
        #expect(!bytes.contains(subsequence: Array(Base64.encode(Array(marker.utf8)).prefix(16).utf8)))
        #expect(bytes.contains(subsequence: Array("alice-".utf8)), "sanity: the msg_ids are there")
    }
}

// MARK: - Harness

extension EngineNet {
    /// SIGKILL: the link drops (the relay tells the others), timers and memory are gone.
    /// Returns the store as the killed peer left it (by default everything it persisted).
    @discardableResult
    func kill(_ node: EngineNode, keeping store: InMemoryPeerStore? = nil) -> InMemoryPeerStore {
        let kept = store ?? {
            let fresh = InMemoryPeerStore()
            fresh.apply(node.persisted)
            return fresh
        }()
        relayClose(node, code: 1006, reason: "killed")
        node.timers = [:]
        return kept
    }

    /// A new process for the same identity, from the killed one's store.
    func restart(_ config: PeerEngineConfig, from store: InMemoryPeerStore) -> EngineNode {
        let node = add(config, snapshot: store.loadSnapshot(nowMs: now))
        start(node)
        return node
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
