import Testing
@testable import MycKit

@Suite struct RelayOfflineQueueTests {
    private func limits(msgs: Int = 50, bytes: Int = 524_288, ttl: Int64 = 3600) -> RelayLimits {
        var l = RelayLimits()
        l.queueMaxMessages = msgs
        l.queueMaxBytes = bytes
        l.queueTTLSeconds = ttl
        return l
    }

    @Test func countCapComesFirst() {
        var q = OfflineQueue(limits: limits(msgs: 3, bytes: 10), frames: [])
        for _ in 0..<3 {
            #expect((try? q.enqueue(room: "r", target: "t", sender: "s", data: "abc", activePeers: 1, nowMs: 0).get()) != nil)
        }
        // Both caps are exceeded now; the count is reported.
        #expect(q.enqueue(room: "r", target: "t", sender: "s", data: "abcd", activePeers: 1, nowMs: 0) == .failure(.count))
    }

    @Test func bytesCapCountsUTF8Bytes() {
        var q = OfflineQueue(limits: limits(bytes: 10), frames: [])
        #expect((try? q.enqueue(room: "r", target: "t", sender: "a", data: "é😀", activePeers: 1, nowMs: 0).get())?.size == 6)
        #expect(q.enqueue(room: "r", target: "t", sender: "b", data: "12345", activePeers: 1, nowMs: 0) == .failure(.bytes))
        #expect((try? q.enqueue(room: "r", target: "t", sender: "b", data: "1234", activePeers: 1, nowMs: 0).get()) != nil)
        // Other queues are independent.
        #expect((try? q.enqueue(room: "r", target: "u", sender: "b", data: "1234567890", activePeers: 1, nowMs: 0).get()) != nil)
    }

    @Test func fairShareIsMaxOf3AndCeilOfMsgsOverActivePeers() {
        var q = OfflineQueue(limits: limits(msgs: 10), frames: [])
        // 10 / 4 → 3 (ceil 2.5 = 3); 10 / 5 → 2, raised to 3.
        for _ in 0..<3 { _ = q.enqueue(room: "r", target: "t", sender: "a", data: "x", activePeers: 5, nowMs: 0) }
        #expect(q.enqueue(room: "r", target: "t", sender: "a", data: "x", activePeers: 5, nowMs: 0) == .failure(.fairShare))
        #expect((try? q.enqueue(room: "r", target: "t", sender: "b", data: "x", activePeers: 5, nowMs: 0).get()) != nil)
        // With 2 active peers the share is 5.
        #expect((try? q.enqueue(room: "r", target: "t", sender: "a", data: "x", activePeers: 2, nowMs: 0).get()) != nil)
        #expect((try? q.enqueue(room: "r", target: "t", sender: "a", data: "x", activePeers: 2, nowMs: 0).get()) != nil)
        #expect(q.enqueue(room: "r", target: "t", sender: "a", data: "x", activePeers: 2, nowMs: 0) == .failure(.fairShare))
        // Zero active peers counts as one.
        #expect((try? q.enqueue(room: "r", target: "t", sender: "c", data: "x", activePeers: 0, nowMs: 0).get()) != nil)
    }

    @Test func expiredEntriesCountUntilSwept() {
        var q = OfflineQueue(limits: limits(msgs: 2, ttl: 10), frames: [])
        _ = q.enqueue(room: "r", target: "t", sender: "a", data: "1", activePeers: 1, nowMs: 0)
        _ = q.enqueue(room: "r", target: "t", sender: "b", data: "2", activePeers: 1, nowMs: 5_000)
        #expect(q.enqueue(room: "r", target: "t", sender: "c", data: "3", activePeers: 1, nowMs: 20_000) == .failure(.count))
        #expect(q.sweep(nowMs: 10_000) == 1)  // expiresAt <= now goes
        #expect(q.frames(room: "r", target: "t").map(\.data) == ["2"])
        #expect(q.totalCount == 1)
        #expect(q.sweep(nowMs: 20_000) == 1)
        #expect(q.queueCount == 0)
    }

