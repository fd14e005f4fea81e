import Testing
@testable import MycKit

@Suite("PeerEngine TOFU and trust")
struct PeerEngineTrustTests {
    static func pin(_ name: String, _ key: SigningKeyPair, room: String = "default", seen: Int64 = PE.t0 - 3_600_000) -> Pin {
        Pin(peer: RoomPeer(room: room, name: name), key: key.publicKey.base64, firstSeenMs: seen, lastSeenMs: seen)
    }

    @Test func firstContactPinsAsNew() throws {
        let (net, alice, bob) = EngineNet.pair()
        let bobPeer = RoomPeer(room: "default", name: "bob")
        #expect(alice.persisted.contains(.setPin(Pin(peer: bobPeer, key: PE.bob.publicKey.base64, firstSeenMs: PE.t0, lastSeenMs: PE.t0))))
        guard case let .sentLive(_, _, _, newPin, chunks)? = net.sendText(alice, to: "bob", "hi") else {
            Issue.record("expected a live send")
            return
        }
        #expect(newPin && chunks == 1)
        net.settle()
        #expect(bob.messages.first?.meta["tofu"] == "🆕")
    }

    @Test func knownKeyIsTrustedAndLastSeenTouchedAtMostOncePerMinute() throws {
        let net = EngineNet()
        let alice = net.add(PE.config("alice", PE.alice), snapshot: PeerStateSnapshot(pins: [Self.pin("bob", PE.bob)]))
        let bob = net.add(PE.config("bob", PE.bob), snapshot: PeerStateSnapshot(pins: [Self.pin("alice", PE.alice)]))
        net.start(alice, bob)
        net.settle()
        let bobPeer = RoomPeer(room: "default", name: "bob")
        #expect(!alice.persisted.contains { if case .setPin = $0 { return true } else { return false } })
        #expect(alice.persisted.filter { $0 == .touchPin(bobPeer, lastSeenMs: PE.t0) }.count == 1)
        guard case let .sentLive(_, _, _, newPin, _)? = net.sendText(bob, to: "alice", "hello") else {
            Issue.record("expected a live send")
            return
        }
        #expect(!newPin)
        for i in 0..<5 { _ = net.sendText(bob, to: "alice", "m\(i)") }
        net.settle()
        #expect(alice.messages.first?.meta["tofu"] == "🔒")
        let touches = { alice.persisted.filter { if case .touchPin = $0 { return true } else { return false } }.count }
        #expect(touches() == 1, "frames within a minute do not rewrite last_seen")
        net.advance(by: 61_000)
        _ = net.sendText(bob, to: "alice", "a minute later")
        net.settle()
        #expect(touches() == 2)
    }

    @Test func changedKeyIsBlockedAtAuthOK() throws {
        let net = EngineNet()
        let bob = net.add(PE.config("bob", PE.bob))
        let alice = net.add(PE.config("alice", PE.alice), snapshot: PeerStateSnapshot(pins: [Self.pin("bob", PE.mallory)]))
        net.start(bob)
        net.start(alice)
        net.settle()
        #expect(alice.lines.contains("TOFU VIOLATION: bob@default key changed! BLOCKED."))
        #expect(alice.events("tofu_violation").isEmpty, "no host notification for blocks found at auth_ok")
        let blocked = alice.persisted.compactMap { if case let .setBlocked(b) = $0 { return b } else { return nil } }
        #expect(blocked.count == 1)
        #expect(blocked.first?.reason == .keyChanged)
        #expect(blocked.first?.keyInfo.signPublicKey == PE.bob.publicKey.base64)
        #expect(net.sendText(alice, to: "bob", "hi") == .blocked(target: "bob", room: "default"))
        // bob (who pinned alice fresh) can send, but alice drops it: no session with bob.
        _ = net.sendText(bob, to: "alice", "hello?")
        net.settle()
        #expect(alice.messages.isEmpty)
        #expect(alice.hasLine("BLOCKED: no session with bob@default"))
        guard case let .peers(snapshot)? = net.command(alice, .peers) else { return }
        #expect(snapshot.blocked == ["bob@default"])
        #expect(snapshot.rooms.first?.live == [.init(name: "bob", trust: .pinned, stsVerified: false, blocked: true)])
    }

