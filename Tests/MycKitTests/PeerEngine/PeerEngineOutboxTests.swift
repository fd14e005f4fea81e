import Testing
@testable import MycKit

@Suite("PeerEngine outbox and acks")
struct PeerEngineOutboxTests {
    /// Frames "from bob": the vector session key and bob's identity, under a session id of
    /// their own so their seqs do not move the window of bob's real frames.
    static let fromBob = Forge(identity: PE.bob, sender: "bob", sessionID: String(repeating: "b", count: 32))

    static func dropAcks(_ net: EngineNet) {
        net.tamper = { node, frame in node.name == "alice" && frame["type"] == "_ack" ? nil : frame }
    }

    static func transmissions(_ net: EngineNet, _ id: String) -> [JSONObject] {
        net.routed.filter { $0["msg_id"] == .string(id) }
    }

    static func msgID(_ outcome: SendOutcome?) -> String {
        switch outcome {
        case let .sentLive(_, _, id, _, _)?, let .sentOffline(_, _, id, _)?, let .queuedLocally(_, _, id, _)?: return id
        default: return ""
        }
    }

    @Test func liveSendAckedSilently() {
        let (net, alice, bob) = EngineNet.pair()
        let id = Self.msgID(net.sendText(alice, to: "bob", "hi"))
        net.settle()
        #expect(bob.texts == ["hi"])
        #expect(alice.engine.outboxCount == 0)
        #expect(alice.events("delivered").isEmpty, "a plain live send is not reported again")
        #expect(alice.timers[.outbox(msgID: id)] == nil)
    }

    @Test func nackRetransmitsTheSameMessageID() throws {
        let (net, alice, bob) = EngineNet.vectorPair()
        Self.dropAcks(net)
        let id = Self.msgID(net.sendText(alice, to: "bob", "please"))
        net.inject(alice, Self.fromBob.frame(type: "_nack", msgID: "bob-n-1", text: "nack:\(id)", seq: 900, target: "alice"))
        let sent = Self.transmissions(net, id)
        #expect(sent.count == 2)
        #expect(sent[0]["seq"] != sent[1]["seq"])
        #expect(sent[0]["ts"] != nil && sent[1]["request_id"] == nil)
        #expect(bob.texts == ["please"], "the duplicate is re-acked, not re-delivered")
        net.tamper = nil
        net.inject(alice, Self.fromBob.frame(type: "_nack", msgID: "bob-n-2", text: "nack:\(id)", seq: 901, target: "alice"))
        #expect(Self.transmissions(net, id).count == 3)
        #expect(alice.engine.outboxCount == 0)
        let delivered = alice.events("delivered")
        #expect(delivered.map(\.meta) == [["type": "delivered", "target": "bob", "room": "default", "msg_id": .string(id)]])
    }

    @Test func ackFromTheWrongPeerOrRoomIsIgnored() throws {
        let net = EngineNet()
        let alice = net.add(PE.config("alice", PE.alice, rooms: ["default", "ops"]), scripted: VectorKeys.script("alice"))
        let bob = net.add(PE.config("bob", PE.bob, rooms: ["default", "ops"]), scripted: VectorKeys.script("bob"))
        let carolSecret = [UInt8](repeating: 0x5C, count: 32)
        let carol = net.add(PE.config("carol", PE.carol), scripted: [carolSecret, [UInt8](repeating: 0xCC, count: 16)])
        net.start(alice, bob, carol)
        net.settle()
        Self.dropAcks(net)
        let id = Self.msgID(net.sendText(alice, to: "bob", "for bob", room: "default"))
        // bob's ack, but in the other room.
        net.inject(alice, Self.fromBob.frame(type: "_ack", msgID: "bob-a-1", text: "ack:\(id)", seq: 700, target: "alice", room: "ops"))
        #expect(alice.engine.outboxCount == 1)
        // carol's ack for bob's message.
        let aliceEph = try BoxPublicKey(base64: Vectors.string(Vectors.crypto, "ephemeral.alice.public_b64"))
        let carolKey = try BoxKeyPair(secretKey: carolSecret).sharedKey(with: aliceEph)
        let fromCarol = Forge(identity: PE.carol, key: carolKey, sender: "carol", sessionID: Hex.encode([UInt8](repeating: 0xCC, count: 16)))
        net.inject(alice, fromCarol.frame(type: "_ack", msgID: "carol-a-1", text: "ack:\(id)", seq: 5, target: "alice"))
        #expect(alice.engine.outboxCount == 1)
        #expect(alice.timers[.outbox(msgID: id)] != nil)
        // The real one.
        net.inject(alice, Self.fromBob.frame(type: "_ack", msgID: "bob-a-2", text: "ack:\(id)", seq: 701, target: "alice"))
        #expect(alice.engine.outboxCount == 0)
        _ = carol
    }

