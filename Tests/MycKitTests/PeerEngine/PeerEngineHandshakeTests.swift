import Testing
@testable import MycKit

@Suite("PeerEngine handshake")
struct PeerEngineHandshakeTests {
    @Test func authCarriesFreshConnectionKeysAndSealedToken() throws {
        let (net, alice, bob) = EngineNet.pair()
        let auth = try #require(alice.sentFrames(type: "auth").first)
        #expect(auth["peer"] == "alice")
        #expect(auth["rooms"] == ["default"])
        #expect(auth["sealed_token"] != nil)
        #expect(auth["token"] == nil)
        let session = try #require(auth["session_id"]?.stringValue)
        #expect(SessionID.isValid(session))
        #expect(alice.hasLine("Fingerprint: 3e95:2974:fbd8:6dd9:6f47:220e:d268:f6ba"))
        #expect(alice.hasLine("Auth OK"))
        #expect(bob.hasLine("STS verified: alice@default"))
        #expect(alice.hasLine("STS verified: bob@default"))

        // A new connection draws a new ephemeral key and session id, and seq restarts at 0.
        _ = net.sendText(alice, to: "bob", "one")
        net.relayClose(alice, code: 4000, reason: "pong timeout")
        net.advance(by: 2_000)
        #expect(alice.engine.isAuthenticated)
        let auths = alice.sentFrames(type: "auth")
        #expect(auths.count == 2)
        #expect(auths[0]["eph_enc_pubkey"] != auths[1]["eph_enc_pubkey"])
        #expect(auths[0]["session_id"] != auths[1]["session_id"])
        net.settle()
        _ = net.sendText(alice, to: "bob", "two")
        let sessionFrames = net.routed.filter { $0["from"] == "alice" && $0["session_id"] == auths[1]["session_id"] }
        #expect(sessionFrames.first?["seq"] == 0)
        #expect(sessionFrames.map { $0["seq"]?.integerValue ?? -1 } == Array(0..<Int64(sessionFrames.count)))
        #expect(bob.texts == ["one", "two"])
    }

    @Test func pinnedRelayVerified() throws {
        let net = EngineNet()
        let fp = PE.relayKey.publicKey.fingerprint.text
        let alice = net.add(PE.config("alice", PE.alice, pins: [fp]))
        net.start(alice)
        #expect(alice.engine.isAuthenticated)
        #expect(alice.lines.contains("Relay identity verified: \(fp)"))
        let auth = try #require(alice.sentFrames(type: "auth").first)
        #expect(auth["sealed_token"] != nil && auth["token"] == nil)
    }

    @Test func pinnedRelayMismatchClosesWith4099AndSendsNothing() throws {
        let net = EngineNet()
        net.relayKey = PE.otherRelayKey
        let alice = net.add(PE.config("alice", PE.alice, pins: [PE.relayKey.publicKey.fingerprint.text]))
        net.start(alice)
        #expect(!alice.engine.isAuthenticated)
        #expect(alice.sent.isEmpty)
        #expect(alice.closes.first?.code == 4099)
        #expect(alice.closes.first?.reason == "relay identity mismatch")
        let got = PE.otherRelayKey.publicKey.fingerprint.text
        #expect(alice.lines.contains("RELAY IDENTITY MISMATCH: got \(got), not in pinned set"))
        // And it keeps trying, with backoff, on the next relay of the list.
        #expect(alice.timers[.reconnect] != nil)
        net.advance(by: 999)
        #expect(Array(alice.connects.prefix(2)) == [PE.urls[0], PE.urls[1]])
        #expect(alice.sent.isEmpty)
    }

    @Test(arguments: [
        ("relay_pubkey", "relay identity missing"),
        ("relay_sig", "relay sig missing"),
        ("timestamp", "relay sig missing"),
    ])
    func pinnedRelayMissingFieldsNeverDowngrade(field: String, reason: String) throws {
        let net = EngineNet()
        net.tamper = { _, frame in
            var frame = frame
            if frame["type"] == "challenge" { frame[field] = nil }
            return frame
        }
        let alice = net.add(PE.config("alice", PE.alice, pins: [PE.relayKey.publicKey.fingerprint.text]))
        net.start(alice)
        #expect(alice.sent.isEmpty, "no auth, so no token of any kind")
        #expect(alice.closes.map(\.code) == [4099])
        #expect(alice.closes.first?.reason == reason)
    }

    @Test func pinnedRelayInvalidSignatureRefused() throws {
        let net = EngineNet()
        net.tamper = { _, frame in
            var frame = frame
            if frame["type"] == "challenge" { frame["relay_sig"] = .string(PE.relayKey.signBase64([1, 2, 3])) }
            return frame
        }
        let alice = net.add(PE.config("alice", PE.alice, pins: [PE.relayKey.publicKey.fingerprint.text]))
        net.start(alice)
        #expect(alice.sent.isEmpty)
        #expect(alice.closes.first?.code == 4099)
        #expect(alice.closes.first?.reason == "relay sig invalid")
    }

    @Test func unpinnedRelayWithoutKeyGetsPlaintextTokenLikeTheReference() throws {
        let net = EngineNet()
        net.tamper = { _, frame in
            var frame = frame
            if frame["type"] == "challenge" { frame["relay_pubkey"] = nil }
            return frame
        }
        let alice = net.add(PE.config("alice", PE.alice))
        net.start(alice)
        let auth = try #require(alice.sentFrames(type: "auth").first)
        #expect(auth["token"] == .string(PE.token))
        #expect(auth["sealed_token"] == nil)
    }

