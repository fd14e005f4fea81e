import Testing
@testable import MycKit

/// Key rotation (§5.14): the sender's two steps, and what receivers accept.
@Suite("PeerEngine key rotation")
struct PeerEngineRotationTests {
    static func pin(_ name: String, _ key: SigningKeyPair) -> Pin {
        Pin(peer: RoomPeer(room: "default", name: name), key: key.publicKey.base64,
            firstSeenMs: PE.t0 - 86_400_000, lastSeenMs: PE.t0 - 86_400_000)
    }

    /// Runs both steps as the runtime does (the key file write between them is the runtime's).
    static func rotate(_ net: EngineNet, _ node: EngineNode) throws -> (RotationPlan, RotateOutcome?) {
        let plan = try node.engine.prepareRotation(nowMs: net.now)
        guard case let .rotate(outcome)? = net.command(node, .commitRotation(plan)) else { return (plan, nil) }
        return (plan, outcome)
    }

    @Test func liveAndOfflinePeersFollowTheRotationWithoutAKeyChangeAlarm() throws {
        let net = EngineNet()
        let alice = net.add(PE.config("alice", PE.alice),
                            snapshot: PeerStateSnapshot(pins: [Self.pin("bob", PE.bob), Self.pin("carol", PE.carol)]))
        let bob = net.add(PE.config("bob", PE.bob), snapshot: PeerStateSnapshot(pins: [Self.pin("alice", PE.alice)]))
        let carol = net.add(PE.config("carol", PE.carol), snapshot: PeerStateSnapshot(pins: [Self.pin("alice", PE.alice)]))
        net.start(alice, bob)
        net.settle()
        let oldFingerprint = PE.alice.publicKey.fingerprint.text

        let (plan, outcome) = try Self.rotate(net, alice)
        let newKey = plan.identity.publicKey
        #expect(outcome == .rotated(oldFingerprint: oldFingerprint, newFingerprint: newKey.fingerprint.text,
                                    announcedLive: 1, announcedOffline: 1))
        #expect(plan.identity.previous?.previousPublicKey == PE.alice.publicKey.base64)
        // One announcement over bob's session, one envelope for carol, both signed by the old key.
        let announcements = net.routed(type: "_key_rotate", from: "alice")
        #expect(announcements.count == 2)
        #expect(announcements.filter { $0["offline"] == true }.map { $0["target"] } == ["carol"])
        #expect(alice.closes.last?.code == 4200 && alice.closes.last?.reason == "rekey")
        #expect(alice.engine.profile.fingerprint == newKey.fingerprint.text)

        // bob moved the pin at once; alice is back under the new key with `rotation` in its auth.
        #expect(bob.events("key_rotated").map(\.meta) == [["type": "key_rotated", "peer": "alice", "rooms": "default"]])
        net.advance(by: 2_000)
        let auth = try #require(alice.sentFrames(type: "auth").last)
        #expect(auth["sign_pubkey"] == .string(newKey.base64))
        #expect(auth["rotation"]?.objectValue?["prev_sign_pubkey"] == .string(PE.alice.publicKey.base64))
        #expect(auth["rotation"]?.objectValue?["continuity_sig"] == .string(plan.identity.previous!.continuitySignature))
        guard case .sentLive(_, _, _, newPin: false, _)? = net.sendText(bob, to: "alice", "still you?") else {
            Issue.record("bob should reach alice's new key over a live session")
            return
        }
        net.settle()
        #expect(alice.texts == ["still you?"])

        // carol was away: the queued envelope moves her pin when she returns.
        net.start(carol)
        net.settle()
        #expect(carol.events("key_rotated").count == 1)
        #expect(carol.engine.peersSnapshot().blocked.isEmpty)
        #expect(!bob.hasLine("TOFU VIOLATION"))
        _ = net.sendText(alice, to: "carol", "hello from my new key")
        net.settle()
        #expect(carol.texts == ["hello from my new key"])
    }

    @Test func rotationIsRefusedWithoutARelayLinkAndChangesNothing() throws {
        let net = EngineNet()
        net.reachable = []
        let alice = net.add(PE.config("alice", PE.alice))
        net.start(alice)
        #expect(throws: RotationRefusal.notConnected) { try alice.engine.prepareRotation(nowMs: net.now) }
        #expect(alice.engine.profile.fingerprint == PE.alice.publicKey.fingerprint.text)
    }

    @Test func aPlanForAnotherIdentityIsNotCommitted() throws {
        let (net, alice, _) = EngineNet.pair()
        let (_, first) = try Self.rotate(net, alice)
        guard case .rotated? = first else { Issue.record("first rotation should succeed"); return }
        net.advance(by: 2_000)
        // A plan drawn before the first rotation no longer matches the identity.
        let stale = try alice.engine.prepareRotation(nowMs: net.now)
        _ = try Self.rotate(net, alice)
        net.advance(by: 2_000)
        guard case let .rotate(outcome)? = net.command(alice, .commitRotation(stale)) else { Issue.record("no reply"); return }
        #expect(outcome == .failed(reason: "the rotation was prepared for another identity"))
    }

    @Test func forgedAndReplayedAnnouncementsChangeNothing() throws {
        let (net, alice, _) = EngineNet.vectorPair()
        let fromBob = Forge(identity: PE.bob, sender: "bob", sessionID: String(repeating: "b", count: 32))
        let bob1 = try SigningKeyPair(seed: [UInt8](repeating: 0xB1, count: 32))
        let bob2 = try SigningKeyPair(seed: [UInt8](repeating: 0xB2, count: 32))
        func announcement(old: SigningKeyPair, new: SigningKeyPair, ts: Int64) -> String {
            KeyRotateAnnouncement(newPublicKey: new.publicKey.base64,
                                  continuitySignature: RotationStatement.sign(oldKey: old, newPublicKey: new.publicKey, name: "bob", timestampMs: ts),
                                  tsMs: ts).plaintext
        }
        func pinnedKey() -> String? { alice.engine.trust.pin(RoomPeer(room: "default", name: "bob"))?.key }

        // Forged: signed by a key that is not the pin.
        net.inject(alice, fromBob.frame(type: "_key_rotate", msgID: "r-0", text: announcement(old: PE.mallory, new: bob1, ts: 1), seq: 1, target: "alice"))
        #expect(pinnedKey() == PE.bob.publicKey.base64)
        #expect(alice.events("key_rotated").isEmpty)

        // Two real rotations: bob → bob1 → bob2.
        let first = announcement(old: PE.bob, new: bob1, ts: 2)
        net.inject(alice, fromBob.frame(type: "_key_rotate", msgID: "r-1", text: first, seq: 2, target: "alice"))
        net.inject(alice, fromBob.frame(type: "_key_rotate", msgID: "r-2", text: announcement(old: bob1, new: bob2, ts: 3), seq: 3, target: "alice"))
        #expect(pinnedKey() == bob2.publicKey.base64)
        #expect(alice.events("key_rotated").count == 2)

        // The first announcement replayed cannot roll the pin back to bob1.
        net.inject(alice, fromBob.frame(type: "_key_rotate", msgID: "r-3", text: first, seq: 4, target: "alice"))
        #expect(pinnedKey() == bob2.publicKey.base64)
        #expect(alice.events("key_rotated").count == 2)
    }

    @Test func unacknowledgedMessagesAreResealedToTheNewIdentity() throws {
        let (net, alice, bob) = EngineNet.pair()
        // bob never sees it, so it stays unacknowledged.
        net.tamper = { to, frame in to === bob && frame["type"]?.stringValue == "info" ? nil : frame }
        _ = net.sendText(alice, to: "bob", "waiting for bob")
        #expect(alice.engine.outboxCount == 1)
        alice.persisted = []
        let (plan, outcome) = try Self.rotate(net, alice)
        guard case .rotated? = outcome else { Issue.record("rotation failed: \(String(describing: outcome))"); return }
        let resealed = alice.persisted.compactMap { change -> DurableOutboxEntry? in
            if case let .putOutbox(entry) = change { return entry } else { return nil }
        }
        let entry = try #require(resealed.last)
        let opened = try plan.identity.keyPair.curve25519().openSealed(entry.sealedPlaintext)
        #expect(String(decoding: opened, as: UTF8.self) == "waiting for bob")
    }
}