    @Test func changedKeyOnPeerJoinedEmitsTofuViolationThenTrustRestoresTheSession() throws {
        let net = EngineNet()
        let alice = net.add(PE.config("alice", PE.alice), snapshot: PeerStateSnapshot(pins: [Self.pin("bob", PE.mallory)]))
        let bob = net.add(PE.config("bob", PE.bob))
        net.start(alice)
        net.start(bob)
        net.settle()
        let violations = alice.events("tofu_violation")
        #expect(violations.count == 1)
        #expect(violations.first?.meta == ["type": "tofu_violation", "peer": "bob", "room": "default"])
        #expect(violations.first?.kind == .event)
        #expect(alice.events("peer_joined").first?.content.contains("🔴") == true)

        let fp = PE.bob.publicKey.fingerprint.text
        #expect(net.command(alice, .trust(peer: "carol", room: nil, confirm: true)) == .trust(.nothingPending(peer: "carol")))
        #expect(net.command(alice, .trust(peer: "bob", room: nil, confirm: false)) == .trust(.pending(peer: "bob", room: "default", fingerprint: fp)))
        #expect(net.command(alice, .verify(peer: "bob", room: nil)) == .verify(.pinned(peer: "bob", pins: [
            .init(room: "default", fingerprint: PE.mallory.publicKey.fingerprint.text, status: .offline, stsVerified: false),
        ], ownFingerprint: PE.alice.publicKey.fingerprint.text)))
        #expect(net.command(alice, .trust(peer: "bob", room: nil, confirm: true)) == .trust(.trusted(peer: "bob", room: "default", fingerprint: fp)))
        #expect(alice.persisted.contains(.clearBlocked(RoomPeer(room: "default", name: "bob"))))
        net.settle()
        #expect(alice.hasLine("STS verified: bob@default"))
        guard case .sentLive? = net.sendText(alice, to: "bob", "trusted now") else {
            Issue.record("expected a live send after trust")
            return
        }
        net.settle()
        #expect(bob.texts == ["trusted now"])
        #expect(net.command(alice, .trust(peer: "bob", room: nil, confirm: true)) == .trust(.nothingPending(peer: "bob")))
    }

    @Test func badEphemeralSignatureIsBlockedWithoutPinning() throws {
        let net = EngineNet()
        net.tamper = { node, frame in
            guard node.name == "alice", frame["type"] == "peer_joined", var payload = frame["payload"]?.objectValue else { return frame }
            payload["eph_enc_pubkey_sig"] = .string(PE.bob.signBase64([0]))
            var out = frame
            out["payload"] = .object(payload)
            return out
        }
        let alice = net.add(PE.config("alice", PE.alice))
        let bob = net.add(PE.config("bob", PE.bob))
        net.start(alice)
        net.start(bob)
        let blocked = alice.persisted.compactMap { if case let .setBlocked(b) = $0 { return b } else { return nil } }
        #expect(blocked.first?.reason == .badEphemeralSignature)
        #expect(!alice.persisted.contains { if case .setPin = $0 { return true } else { return false } })
        #expect(alice.events("tofu_violation").count == 1)
    }

    @Test func selfAndUnknownTargets() throws {
        let (net, alice, _) = EngineNet.pair()
        #expect(net.sendText(alice, to: "alice", "me") == .unknownPeer(target: "alice"))
        #expect(net.sendText(alice, to: "zed", "who") == .unknownPeer(target: "zed"))
        #expect(net.sendText(alice, to: "bob", "x", room: "elsewhere") == .notAMember(room: "elsewhere", joined: ["default"]))
        #expect(net.sendText(alice, to: "bob", "x", type: "_ack") == .invalidType(reason: SendTypeFilter.Rejection.reserved("_ack").description))
        #expect(net.command(alice, .verify(peer: nil, room: nil)) == .verify(.own(fingerprint: PE.alice.publicKey.fingerprint.text)))
        #expect(net.command(alice, .verify(peer: "zed", room: nil)) == .verify(.noPin(peer: "zed")))
    }
}
