import Testing
@testable import MycKit

@Suite("PeerEngine offline envelopes")
struct PeerEngineOfflineTests {
    static func pins(_ name: String, _ key: SigningKeyPair) -> PeerStateSnapshot {
        PeerStateSnapshot(pins: [Pin(peer: RoomPeer(room: "default", name: name), key: key.publicKey.base64,
                                     firstSeenMs: PE.t0 - 86_400_000, lastSeenMs: PE.t0 - 86_400_000)])
    }

    @Test func envelopeIsQueuedDeliveredAndConfirmed() throws {
        let net = EngineNet()
        let alice = net.add(PE.config("alice", PE.alice), snapshot: Self.pins("bob", PE.bob))
        let bob = net.add(PE.config("bob", PE.bob), snapshot: Self.pins("alice", PE.alice))
        net.start(alice)
        guard case let .sentOffline(target: "bob", room: "default", id, chunks: 1)? = net.sendText(alice, to: "bob", "see you later") else {
            Issue.record("expected an offline envelope")
            return
        }
        let envelope = try #require(alice.sent.first { $0["msg_id"] == .string(id) })
        #expect(envelope["offline"] == true && envelope["no_queue"] == nil && envelope["nonce"] == .null)
        #expect(alice.lines.contains { $0.hasPrefix("Relay queued: bob offline (msg \(id), ttl 3600s)") })
        net.advance(by: 60_000)
        net.start(bob)
        net.settle()
        #expect(bob.texts == ["see you later"])
        #expect(bob.messages.first?.meta == [
            "from_peer": "alice", "type": "info", "room": "default", "msg_id": .string(id),
            "e2e": "encrypted", "sig": "✅", "offline": true, "tofu": "📮",
        ])
        #expect(alice.events("delivered").map { $0.meta["msg_id"] } == [.string(id)])
        #expect(alice.engine.outboxCount == 0)
        // A relay re-delivering the envelope gets a re-ack, not a second delivery.
        net.inject(bob, net.routed.first { $0["msg_id"] == .string(id) }!)
        #expect(bob.texts == ["see you later"])
        #expect(bob.lines.contains("Replay dedup: re-acked \(id) from alice"))
    }

    @Test func staleEnvelopeIsRejected() throws {
        let net = EngineNet()
        let bob = net.add(PE.config("bob", PE.bob, offlineMaxAgeMs: 600_000), snapshot: Self.pins("alice", PE.alice))
        net.start(bob)
        let header = RoutedFrameHeader(target: "bob", room: "default", type: "info", sender: "alice", msgID: "alice-old-1", ts: net.now - 600_001)
        var frame = try OfflineEnvelope.build(header: header, plaintext: Array("old news".utf8), recipient: PE.bob.publicKey, signer: PE.alice)
        frame["from"] = "alice"
        net.inject(bob, frame)
        #expect(bob.messages.isEmpty)
        let stale = bob.events("offline_stale")
        #expect(stale.map(\.meta) == [["type": "offline_stale", "from_peer": "alice", "room": "default", "msg_id": "alice-old-1"]])
        #expect(stale.first?.kind == .message)
        #expect(stale.first?.content.contains("10-minute") == true)
    }

    @Test func envelopeFromAnUnpinnedOrWronglySignedSenderIsBlocked() throws {
        let net = EngineNet()
        let bob = net.add(PE.config("bob", PE.bob), snapshot: Self.pins("alice", PE.alice))
        net.start(bob)
        func envelope(from sender: String, signer: SigningKeyPair, id: String) throws -> JSONObject {
            let header = RoutedFrameHeader(target: "bob", room: "default", type: "info", sender: sender, msgID: id, ts: net.now)
            var frame = try OfflineEnvelope.build(header: header, plaintext: Array("hi".utf8), recipient: PE.bob.publicKey, signer: signer)
            frame["from"] = .string(sender)
            return frame
        }
        net.inject(bob, try envelope(from: "carol", signer: PE.carol, id: "c-1"))
        net.inject(bob, try envelope(from: "alice", signer: PE.mallory, id: "a-1"))
        #expect(bob.messages.isEmpty)
        #expect(bob.lines.contains("BLOCKED: offline envelope from unknown peer carol@default (first contact needs both online)"))
        #expect(bob.lines.contains("BLOCKED: bad signature from alice@default"))
        net.inject(bob, try envelope(from: "alice", signer: PE.alice, id: "a-2"))
        #expect(bob.texts == ["hi"])
    }

    static func envelope(_ net: EngineNet, from sender: String, signer: SigningKeyPair, id: String, type: String = "info",
                         text: String = "hi", to recipient: SigningKeyPair = PE.bob) throws -> JSONObject {
        let header = RoutedFrameHeader(target: "bob", room: "default", type: type, sender: sender, msgID: id, ts: net.now)
        var frame = try OfflineEnvelope.build(header: header, plaintext: Array(text.utf8), recipient: recipient.publicKey, signer: signer)
        frame["from"] = .string(sender)
        return frame
    }

    @Test func envelopeFromAnStsFailedSenderIsBlockedEvenWithAGoodSignature() throws {
        let net = EngineNet()
        var snapshot = Self.pins("alice", PE.alice)
        snapshot.stsFailed = [RoomPeer(room: "default", name: "alice")]
        let bob = net.add(PE.config("bob", PE.bob), snapshot: snapshot)
        net.start(bob)
        net.inject(bob, try Self.envelope(net, from: "alice", signer: PE.alice, id: "a-1"))
        #expect(bob.messages.isEmpty)
        #expect(bob.lines.contains("BLOCKED: offline envelope from alice@default (STS failed; myc_trust first)"))
        #expect(net.routed(type: "_ack", from: "bob").isEmpty, "nothing is acknowledged to a blocked sender")
    }

    @Test(arguments: ["_sts_init", "_sts_reply", "_perm_req", "_chunk", "_whatever"])
    func reservedTypesAreDroppedFromEnvelopesWithoutAnAck(type: String) throws {
        let net = EngineNet()
        let bob = net.add(PE.config("bob", PE.bob), snapshot: Self.pins("alice", PE.alice))
        net.start(bob)
        net.inject(bob, try Self.envelope(net, from: "alice", signer: PE.alice, id: "a-\(type)", type: type))
        #expect(bob.notifications.isEmpty, "\(type) must not reach the face")
        #expect(bob.logs.contains { $0.message == "reserved type dropped on the offline path" })
        #expect(net.routed(type: "_ack", from: "bob").isEmpty)
        // An ordinary envelope from the same sender still goes through.
        net.inject(bob, try Self.envelope(net, from: "alice", signer: PE.alice, id: "a-ok"))
        #expect(bob.texts == ["hi"])
    }

    @Test func envelopeSealedToAnotherIdentityIsNackedNotDelivered() throws {
        let net = EngineNet()
        let bob = net.add(PE.config("bob", PE.bob), snapshot: Self.pins("alice", PE.alice))
        net.start(bob)
        net.inject(bob, try Self.envelope(net, from: "alice", signer: PE.alice, id: "a-wrong", to: PE.carol))
        #expect(bob.messages.isEmpty)
        #expect(net.routed(type: "_nack", from: "bob").count == 1)
    }
}