    @Test func relayErrorRetransmitsAtOnceOrAfterRateLimit() throws {
        let (net, alice, _) = EngineNet.pair()
        Self.dropAcks(net)
        let id = Self.msgID(net.sendText(alice, to: "bob", "x"))
        net.inject(alice, RelayFrames.error(RelayStatusPayload.backpressured("bob"), msgID: .string(id)))
        #expect(Self.transmissions(net, id).count == 2)
        net.inject(alice, RelayFrames.error(RelayStatusPayload.rateLimited, msgID: .string(id)))
        #expect(Self.transmissions(net, id).count == 2)
        net.advance(by: 4_999)
        #expect(Self.transmissions(net, id).count == 2)
        net.advance(by: 1)
        #expect(Self.transmissions(net, id).count == 3)
        // An error about an id we do not track is reported once.
        net.inject(alice, RelayFrames.error("something\r\nbroke", msgID: "unknown-1"))
        #expect(alice.events("relay_error").map(\.meta) == [["type": "relay_error", "msg_id": "unknown-1"]])
        #expect(alice.events("relay_error").first?.content.contains("something broke") == true)
        #expect(alice.lines.contains { $0.hasPrefix("Relay error: something broke") })
    }

    @Test func everyTrackedSendEndsInOneDeliveryReport() throws {
        let (net, alice, bob) = EngineNet.pair()
        let live = Self.msgID(net.sendText(alice, to: "bob", "acked at once"))
        net.settle()
        #expect(alice.deliveries == [DeliveryReport(msgID: live, peer: RoomPeer(room: "default", name: "bob"), outcome: .acknowledged)])
        #expect(alice.events("delivered").isEmpty, "the face-visible event stays for deferred or retried sends only")
        net.delivering = false
        let lost = Self.msgID(net.sendText(alice, to: "bob", "never acked"))
        net.advance(by: 10 * 60_000)
        #expect(alice.deliveries.count == 2)
        guard case .failed(let reason)? = alice.deliveries.last?.outcome, alice.deliveries.last?.msgID == lost else {
            Issue.record("expected one failure report for \(lost): \(alice.deliveries)")
            return
        }
        #expect(reason.contains("6 attempt(s)"))
        _ = bob
    }

    @Test func fullRelayQueueWaitsForTheTargetInsteadOfBurningRetries() throws {
        let (net, alice, bob) = EngineNet.pair()
        net.relayClose(bob, code: 1006, reason: "")
        net.reachable = []
        net.advance(by: 100)
        let id = Self.msgID(net.sendText(alice, to: "bob", "for later"))
        for _ in 0..<10 {
            net.inject(alice, RelayFrames.error(RelayStatusPayload.queueFull("bob"), msgID: .string(id)))
        }
        #expect(Self.transmissions(net, id).count == 1, "no resend while the queue is full")
        #expect(alice.events("delivery_failed").isEmpty)
        #expect(alice.engine.outboxCount == 1)
        // bob returns: the new session carries it, and alice hears it was delivered.
        net.reachable = Set(PE.urls)
        net.advance(by: 120_000)
        #expect(bob.texts == ["for later"])
        #expect(alice.events("delivered").map { $0.meta["msg_id"] } == [.string(id)])
        #expect(alice.engine.outboxCount == 0)
    }

    @Test func ackTimeoutRetriesThenFailsExactlyOnce() throws {
        let (net, alice, bob) = EngineNet.pair()
        net.delivering = false
        let id = Self.msgID(net.sendText(alice, to: "bob", "into the void"))
        net.advance(by: 30_000 * 8)
        let sent = alice.sent.filter { $0["msg_id"] == .string(id) }
        #expect(sent.count == 6, "1 + RETRY_MAX transmissions")
        let failed = alice.events("delivery_failed")
        #expect(failed.count == 1)
        #expect(failed.first?.meta == ["type": "delivery_failed", "target": "bob", "room": "default", "msg_id": .string(id)])
        #expect(failed.first?.content.contains("after 6 attempt(s)") == true)
        #expect(failed.first?.content.contains("delivery NOT confirmed (30s)") == true)
        #expect(alice.engine.outboxCount == 0)
        #expect(bob.messages.isEmpty)
        net.advance(by: 300_000)
        #expect(alice.events("delivery_failed").count == 1)
    }

