import Testing
@testable import MycKit

@Suite struct RelayRoutingTests {
    /// alice (conn-1) and bob (conn-2) in "default", carol (conn-3) in "default" and "ops".
    private func room() -> RelayHarness {
        var h = RelayHarness(allowList: AllowListSnapshot(bindings: [
            .init(room: "default", name: "alice", key: alice.pub), .init(room: "default", name: "bob", key: bob.pub),
            .init(room: "default", name: "carol", key: carol.pub), .init(room: "ops", name: "carol", key: carol.pub),
            .init(room: "ops", name: "dave", key: "DAVE"),
        ]))
        h.join(alice)
        h.join(bob)
        h.join(carol, rooms: ["default", "ops"])
        return h
    }

    @Test func unicastStampsFromAndKeepsMsgID() {
        var h = room()
        let actions = h.sendText(.c1, #"{"target":"bob","from":"mallory","type":"x","msg_id":"alice-1","payload":null}"#)
        #expect(actions == [#"forward conn-2 {"target":"bob","from":"alice","type":"x","msg_id":"alice-1","payload":null}"#])
        #expect(h.core.metrics.framesRouted == 1)
    }

    @Test func unicastForwardCarriesTheBackpressureReceipt() {
        var h = room()
        let actions = h.sendRaw(.c1, #"{"target":"bob","type":"x","msg_id":"m1"}"#)
        guard case .forward(let delivery)? = actions.first else {
            Issue.record("expected a forward, got \(actions)")
            return
        }
        #expect(delivery.sender == .c1 && delivery.target == .c2 && delivery.targetName == "bob" && delivery.msgID == "m1")
        #expect(render(h.core.forwardDropped(delivery, nowMs: h.now)) == [
            "send conn-1 " + Expect.error("bob backpressured; message dropped", msgID: "m1"),
        ])
        #expect(h.core.metrics.framesDropped[.backpressure] == 1)
    }