    @Test func drainDeliversAliveEntriesInOrderAndTakesEverything() {
        var q = OfflineQueue(limits: limits(ttl: 10), frames: [])
        _ = q.enqueue(room: "r", target: "t", sender: "a", data: "1", activePeers: 1, nowMs: 0)
        _ = q.enqueue(room: "r", target: "t", sender: "a", data: "2", activePeers: 1, nowMs: 1_000)
        _ = q.enqueue(room: "r", target: "t", sender: "a", data: "3", activePeers: 1, nowMs: 2_000)
        let (deliver, removed) = q.drain(room: "r", target: "t", nowMs: 11_000)  // expiresAt >= now is delivered
        #expect(deliver.map(\.data) == ["2", "3"])
        #expect(removed == [1, 2, 3])
        #expect(q.queueCount == 0 && q.totalCount == 0)
    }

    @Test func loadedFramesKeepOrderAndIDsContinue() {
        let frames = [
            QueuedFrame(id: 7, room: "r", target: "t", sender: "a", data: "b", size: 1, expiresAtMs: 99),
            QueuedFrame(id: 3, room: "r", target: "t", sender: "a", data: "a", size: 1, expiresAtMs: 99),
        ]
        var q = OfflineQueue(limits: limits(), frames: frames)
        #expect(q.frames(room: "r", target: "t").map(\.id) == [3, 7])
        #expect((try? q.enqueue(room: "r", target: "t", sender: "a", data: "c", activePeers: 1, nowMs: 0).get())?.id == 8)
        var seeded = OfflineQueue(limits: limits(), frames: frames, firstID: 100)
        #expect((try? seeded.enqueue(room: "r", target: "t", sender: "a", data: "c", activePeers: 1, nowMs: 0).get())?.id == 100)
    }
}

@Suite struct RelayQueueTests {
    private func frame(_ id: Int64, _ data: String, target: String = "bob", expires: Int64) -> QueuedFrame {
        QueuedFrame(id: id, room: "default", target: target, sender: "alice", data: data, size: data.utf8.count, expiresAtMs: expires)
    }