    @Test func localSendIsFlushedOnReconnectAndConfirmed() throws {
        let (net, alice, bob) = EngineNet.pair()
        net.reachable = []
        net.relayClose(alice, code: 1001, reason: "shutdown")
        let outcome = net.sendText(alice, to: "bob", "while you were out")
        guard case .queuedLocally(target: "bob", room: "default", _, chunks: 1)? = outcome else {
            Issue.record("expected a local queue, got \(String(describing: outcome))")
            return
        }
        guard case let .peers(snapshot)? = net.command(alice, .peers) else { return }
        #expect(snapshot.disconnectedAttempt != nil)
        net.advance(by: 20_000)
        #expect(bob.texts.isEmpty)
        net.reachable = Set(PE.urls)
        net.advance(by: 70_000)
        #expect(alice.engine.isAuthenticated)
        #expect(bob.texts == ["while you were out"])
        let id = Self.msgID(outcome)
        #expect(alice.events("delivered").map { $0.meta["msg_id"] } == [.string(id)])
        #expect(alice.engine.outboxCount == 0)
    }

    @Test func unackedMessageIsResentWhenThePeerComesBack() throws {
        let (net, alice, bob) = EngineNet.pair()
        net.delivering = false
        let id = Self.msgID(net.sendText(alice, to: "bob", "lost in transit"))
        net.delivering = true
        // bob reconnects long before the 30 s timer: the new session carries it at once.
        net.relayClose(bob, code: 4000, reason: "pong timeout")
        net.advance(by: 3_000)
        #expect(bob.texts == ["lost in transit"])
        #expect(alice.events("delivered").map { $0.meta["msg_id"] } == [.string(id)])
    }

    @Test func burstOfTwentyArrivesOnceEachInOrder() {
        let (net, alice, bob) = EngineNet.pair()
        let texts = (1...20).map { "message \($0)" }
        for text in texts { _ = net.sendText(alice, to: "bob", text) }
        net.settle()
        #expect(bob.texts == texts)
        #expect(Set(bob.messages.compactMap { $0.meta["msg_id"]?.stringValue }).count == 20)
        #expect(alice.engine.outboxCount == 0)
        net.advance(by: 120_000)
        #expect(bob.texts == texts)
    }

    @Test func outboxIsCapped() {
        let (net, alice, _) = EngineNet.pair()
        net.delivering = false
        for i in 0..<PeerConstants.outboxMax { _ = net.sendText(alice, to: "bob", "m\(i)") }
        #expect(net.sendText(alice, to: "bob", "one too many") == .outboxFull(limit: 200))
        #expect(net.sendText(alice, to: "bob", String(repeating: "x", count: PeerConstants.defaultMaxLogicalBytes + 1))
                == .tooLarge(bytes: PeerConstants.defaultMaxLogicalBytes + 1, limit: PeerConstants.defaultMaxLogicalBytes))
    }

    @Test func chunkedMessageIsReassembledOnce() throws {
        let (net, alice, bob) = EngineNet.pair()
        let text = String(repeating: "é", count: 30_000)  // 60 000 bytes → 3 parts
        guard case let .sentLive(_, _, id, _, chunks)? = net.sendText(alice, to: "bob", text) else {
            Issue.record("expected a live send")
            return
        }
        #expect(chunks == 3)
        net.settle()
        #expect(bob.texts == [text])
        #expect(bob.messages.first?.meta["chunked"] == 3)
        #expect(bob.messages.first?.meta["msg_id"] == .string(id))
        #expect(net.routed(type: "info", from: "alice").map { $0["msg_id"]?.stringValue ?? "" } == (0..<3).map { "\(id)#\($0)" })
        #expect(alice.engine.outboxCount == 0)
    }

    @Test func incompleteChunkedMessageTimesOut() throws {
        let (net, alice, bob) = EngineNet.pair()
        net.tamper = { node, frame in
            node.name == "bob" && (frame["msg_id"]?.stringValue?.hasSuffix("#1") ?? false) ? nil : frame
        }
        guard case let .sentLive(_, _, id, _, _)? = net.sendText(alice, to: "bob", String(repeating: "a", count: 30_000)) else {
            Issue.record("expected a live send")
            return
        }
        net.advance(by: 121_000)
        #expect(bob.messages.isEmpty)
        #expect(bob.events("chunk_timeout").map(\.meta) == [["type": "chunk_timeout", "from_peer": "alice", "room": "default", "msg_id": .string(id)]])
    }
}
