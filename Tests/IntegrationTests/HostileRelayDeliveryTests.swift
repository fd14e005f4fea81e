import Foundation
import MycKit
import Testing

/// Hostile relay (issue #8, item 1) against a real `myc mcp` peer: acks, nacks,
/// retransmission and the relay's status frames (§5.12), and the offline gate (§5.9 O4).
/// The ack timeout is a protocol constant (30 s, no setting shortens it), so every
/// retransmission here is driven by a nack or a relay `error`, which resend at once.
@Suite(.serialized) struct HostileRelayDeliveryTests {
    @Test func wrongKeyIsNackedAndTheSameMsgIDIsAcceptedWhenRetransmitted() async throws {
        let mallory = SyntheticPeer("mallory")
        let f = try await HostileFixture.start([mallory])
        defer { Task { await f.stop() } }
        let relay = f.relay

        // Validly signed by mallory, but sealed under a key that is not the session's.
        let wrongKey = try BoxKeyPair.generate().sharedKey(with: BoxKeyPair.generate().publicKey)
        let garbled = try relay.frame(from: mallory, text: "sealed under a stale key", key: wrongKey)
        let id = garbled["msg_id"]!.stringValue!
        try relay.send(garbled)
        try await f.wait("a nack for \(id)") { relay.nacks(to: mallory).contains(id) }
        try await f.waitForStderr("decrypt failed from mallory")
        #expect(!relay.acks(to: mallory).contains(id))

        // The retransmission: same msg_id, new seq, right key. Nothing was committed, so it counts.
        try relay.send(try relay.frame(from: mallory, text: "sealed under the session key", msgID: id))
        try await f.waitForDelivery(from: "mallory", "sealed under the session key")
        try await f.waitForAck(id, to: mallory)
        #expect(f.delivered(from: "mallory") == ["sealed under the session key"])
    }

    @Test func nackFromThePeerTriggersARetransmissionUnderTheSameMsgID() async throws {
        let mallory = SyntheticPeer("mallory")
        let f = try await HostileFixture.start([mallory])
        defer { Task { await f.stop() } }
        let relay = f.relay

        let id = try await f.sendFromPeer("please resend", to: mallory)
        try relay.send(try relay.frame(from: mallory, text: ControlPayload.nack(id), type: "_nack"))
        try await f.wait("the retransmission of \(id)") { f.transmissions(of: id).count == 2 }
        let copies = f.transmissions(of: id)
        #expect(copies.allSatisfy { relay.open($0, as: mallory) == "please resend" })
        #expect(copies[0]["seq"] != copies[1]["seq"], "a retransmission is a new session frame")

        try relay.send(try relay.frame(from: mallory, text: ControlPayload.ack(id), type: "_ack"))
        try await f.wait("delivered \(id)") { f.events("delivered").count == 1 }
        try await f.barrier(mallory)
        #expect(f.events("delivered").first?["meta"]?.objectValue?["msg_id"]?.stringValue == id)
        #expect(f.events("delivery_failed").isEmpty)
        #expect(f.transmissions(of: id).count == 2)
    }

    @Test func relayReportedErrorsFeedRetransmission() async throws {
        let mallory = SyntheticPeer("mallory")
        let f = try await HostileFixture.start([mallory])
        defer { Task { await f.stop() } }
        let relay = f.relay

        let id = try await f.sendFromPeer("through a flaky relay", to: mallory)
        try relay.send(RelayFrames.error(RelayStatusPayload.backpressured("mallory"), msgID: .string(id)))
        try await f.wait("an immediate retransmission after a relay error", timeout: 3) { f.transmissions(of: id).count == 2 }

        // "rate limited" waits 5 s before resending, instead of at once.
        let limitedAt = Date()
        try relay.send(RelayFrames.error(RelayStatusPayload.rateLimited, msgID: .string(id)))
        try await f.wait("the retransmission after rate limiting", timeout: 10) { f.transmissions(of: id).count == 3 }
        #expect(Date().timeIntervalSince(limitedAt) > 4, "rate limiting backs off ~5 s")

        try relay.send(try relay.frame(from: mallory, text: ControlPayload.ack(id), type: "_ack"))
        try await f.wait("delivered \(id)") { f.events("delivered").count == 1 }
        #expect(f.events("relay_error").isEmpty, "errors about a tracked message are retransmissions, not reports")
    }