    @Test func fromIsAppendedWhenAbsent() {
        var h = room()
        #expect(h.sendText(.c2, #"{"type":"x","target":"alice","msg_id":"b-1"}"#) ==
            [#"forward conn-1 {"type":"x","target":"alice","msg_id":"b-1","from":"bob"}"#])
    }

    @Test func broadcastExcludesTheSenderAndSerializesOnce() {
        var h = room()
        let actions = h.sendRaw(.c1, #"{"type":"x","msg_id":"m"}"#)
        #expect(render(actions) == [
            #"forward conn-2 {"type":"x","msg_id":"m","from":"alice"}"#,
            #"forward conn-3 {"type":"x","msg_id":"m","from":"alice"}"#,
        ])
        // A slow recipient of a broadcast is reported to the sender, not dropped silently.
        guard case let .forward(delivery) = actions[0] else { Issue.record("broadcast copies are forwards"); return }
        #expect(delivery.sender == .c1 && delivery.targetName == "bob" && delivery.msgID == "m")
        #expect(render(h.core.forwardDropped(delivery, nowMs: h.now)) ==
            ["send conn-1 " + #"{"type":"error","from":"_relay","payload":"bob backpressured; message dropped","msg_id":"m"}"#])
        // The room can be named explicitly; carol alone in "ops" reaches nobody.
        #expect(h.sendText(.c3, #"{"type":"x","room":"ops","msg_id":"c"}"#) == [])
        // A falsy target is a broadcast too.
        #expect(h.sendText(.c3, #"{"type":"x","room":"default","target":"","msg_id":"c2"}"#).count == 2)
    }

    @Test func selfSendIsAllowed() {
        var h = room()
        #expect(h.sendText(.c1, #"{"type":"x","target":"alice","msg_id":"m"}"#) ==
            [#"forward conn-1 {"type":"x","target":"alice","msg_id":"m","from":"alice"}"#])
    }

    @Test func notAMemberOfTheNamedRoom() {
        var h = room()
        #expect(h.sendText(.c1, #"{"type":"x","room":"ops","target":"carol","msg_id":"m"}"#) ==
            ["send conn-1 " + Expect.error(#"not a member of room "ops""#, msgID: "m")])
        // A non-string room routes through the first room.
        #expect(h.sendText(.c1, #"{"type":"x","room":5,"target":"bob","msg_id":"m"}"#) ==
            [#"forward conn-2 {"type":"x","room":5,"target":"bob","msg_id":"m","from":"alice"}"#])
    }

    @Test(arguments: [#""msg_id":null,"#, #""msg_id":"","#, #""msg_id":0,"#, #""msg_id":false,"#, ""])
    func relayMintsMsgIDOnlyWhenFalsy(_ field: String) {
        var h = room()
        let base = String(h.now, radix: 36)
        let actions = h.sendText(.c1, "{\(field)\"type\":\"x\",\"target\":\"bob\"}")
        let id = "\(base)-0"
        let expected = field.isEmpty
            ? #"forward conn-2 {"type":"x","target":"bob","from":"alice","msg_id":"\#(id)"}"#
            : #"forward conn-2 {"msg_id":"\#(id)","type":"x","target":"bob","from":"alice"}"#
        #expect(actions == [expected])
        // The counter keeps going; the not-member error carries the minted id.
        #expect(h.sendText(.c1, #"{"type":"x","room":"ops"}"#) == ["send conn-1 " + Expect.error(#"not a member of room "ops""#, msgID: "\(base)-1")])
    }

    @Test func truthyMsgIDsAreKeptWhateverTheirType() {
        var h = room()
        #expect(h.sendText(.c1, #"{"type":"x","target":"bob","msg_id":7}"#) ==
            [#"forward conn-2 {"type":"x","target":"bob","msg_id":7,"from":"alice"}"#])
    }

    @Test func reservedTypesAreNeverRouted() {
        var h = room()
        for type in ["challenge", "auth", "auth_ok", "auth_error", "evicted", "peer_joined", "peer_left", "rooms", "queued", "error", "relay_shutdown"] {
            #expect(h.sendText(.c1, #"{"type":"\#(type)","target":"bob","msg_id":"m"}"#) ==
                ["send conn-1 " + Expect.error(#"type "\#(type)" is reserved for the relay"#, msgID: "m")])
        }
        // Without a msg_id the error has none either.
        #expect(h.sendText(.c1, #"{"type":"auth"}"#) == ["send conn-1 " + Expect.error(#"type "auth" is reserved for the relay"#)])
        #expect(h.core.metrics.framesDropped[.reservedType] == 12)
        #expect(h.core.metrics.framesRouted == 0)
    }

    @Test func nonObjectJSONAndBinaryAreAnswered() {
        var h = room()
        for text in ["null", "[]", "[1,2]", "3", #""x""#, "true"] {
            #expect(h.sendText(.c1, text) == ["send conn-1 " + Expect.error("frame must be a JSON object")])
        }
        #expect(h.sendText(.c1, "{]") == ["send conn-1 " + Expect.error("invalid JSON")])
        #expect(render(h.core.receivedBinary(connection: .c1, nowMs: h.now)) ==
            ["send conn-1 " + Expect.error("binary frames are not supported")])
        let (pending, _) = h.open()
        #expect(render(h.core.receivedBinary(connection: pending, nowMs: h.now)) ==
            ["send \(pending) " + Expect.error("binary frames are not supported")])
    }

    @Test func nonStringTargetIsRefused() {
        var h = room()
        #expect(h.sendText(.c1, #"{"type":"x","target":{"a":1},"msg_id":"m"}"#) ==
            ["send conn-1 " + Expect.error("target must be a string", msgID: "m")])
    }

    @Test func noQueueTargetsAreNotQueued() {
        var h = room()
        #expect(h.sendText(.c3, #"{"type":"x","room":"ops","target":"dave","msg_id":"m","no_queue":true}"#) ==
            ["send conn-3 " + Expect.error("dave offline; not queued (session frame)", msgID: "m")])
    }

    @Test func unboundTargetsAreNotQueued() {
        var h = room()
        #expect(h.sendText(.c1, #"{"type":"x","target":"nobody","msg_id":"m"}"#) ==
            ["send conn-1 " + Expect.error("nobody offline; not queued (unknown peer)", msgID: "m")])
        // dave is bound in "ops" only.
        #expect(h.sendText(.c1, #"{"type":"x","target":"dave","msg_id":"m"}"#) ==
            ["send conn-1 " + Expect.error("dave offline; not queued (unknown peer)", msgID: "m")])
        #expect(h.core.metrics.framesDropped[.unknownTarget] == 2)
    }

    @Test func queuedReplyComesAfterThePersist() {
        var h = room()
        let data = #"{"type":"x","room":"ops","target":"dave","msg_id":"m","from":"carol"}"#
        #expect(h.sendText(.c3, #"{"type":"x","room":"ops","target":"dave","msg_id":"m"}"#) == [
            "persist \([StoreChange.enqueue(QueuedFrame(id: 1, room: "ops", target: "dave", sender: "carol", data: data, size: data.utf8.count, expiresAtMs: h.now + 3_600_000))])",
            #"send conn-3 {"type":"queued","from":"_relay","payload":"dave offline","msg_id":"m","ttl_s":3600}"#,
        ])
        #expect(h.core.metrics.framesQueued == 1)
        #expect(h.core.healthSnapshot(nowMs: h.now).offlineQueues == 1)
    }

    @Test func listRoomsWithDiscovery() {
        var h = room()
        #expect(h.sendText(.c1, #"{"type":"list_rooms"}"#) == [
            #"send conn-1 {"type":"rooms","from":"_relay","payload":{"discovery":true,"rooms":[{"name":"default","peers":3,"members":["alice","bob","carol"]},{"name":"ops","peers":1}]}}"#,
        ])
        #expect(h.sendText(.c3, #"{"type":"list_rooms","msg_id":"x"}"#) == [
            #"send conn-3 {"type":"rooms","from":"_relay","payload":{"discovery":true,"rooms":[{"name":"default","peers":3,"members":["alice","bob","carol"]},{"name":"ops","peers":1,"members":["carol"]}]}}"#,
        ])
    }

    @Test func listRoomsWithoutDiscoveryHidesOtherRooms() {
        var limits = RelayLimits()
        limits.discovery = false
        var h = RelayHarness(limits: limits, allowList: AllowListSnapshot(bindings: [
            .init(room: "default", name: "alice", key: alice.pub), .init(room: "ops", name: "bob", key: bob.pub),
        ]))
        h.join(alice)
        h.join(bob, rooms: ["ops"])
        #expect(h.sendText(.c1, #"{"type":"list_rooms"}"#) == [
            #"send conn-1 {"type":"rooms","from":"_relay","payload":{"discovery":false,"rooms":[{"name":"default","peers":1,"members":["alice"]}]}}"#,
        ])
    }

    @Test func rateLimitAndRefill() {
        var limits = RelayLimits()
        limits.rateLimitPerMinute = 3
        var h = RelayHarness(limits: limits, allowList: bound([alice, bob]))
        h.join(alice)
        h.join(bob)
        #expect(h.sendText(.c1, #"{"type":"list_rooms"}"#).count == 1)
        #expect(h.sendText(.c1, #"{"type":"x","msg_id":"1"}"#).count == 1)
        #expect(h.sendText(.c1, #"{"type":"x","msg_id":"2"}"#).count == 1)
        #expect(h.sendText(.c1, #"{"type":"x","msg_id":"3"}"#) == ["send conn-1 " + Expect.error("rate limited", msgID: "3")])
        #expect(h.sendText(.c1, #"{"type":"x"}"#) == ["send conn-1 " + Expect.error("rate limited")])
        #expect(h.sendText(.c1, #"{"type":"x","msg_id":null}"#) == [#"send conn-1 {"type":"error","from":"_relay","payload":"rate limited","msg_id":null}"#])
        #expect(render(h.core.receivedBinary(connection: .c1, nowMs: h.now)) == ["send conn-1 " + Expect.error("rate limited")])
        // Invalid JSON is answered before the bucket, as in the reference.
        #expect(h.sendText(.c1, "nope") == ["send conn-1 " + Expect.error("invalid JSON")])
        // 3 tokens per minute: one token every 20 s, continuously.
        h.now += 19_999
        #expect(h.sendText(.c1, #"{"type":"x","msg_id":"4"}"#).first?.contains("rate limited") == true)
        h.now += 2
        #expect(h.sendText(.c1, #"{"type":"x","msg_id":"5"}"#) == [#"forward conn-2 {"type":"x","msg_id":"5","from":"alice"}"#])
        #expect(h.core.metrics.framesRateLimited == 5)
        // bob's bucket is his own.
        #expect(h.sendText(.c2, #"{"type":"x","msg_id":"b"}"#).count == 1)
    }
}
