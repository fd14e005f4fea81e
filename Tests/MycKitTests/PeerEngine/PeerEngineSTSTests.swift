import Testing
@testable import MycKit

@Suite("PeerEngine STS")
struct PeerEngineSTSTests {
    @Test func rolesFollowUTF16Order() {
        #expect(StsBinding.isInitiator(local: "alice", remote: "bob"))
        #expect(!StsBinding.isInitiator(local: "bob", remote: "alice"))
        // U+1F600 is D83D DE00 in UTF-16, so it sorts before U+FFFF (unlike by scalars).
        #expect(StsBinding.isInitiator(local: "😀", remote: "\u{FFFF}"))
        #expect(!StsBinding.isInitiator(local: "\u{FFFF}", remote: "😀"))
    }

    @Test func bindingMatchesTheVector() {
        let expected = Vectors.hex(Vectors.crypto, "sts.binding_hex")
        let aliceEph = Vectors.b64(Vectors.crypto, "ephemeral.alice.public_b64")
        let bobEph = Vectors.b64(Vectors.crypto, "ephemeral.bob.public_b64")
        let fromAlice = StsBinding.bytes(localName: "alice", localEphemeral: aliceEph, localSessionID: VectorKeys.sessionID("alice"),
                                         remoteName: "bob", remoteEphemeral: bobEph, remoteSessionID: VectorKeys.sessionID("bob"), room: "default")
        let fromBob = StsBinding.bytes(localName: "bob", localEphemeral: bobEph, localSessionID: VectorKeys.sessionID("bob"),
                                       remoteName: "alice", remoteEphemeral: aliceEph, remoteSessionID: VectorKeys.sessionID("alice"), room: "default")
        #expect(fromAlice == expected)
        #expect(fromBob == expected)
        #expect(expected.count == 135)
    }

    @Test func initiatorAndResponderExchangeTheVectorSignatures() throws {
        let (net, alice, bob) = EngineNet.vectorPair()
        let key = VectorKeys.sharedKey
        func plaintext(_ frame: JSONObject) throws -> String { try RoutedFrame.openSession(frame: frame, key: key) }
        let inits = net.routed(type: "_sts_init")
        let replies = net.routed(type: "_sts_reply")
        let completes = net.routed(type: "_sts_complete")
        #expect(inits.count == 1 && inits.first?["from"] == "alice")
        #expect(replies.count == 1 && replies.first?["from"] == "bob")
        #expect(completes.count == 1 && completes.first?["from"] == "alice")
        #expect(try plaintext(inits[0]) == Vectors.string(Vectors.crypto, "sts.init_plaintext"))
        #expect(try plaintext(replies[0]) == Vectors.string(Vectors.crypto, "sts.reply_plaintext"))
        #expect(try plaintext(completes[0]) == Vectors.string(Vectors.crypto, "sts.complete_plaintext"))
        #expect(alice.hasLine("STS verified: bob@default"))
        #expect(bob.hasLine("STS verified: alice@default"))
        guard case let .peers(snapshot)? = net.command(alice, .peers) else { return }
        #expect(snapshot.rooms.first?.live.first?.stsVerified == true)
        #expect(snapshot.disconnectedAttempt == nil)
    }

    @Test func unicodeNamesPickTheUTF16Initiator() throws {
        let net = EngineNet()
        let emoji = net.add(PE.config("😀", PE.alice))
        let high = net.add(PE.config("\u{FFFF}", PE.bob))
        net.start(high, emoji)
        net.settle()
        #expect(net.routed(type: "_sts_init").map { $0["from"] } == ["😀"])
        #expect(emoji.hasLine("STS verified: \u{FFFF}@default"))
    }

