import Testing
@testable import MycKit

/// Durable state, key rotation, and what may (not) leave the engine.
@Suite("PeerEngine state and hygiene")
struct PeerEngineStateTests {
    @Test func keyRotationMovesThePinAndTheNewKeyIsTrusted() throws {
        let (net, alice, bob) = EngineNet.vectorPair()
        let newBob = try SigningKeyPair(seed: [UInt8](repeating: 0xB2, count: 32))
        let ts = net.now
        let announcement = KeyRotateAnnouncement(
            newPublicKey: newBob.publicKey.base64,
            continuitySignature: RotationStatement.sign(oldKey: PE.bob, newPublicKey: newBob.publicKey, name: "bob", timestampMs: ts),
            tsMs: ts)
        let fromBob = Forge(identity: PE.bob, sender: "bob", sessionID: String(repeating: "b", count: 32))
        net.inject(alice, fromBob.frame(type: "_key_rotate", msgID: "bob-r-1", text: announcement.plaintext, seq: 1, target: "alice"))
        let rotated = alice.events("key_rotated")
        #expect(rotated.map(\.meta) == [["type": "key_rotated", "peer": "bob", "rooms": "default"]])
        #expect(alice.persisted.contains { if case let .setPin(p) = $0 { return p.key == newBob.publicKey.base64 } else { return false } })
        // A replayed announcement does nothing (deduplicated, and it no longer verifies).
        net.inject(alice, fromBob.frame(type: "_key_rotate", msgID: "bob-r-2", text: announcement.plaintext, seq: 2, target: "alice"))
        #expect(alice.events("key_rotated").count == 1)

        // bob comes back under the new key: trusted, no TOFU violation.
        net.relayClose(bob, code: 4200, reason: "rekey")
        bob.engine = PeerEngine(config: PE.config("bob", newBob), snapshot: PeerStateSnapshot(), random: SeededPeerRandom(seed: 99))
        bob.timers = [:]
        net.start(bob)
        net.settle()
        #expect(!alice.hasLine("TOFU VIOLATION"))
        guard case let .sentLive(_, _, _, newPin, _)? = net.sendText(alice, to: "bob", "welcome back") else {
            Issue.record("expected a live session with the rotated key")
            return
        }
        #expect(!newPin)
    }

    @Test func logsNeverCarryTokensPlaintextOrSecretKeys() throws {
        let net = EngineNet()
        let alice = net.add(PE.config("alice", PE.alice, pins: [PE.relayKey.publicKey.fingerprint.text]))
        let bob = net.add(PE.config("bob", PE.bob))
        net.start(alice, bob)
        net.settle()
        let secretText = "the launch code is 0000"
        _ = net.sendText(alice, to: "bob", secretText)
        _ = net.sendText(bob, to: "alice", secretText + " (ack)")
        net.inject(bob, ["type": "error", "from": "_relay", "payload": "rate limited", "msg_id": "nope"])
        net.settle()
        let forbidden = [PE.token, "launch code", Base64.encode(PE.alice.secretKey.bytesCopy), Base64.encode(PE.bob.secretKey.bytesCopy)]
        for node in [alice, bob] {
            for event in node.logs {
                let text = ([event.message, event.line ?? ""] + event.metadata.keys + event.metadata.values).joined(separator: "\n")
                for secret in forbidden { #expect(!text.contains(secret), "\(node.name) logged a secret: \(text)") }
            }
        }
        #expect(bob.texts == [secretText])
    }

    @Test func notificationMetaKeysAreLettersDigitsAndUnderscore() throws {
        let (net, alice, bob) = EngineNet.pair()
        _ = net.sendText(alice, to: "bob", "hi", type: "note")
        net.inject(alice, RelayFrames.error("x", msgID: "unknown"))
        net.inject(alice, RelayFrames.evicted(.revoked))
        net.relayClose(bob, code: 4000, reason: "x")
        net.advance(by: 3_000)
        let all = alice.notifications + bob.notifications
        #expect(all.count >= 5)
        for notification in all {
            for key in notification.meta.keys {
                #expect(key.utf8.allSatisfy { $0 == UInt8(ascii: "_") || (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) },
                        "meta key \(key)")
            }
        }
    }