    @Test func drainAbout50msAfterAuthInFIFOOrderSkippingExpired() {
        let t0: Int64 = 1_700_000_000_000
        var h = RelayHarness(allowList: bound([alice, bob]), queue: [
            frame(1, #"{"n":1}"#, expires: t0 + 10_000),
            frame(2, #"{"n":2}"#, expires: t0 + 100),  // expired by the time of the drain
            frame(3, #"{"n":3}"#, expires: t0 + 10_000),
            frame(4, #"{"n":4}"#, target: "carol", expires: t0 + 10_000),
        ])
        h.now += 1_000
        let b = h.connect(bob)
        #expect(h.advance(49) == [])
        #expect(h.advance(1) == [
            #"send \#(b) {"n":1}"#, #"send \#(b) {"n":3}"#, "persist \([StoreChange.dequeue(ids: [1, 2, 3])])",
        ])
        #expect(h.core.metrics.framesDrained == 2)
        #expect(h.core.metrics.framesExpired == 1)
        #expect(h.core.queuedFrames(room: "default", target: "carol").count == 1)
        #expect(h.advance(50) == [])
    }

    @Test func drainCoversEveryRoomAndSkipsGoneConnections() {
        let t0: Int64 = 1_700_000_000_000
        var h = RelayHarness(allowList: AllowListSnapshot(bindings: [
            .init(room: "a", name: "bob", key: bob.pub), .init(room: "b", name: "bob", key: bob.pub),
        ]), queue: [
            QueuedFrame(id: 1, room: "b", target: "bob", sender: "x", data: "B", size: 1, expiresAtMs: t0 + 10_000),
            QueuedFrame(id: 2, room: "a", target: "bob", sender: "x", data: "A", size: 1, expiresAtMs: t0 + 10_000),
        ])
        let b = h.connect(bob, rooms: ["a", "b"])
        #expect(h.advance(50) == ["send \(b) A", "send \(b) B", "persist \([StoreChange.dequeue(ids: [2, 1])])"])

        var h2 = RelayHarness(allowList: bound([bob]), queue: [
            QueuedFrame(id: 1, room: "default", target: "bob", sender: "x", data: "X", size: 1, expiresAtMs: t0 + 10_000),
        ])
        let gone = h2.connect(bob)
        _ = h2.close(gone)
        #expect(h2.advance(50) == [])
        #expect(h2.core.queuedFrames(room: "default", target: "bob").count == 1)
    }

    @Test func countCapThroughTheCore() {
        var limits = RelayLimits()
        limits.queueMaxMessages = 4
        var h = RelayHarness(limits: limits, allowList: bound([alice, bob]))
        h.join(alice)
        for i in 0..<4 {
            #expect(h.sendText(.c1, #"{"type":"x","target":"bob","msg_id":"\#(i)"}"#).last?.contains(#""type":"queued""#) == true)
        }
        #expect(h.sendText(.c1, #"{"type":"x","target":"bob","msg_id":"4"}"#) ==
            ["send conn-1 " + Expect.error("bob offline; queue full, message dropped", msgID: "4")])
        #expect(h.core.metrics.queueDepth == 4)
        #expect(h.core.metrics.framesDropped[.queueFull] == 1)
    }

    @Test func bytesCapThroughTheCore() {
        var limits = RelayLimits()
        limits.queueMaxBytes = 100
        var h = RelayHarness(limits: limits, allowList: bound([alice, bob]))
        h.join(alice)
        let small = #"{"type":"x","target":"bob","msg_id":"1"}"#  // 54 bytes once stamped
        #expect(h.sendText(.c1, small).last?.contains("queued") == true)
        #expect(h.sendText(.c1, #"{"type":"x","target":"bob","msg_id":"2"}"#) ==
            ["send conn-1 " + Expect.error("bob offline; queue full, message dropped", msgID: "2")])
    }

    @Test func fairShareThroughTheCore() {
        var limits = RelayLimits()
        limits.queueMaxMessages = 10
        let peers = (0..<4).map { TestPeer("p\($0)", seed: UInt8(20 + $0)) }
        var h = RelayHarness(limits: limits, allowList: bound(peers + [bob, alice]))
        for p in peers { h.join(p) }
        h.join(alice)  // 5 active peers → share max(3, ceil(10/5)) = 3
        for i in 0..<3 {
            #expect(h.sendText(.c5, #"{"type":"x","target":"bob","msg_id":"\#(i)"}"#).last?.contains("queued") == true)
        }
        #expect(h.sendText(.c5, #"{"type":"x","target":"bob","msg_id":"3"}"#).last?.contains("queue full") == true)
        #expect(h.sendText(.c1, #"{"type":"x","target":"bob","msg_id":"p"}"#).last?.contains("queued") == true)
    }

    @Test func ttlExpiryIsSweptEvery30s() {
        var limits = RelayLimits()
        limits.queueTTLSeconds = 10
        limits.pingIntervalMs = 3_600_000
        var h = RelayHarness(limits: limits, allowList: bound([alice, bob]))
        h.join(alice)
        #expect(h.sendText(.c1, #"{"type":"x","target":"bob","msg_id":"1"}"#).last ==
            #"send conn-1 {"type":"queued","from":"_relay","payload":"bob offline","msg_id":"1","ttl_s":10}"#)
        let sweepAt = Int64(1_700_000_000_000) + 30_000
        #expect(h.advance(sweepAt - h.now) == ["persist \([StoreChange.expireQueue(nowMs: sweepAt)])"])
        #expect(h.core.healthSnapshot(nowMs: h.now).offlineQueues == 0)
        #expect(h.core.metrics.framesExpired == 1)
        // Nothing to sweep next time: no persist.
        #expect(h.advance(30_000).allSatisfy { $0.hasPrefix("ping") })
    }
}

extension ConnectionID {
    static let c5 = ConnectionID(5)
}