    @Test func firstFrameMustBeTheChallenge() throws {
        let net = EngineNet()
        var first = true
        net.tamper = { _, frame in
            guard first else { return frame }
            first = false
            return ["type": "hello", "from": "_relay"]
        }
        let alice = net.add(PE.config("alice", PE.alice))
        net.start(alice)
        // The real challenge, arriving second, is not answered.
        let challenge = ChallengeFrame.signed(by: PE.relayKey, nonce: [UInt8](repeating: 9, count: 32), timestampMs: net.now)
        net.inject(alice, challenge.object)
        #expect(alice.sentFrames(type: "auth").isEmpty)
        #expect(!alice.engine.isAuthenticated)
    }

    @Test func lateChallengeIsIgnored() throws {
        let (net, alice, _) = EngineNet.pair()
        let before = alice.sent.count
        // A member forwards a genuine relay challenge as a routed frame (§8.1).
        var forwarded = ChallengeFrame.signed(by: PE.relayKey, nonce: [UInt8](repeating: 5, count: 32), timestampMs: net.now).object
        net.inject(alice, forwarded)
        forwarded["from"] = "mallory"
        net.inject(alice, forwarded)
        #expect(alice.sent.count == before)
        #expect(alice.sentFrames(type: "auth").count == 1)
    }

    @Test func lateOrForgedAuthOKIsIgnored() throws {
        let (net, alice, bob) = EngineNet.pair()
        let fake = RelayFrames.authOK(peer: "alice", rooms: [.init(room: "default", members: [
            .init(name: "bob", keyInfo: KeyInfo(signPublicKey: PE.mallory.publicKey.base64, ephemeralPublicKey: "x",
                                                ephemeralPublicKeySignature: "y", sessionID: "z")),
        ])])
        net.inject(alice, fake)
        var routedFake = fake
        routedFake["from"] = "bob"
        net.inject(alice, routedFake)
        #expect(alice.lines.filter { $0.hasPrefix("Auth OK") }.count == 1)
        #expect(!alice.hasLine("TOFU VIOLATION"))
        guard case .sentLive? = net.sendText(alice, to: "bob", "still fine") else {
            Issue.record("session should survive a forged auth_ok")
            return
        }
        net.settle()
        #expect(bob.texts == ["still fine"])
    }

    @Test func authErrorOnlyWhileAwaitingAuth() throws {
        let (net, alice, _) = EngineNet.pair()
        net.inject(alice, RelayFrames.authError("nope"))
        #expect(alice.engine.isAuthenticated)
        #expect(!alice.hasLine("Auth fail"))

        let net2 = EngineNet()
        net2.tamper = { _, frame in
            frame["type"] == "auth_ok" ? RelayFrames.authError("invalid token") : frame
        }
        let carol = net2.add(PE.config("carol", PE.carol))
        net2.start(carol)
        #expect(carol.lines.contains("Auth fail: invalid token"))
        #expect(!carol.engine.isAuthenticated)
        net2.relayClose(carol, code: 4005, reason: "bad token")
        #expect(carol.lines.contains("Disconnected (4005 bad token)"))
        #expect(carol.timers[.reconnect] != nil)
    }

    @Test func authOKFromAPeerWhileAwaitingAuthIsIgnored() throws {
        let net = EngineNet()
        net.tamper = { _, frame in
            guard frame["type"] == "auth_ok" else { return frame }
            var forged = frame
            forged["from"] = "mallory"
            return forged
        }
        let alice = net.add(PE.config("alice", PE.alice))
        net.start(alice)
        #expect(!alice.engine.isAuthenticated)
    }

    @Test func evictedRevokedNeedsRelaySender() throws {
        let (net, alice, _) = EngineNet.pair()
        net.inject(alice, ["type": "evicted", "from": "mallory", "payload": "revoked"])
        net.inject(alice, ["type": "evicted", "from": "mallory", "room": "default", "payload": "revoked"])
        #expect(alice.events("revoked").isEmpty)
        #expect(alice.hasLine("BLOCKED: frame from mallory for a room not joined"))
        #expect(alice.hasLine("BLOCKED: non-E2E peer message from mallory"))
        net.inject(alice, RelayFrames.evicted(.revoked))
        #expect(alice.events("revoked").count == 1)
        #expect(alice.events("revoked").first?.meta == ["type": "revoked"])
    }

    @Test func legacyAuthOKShapeIsUnderstood() throws {
        let net = EngineNet()
        let bob = net.add(PE.config("bob", PE.bob))
        net.start(bob)
        let bobInfo = try #require(net.connections[bob.id]?.keyInfo)
        net.tamper = { node, frame in
            guard node.name == "alice", frame["type"] == "auth_ok" else { return frame }
            return RelayFrames.legacyAuthOK(peer: "alice", room: .init(room: "default", members: [.init(name: "bob", keyInfo: bobInfo)]))
        }
        let alice = net.add(PE.config("alice", PE.alice))
        net.start(alice)
        net.settle()
        #expect(alice.engine.isAuthenticated)
        guard case .sentLive? = net.sendText(alice, to: "bob", "legacy ok") else {
            Issue.record("expected a session from the legacy auth_ok")
            return
        }
        net.settle()
        #expect(bob.texts == ["legacy ok"])
    }
}