    @Test func queuedAndErrorFramesAreHandledHonestly() async throws {
        let mallory = SyntheticPeer("mallory")
        let f = try await HostileFixture.start([mallory])
        defer { Task { await f.stop() } }
        let relay = f.relay

        // "queued" is not "delivered": nothing is reported, and the message stays tracked.
        let id = try await f.sendFromPeer("a session frame the relay claims to queue", to: mallory)
        try relay.send(RelayFrames.queued(target: "mallory", msgID: .string(id), ttlSeconds: 3600))
        try await f.waitForStderr("Relay queued: mallory offline (msg \(id)")
        try relay.send(RelayFrames.error(RelayStatusPayload.notQueuedSessionFrame("mallory"), msgID: .string(id)))
        try await f.wait("the still-tracked message is retransmitted") { f.transmissions(of: id).count == 2 }
        #expect(f.events("delivered").isEmpty)

        // Status frames claimed by a peer instead of `_relay` are not obeyed.
        try relay.send(["type": "error", "from": "mallory", "payload": "forged", "msg_id": .string(id)])
        try relay.send(["type": "queued", "from": "mallory", "payload": "forged", "msg_id": .string(id), "ttl_s": 1])
        try await f.barrier(mallory)
        #expect(f.transmissions(of: id).count == 2)

        // Acked, the message is done: a later error about it is reported, never resent.
        try relay.send(try relay.frame(from: mallory, text: ControlPayload.ack(id), type: "_ack"))
        try await f.wait("delivered \(id)") { f.events("delivered").count == 1 }
        try relay.send(RelayFrames.error(RelayStatusPayload.backpressured("mallory"), msgID: .string(id)))
        try relay.send(RelayFrames.error("something broke"))
        try await f.wait("two relay_error events") { f.events("relay_error").count == 2 }
        try await f.barrier(mallory)
        #expect(f.transmissions(of: id).count == 2)
        let reports = f.events("relay_error").compactMap { $0["content"]?.stringValue }
        #expect(reports.allSatisfy { $0.contains("NOT delivered") }, "\(reports)")
    }

    @Test func relayDroppingEveryAckEndsInOneHonestFailureAfterTheRetryLimit() async throws {
        let mallory = SyntheticPeer("mallory")
        let f = try await HostileFixture.start([mallory])
        defer { Task { await f.stop() } }
        let relay = f.relay

        // mallory's acks never make it through; the relay answers every copy with an error.
        let id = try await f.sendFromPeer("never acknowledged", to: mallory)
        let maxTransmissions = PeerConstants.retryMax + 1
        for n in 1...maxTransmissions {
            try await f.wait("transmission \(n) of \(id)") { f.transmissions(of: id).count >= n }
            try relay.send(RelayFrames.error(RelayStatusPayload.backpressured("mallory"), msgID: .string(id)))
        }
        try await f.wait("delivery_failed for \(id)") { f.events("delivery_failed").count == 1 }
        // More errors and a late ack about it change nothing: the failure is reported exactly once.
        try relay.send(RelayFrames.error(RelayStatusPayload.backpressured("mallory"), msgID: .string(id)))
        try relay.send(try relay.frame(from: mallory, text: ControlPayload.ack(id), type: "_ack"))
        try await f.wait("the stray error reported as relay_error") { f.events("relay_error").count == 1 }
        try await f.barrier(mallory)
        #expect(f.events("delivery_failed").count == 1)
        #expect(f.events("delivered").isEmpty)
        #expect(f.transmissions(of: id).count == maxTransmissions, "1 + RETRY_MAX transmissions, no more")
        let failure = f.events("delivery_failed").first
        #expect(failure?["meta"]?.objectValue?["msg_id"]?.stringValue == id)
        #expect(failure?["content"]?.stringValue?.contains("after \(maxTransmissions) attempt(s)") == true)
    }

    @Test func staleOfflineEnvelopeIsRejectedWithOneEvent() async throws {
        let mallory = SyntheticPeer("mallory")
        let f = try await HostileFixture.start([mallory])
        defer { Task { await f.stop() } }
        let relay = f.relay

        let hour: Int64 = 3_600_000
        let stale = try relay.envelope(from: mallory, text: "two hours old", ts: HostileRelay.nowMs - 2 * hour)
        let future = try relay.envelope(from: mallory, text: "two hours ahead", ts: HostileRelay.nowMs + 2 * hour)
        try relay.send(stale)
        try relay.send(future)
        try await f.barrier(mallory)
        try await f.wait("two offline_stale events") { f.events("offline_stale").count == 2 }
        let fresh = try relay.envelope(from: mallory, text: "fresh envelope")
        try relay.send(fresh)
        try await f.waitForDelivery(from: "mallory", "fresh envelope")
        try await f.barrier(mallory)

        let events = f.events("offline_stale")
        #expect(events.count == 2, "one event per stale envelope")
        #expect(Set(events.compactMap { $0["meta"]?.objectValue?["msg_id"]?.stringValue })
            == [stale["msg_id"]!.stringValue!, future["msg_id"]!.stringValue!])
        #expect(!f.allDelivered.contains("two hours old"))
        #expect(!f.allDelivered.contains("two hours ahead"))
        // The host's notification and the relay's ack travel separate paths: wait for the ack.
        try await f.waitForAck(fresh["msg_id"]!.stringValue!, to: mallory)
        #expect(!relay.acks(to: mallory).contains(stale["msg_id"]!.stringValue!))
        let meta = f.channel.first { $0["content"]?.stringValue == "fresh envelope" }?["meta"]?.objectValue
        #expect(meta?["offline"] == true)
    }
}
