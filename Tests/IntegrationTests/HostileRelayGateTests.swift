import Foundation
import MycKit
import Testing

/// Hostile relay (issue #8, item 1) against a real `myc mcp` peer: the inbound gate
/// (§5.9) and replay protection (§5.10). The relay holds mallory's keys, so it can forge
/// anything mallory could send; every frame it edits without re-signing must be refused,
/// and every refusal must leave honest traffic working.
@Suite(.serialized) struct HostileRelayGateTests {
    @Test func badSignatureIsBlockedLoggedAndDoesNotPoisonTheSeqFloor() async throws {
        let mallory = SyntheticPeer("mallory")
        let f = try await HostileFixture.start([mallory])
        defer { Task { await f.stop() } }
        let relay = f.relay

        let base = relay.reserveSeqs(mallory, 3)
        let first = try relay.frame(from: mallory, text: "honest 1", seq: base)
        try relay.send(first)
        try await f.waitForDelivery(from: "mallory", "honest 1")

        // Properly encrypted under the session key, far ahead in seq, signed by another key.
        let forged = HostileRelay.resign(try relay.frame(from: mallory, text: "forged", seq: base + 1_000), with: .generate())
        try relay.send(forged)
        try await f.waitForStderr("BLOCKED: bad signature from mallory@default")

        // Honest frames just above the old floor are still accepted: the forged seq was never committed.
        try relay.send(try relay.frame(from: mallory, text: "honest 2", seq: base + 1))
        try relay.send(try relay.frame(from: mallory, text: "honest 3", seq: base + 2))
        try await f.waitForDelivery(from: "mallory", "honest 3")
        #expect(f.delivered(from: "mallory") == ["honest 1", "honest 2", "honest 3"])
        #expect(!relay.acks(to: mallory).contains(forged["msg_id"]!.stringValue!), "a forged frame is never acked")
        #expect(relay.nacks(to: mallory).isEmpty)
        #expect(f.peer.client.protocolViolations.isEmpty)
    }
}