    @Test func dedupSetIsPrunedEveryTenSeconds() throws {
        let old = SeenEntry(peer: RoomPeer(room: "default", name: "bob"), msgID: "bob-old", atMs: PE.t0 - 4_000_000)
        let fresh = SeenEntry(peer: RoomPeer(room: "default", name: "bob"), msgID: "bob-new", atMs: PE.t0 - 1_000)
        let net = EngineNet()
        let alice = net.add(PE.config("alice", PE.alice), snapshot: PeerStateSnapshot(seen: [old, fresh]))
        net.start(alice)
        net.advance(by: 10_000)
        let expiry = PeerConstants.seenExpiryMs(offlineMaxAgeMs: PeerConstants.defaultOfflineMaxAgeMs)
        #expect(alice.persisted.filter { if case .pruneSeen = $0 { true } else { false } }
                == [.pruneSeen(atOrBeforeMs: PE.t0 + 10_000 - expiry, keepAtMost: 10_000)])
        net.advance(by: 30_000)
        #expect(alice.persisted.filter { if case .pruneSeen = $0 { true } else { false } }.count == 1, "nothing more to prune")
        #expect(alice.engine.replay.seen.count == 1)
    }

    @Test func restoredReplayStateRejectsOldFrames() throws {
        let peer = RoomPeer(room: "default", name: "alice")
        let net = EngineNet()
        let alice = net.add(PE.config("alice", PE.alice), scripted: VectorKeys.script("alice"))
        let bob = net.add(PE.config("bob", PE.bob), snapshot: PeerStateSnapshot(
            seen: [SeenEntry(peer: peer, msgID: "alice-before-restart", atMs: PE.t0 - 60_000)],
            windows: [ReplayWindowRecord(peer: peer, sessionID: VectorKeys.sessionID("alice"), last: 100, mask: .max)]),
            scripted: VectorKeys.script("bob"))
        net.start(alice, bob)
        net.settle()
        net.inject(bob, Forge().frame(msgID: "alice-before-restart", text: "again?", seq: 5_000))
        net.inject(bob, Forge().frame(msgID: "alice-fresh-id", text: "old seq", seq: 50))
        #expect(!bob.texts.contains("again?") && !bob.texts.contains("old seq"))
        #expect(bob.lines.contains("Replay dedup: re-acked alice-before-restart from alice"))
        #expect(bob.lines.contains("Replay dedup: re-acked alice-fresh-id from alice"))
    }

    @Test func storeChangeAdoptsPinsAndBlocks() throws {
        let (net, alice, _) = EngineNet.pair()
        let carol = RoomPeer(room: "default", name: "carol")
        let blocked = BlockedKey(peer: carol, keyInfo: KeyInfo(signPublicKey: PE.carol.publicKey.base64, ephemeralPublicKey: "",
                                                               ephemeralPublicKeySignature: "", sessionID: ""),
                                 reason: .keyChanged, blockedAtMs: net.now)
        let snapshot = PeerStateSnapshot(
            pins: [Pin(peer: RoomPeer(room: "default", name: "bob"), key: PE.bob.publicKey.base64, firstSeenMs: PE.t0, lastSeenMs: PE.t0)],
            blocked: [blocked])
        net.send(alice, .storeChanged(snapshot))
        #expect(net.sendText(alice, to: "carol", "hi") == .blocked(target: "carol", room: "default"))
        #expect(net.command(alice, .verify(peer: "carol", room: nil)) == .verify(.blocked(peer: "carol")))
        guard case .sentLive? = net.sendText(alice, to: "bob", "unaffected") else {
            Issue.record("bob's session must survive an unrelated store change")
            return
        }
    }
}