    @Test func timeoutLeavesTheSessionUsable() throws {
        let net = EngineNet()
        net.tamper = { _, frame in frame["type"] == "_sts_reply" ? nil : frame }
        let alice = net.add(PE.config("alice", PE.alice))
        let bob = net.add(PE.config("bob", PE.bob))
        net.start(alice, bob)
        net.advance(by: 9_000)
        #expect(!alice.hasLine("STS timeout"))
        net.advance(by: 2_000)
        #expect(alice.lines.contains("STS timeout for bob@default (session usable, unconfirmed)"))
        #expect(alice.events("sts_failed").isEmpty)
        guard case .sentLive? = net.sendText(alice, to: "bob", "still works") else {
            Issue.record("session must stay usable after an STS timeout")
            return
        }
        net.settle()
        #expect(bob.texts == ["still works"])
        guard case let .peers(snapshot)? = net.command(alice, .peers) else { return }
        #expect(snapshot.rooms.first?.live.first?.stsVerified == false)
    }

    /// A hostile relay rewrites bob's advertised session id (§8.7): the binding differs,
    /// STS fails closed, and only a trust decision brings the session back.
    @Test func forgedBindingBlocksUntilTrustedThroughTheStore() throws {
        let net = EngineNet()
        let forged = String(repeating: "e", count: 32)
        func forge(_ object: JSONObject) -> JSONObject {
            var o = object
            if o["peer"] == "bob" { o["session_id"] = .string(forged) }
            if var peers = o["peers"]?.objectValue, var b = peers["bob"]?.objectValue {
                b["session_id"] = .string(forged)
                peers["bob"] = .object(b)
                o["peers"] = .object(peers)
            }
            return o
        }
        net.tamper = { node, frame in
            guard node.name == "alice", frame["type"] == "peer_joined", let payload = frame["payload"]?.objectValue else { return frame }
            var out = frame
            out["payload"] = .object(forge(payload))
            return out
        }
        let alice = net.add(PE.config("alice", PE.alice))
        let bob = net.add(PE.config("bob", PE.bob))
        net.start(alice)
        net.start(bob)
        net.settle()
        let bobPeer = RoomPeer(room: "default", name: "bob")
        #expect(alice.lines.contains("STS VERIFICATION FAILED (reply) for bob@default"))
        #expect(alice.events("sts_failed").map(\.meta) == [["type": "sts_failed", "peer": "bob", "room": "default"]])
        #expect(alice.persisted.contains(.addStsFailed(bobPeer)))
        #expect(alice.persisted.contains { if case let .setBlocked(b) = $0 { return b.reason == .stsFailed } else { return false } })
        #expect(net.sendText(alice, to: "bob", "hi") == .blocked(target: "bob", room: "default"))
        _ = net.sendText(bob, to: "alice", "can you hear me")
        net.settle()
        #expect(alice.messages.isEmpty)

        // The relay behaves again; bob reconnects; alice still refuses (STS-failed is sticky).
        net.tamper = nil
        net.relayClose(bob, code: 4000, reason: "pong timeout")
        net.advance(by: 2_000)
        net.settle()
        #expect(bob.engine.isAuthenticated)
        #expect(net.sendText(alice, to: "bob", "hi") == .blocked(target: "bob", room: "default"))

        // `myc trust bob` in another process: re-pins bob's key and lifts the STS mark.
        let snapshot = PeerStateSnapshot(pins: [Pin(peer: bobPeer, key: PE.bob.publicKey.base64, firstSeenMs: net.now, lastSeenMs: net.now)])
        net.send(alice, .storeChanged(snapshot))
        net.settle()
        #expect(alice.lines.filter { $0 == "STS verified: bob@default" }.count == 1)
        guard case .sentLive? = net.sendText(alice, to: "bob", "back") else {
            Issue.record("expected the session to be re-established")
            return
        }
        net.settle()
        #expect(bob.texts == ["back"])
        // An unrelated store change does not disturb the session.
        net.send(alice, .storeChanged(snapshot))
        guard case .sentLive? = net.sendText(alice, to: "bob", "again") else {
            Issue.record("session should persist")
            return
        }
    }
}
