import Testing
@testable import MycKit

@Suite struct RelayAllowListTests {
    private func list() -> AllowList {
        AllowList(snapshot: AllowListSnapshot(
            bindings: [.init(room: "r", name: "alice", key: "A"), .init(room: "r", name: "bob", key: "B")],
            legacy: [.init(room: "r", key: "L"), .init(room: "r", key: "M")],
            revoked: [.init(room: "r", key: "X")]))
    }

    @Test func statusInTheReferenceOrder() {
        var l = list()
        #expect(l.status(room: "r", name: "alice", key: "A").status == .bound)
        #expect(l.status(room: "r", name: "alice", key: "B").status == .nameConflict)
        #expect(l.status(room: "r", name: "carol", key: "B").status == .keyConflict)
        #expect(l.status(room: "r", name: "carol", key: "Z").status == .unknown)
        #expect(l.status(room: "other", name: "alice", key: "B").status == .unknown)
        // Revocation wins over everything, even a matching binding.
        var l2 = AllowList(snapshot: AllowListSnapshot(
            bindings: [.init(room: "r", name: "alice", key: "A")], revoked: [.init(room: "r", key: "A")]))
        #expect(l2.status(room: "r", name: "alice", key: "A").status == .revoked)
    }

    @Test func legacyKeyMigratesOnce() {
        var l = list()
        let (status, changes) = l.status(room: "r", name: "carol", key: "L")
        #expect(status == .migrated)
        #expect(changes == [.bind(room: "r", name: "carol", key: "L"), .removeLegacy(room: "r", key: "L")])
        #expect(l.legacyKeys(in: "r") == ["M"])
        #expect(l.status(room: "r", name: "carol", key: "L") == (.bound, []))
        // The last legacy key leaves no empty list behind.
        _ = l.status(room: "r", name: "dave", key: "M")
        #expect(JSONSerializer.string(of: l.jsonObject["legacy"]!) == "{}")
    }

    @Test func rotationMovesBindingsAndLegacyKeys() {
        var l = AllowList(snapshot: AllowListSnapshot(
            bindings: [.init(room: "a", name: "alice", key: "OLD"), .init(room: "a", name: "bob", key: "B"),
                       .init(room: "b", name: "alice", key: "OTHER")],
            legacy: [.init(room: "c", key: "X"), .init(room: "c", key: "OLD"), .init(room: "c", key: "Y")]))
        let changes = l.applyRotation(rooms: ["a", "b", "c"], name: "alice", previousKey: "OLD", newKey: "NEW")
        #expect(changes == [.bind(room: "a", name: "alice", key: "NEW"), .removeLegacy(room: "c", key: "OLD"), .addLegacy(room: "c", key: "NEW")])
        #expect(l.bindings(in: "a").map(\.name) == ["alice", "bob"])  // position kept
        #expect(l.key(boundTo: "alice", in: "b") == "OTHER")
        #expect(l.legacyKeys(in: "c") == ["X", "NEW", "Y"])
        #expect(l.applyRotation(rooms: ["a", "b", "c"], name: "alice", previousKey: "OLD", newKey: "NEW").isEmpty)
    }

    @Test func revokeAndUndo() {
        var l = list()
        let byName = l.revoke(room: "r", name: "bob", pubkey: nil)
        #expect(byName == RevocationOutcome(revoked: true, revokedName: "bob", key: "B", changes: [.unbind(room: "r", name: "bob"), .revoke(room: "r", key: "B")]))
        #expect(l.isRevoked("B", in: "r"))
        let again = l.revoke(room: "r", name: "bob", pubkey: nil)
        #expect(!again.revoked && again.changes.isEmpty)
        let undo = l.undoRevocation(room: "r", pubkey: "B")
        #expect(undo.revoked && undo.changes == [.unrevoke(room: "r", key: "B")])
        #expect(l.key(boundTo: "bob", in: "r") == nil)
        #expect(!l.undoRevocation(room: "r", pubkey: nil).revoked)
        // The last binding of a room drops the room map.
        _ = l.revoke(room: "r", name: "alice", pubkey: nil)
        #expect(JSONSerializer.string(of: l.jsonObject["bindings"]!) == "{}")
    }

    @Test func snapshotRoundTripKeepsOrder() {
        let snapshot = AllowListSnapshot(
            bindings: [.init(room: "z", name: "b", key: "1"), .init(room: "a", name: "a", key: "2"), .init(room: "z", name: "a", key: "3")],
            legacy: [.init(room: "q", key: "L")], revoked: [.init(room: "q", key: "R")])
        let l = AllowList(snapshot: snapshot)
        #expect(l.snapshot == AllowListSnapshot(
            bindings: [.init(room: "z", name: "b", key: "1"), .init(room: "z", name: "a", key: "3"), .init(room: "a", name: "a", key: "2")],
            legacy: snapshot.legacy, revoked: snapshot.revoked))
        #expect(JSONSerializer.string(of: .object(l.jsonObject)) ==
            #"{"version":2,"bindings":{"z":{"b":"1","a":"3"},"a":{"a":"2"}},"legacy":{"q":["L"]},"revoked":{"q":["R"]}}"#)
    }

    @Test func readsReferenceFilesV1AndV2() throws {
        let v1 = AllowList(fileObject: try JSONParser.parseObject(#"{"default":["K1","K2"],"bad":"x","ops":["K3",5]}"#))
        #expect(v1.legacyKeys(in: "default") == ["K1", "K2"])
        #expect(v1.legacyKeys(in: "ops") == ["K3"])
        #expect(v1.legacyKeys(in: "bad").isEmpty)
        let v2 = AllowList(fileObject: try JSONParser.parseObject(#"{"version":2,"bindings":{"r":{"alice":"A"}},"revoked":{"r":["X"]}}"#))
        #expect(v2.key(boundTo: "alice", in: "r") == "A")
        #expect(v2.isRevoked("X", in: "r"))
        #expect(v2.legacyKeys(in: "r").isEmpty)
    }
}

@Suite struct RelayRotationTests {
    @Test func validRotationMovesTheBindingWithoutToken() {
        var h = RelayHarness(allowList: bound([alice, bob]))
        let b = h.join(bob)
        let (id, _) = h.open()
        var frame = h.authFrame(aliceNewKey, on: id, token: .none)
        frame["rotation"] = .object(alice.continuity(for: aliceNewKey, ts: 1_730_000_000_000))
        #expect(h.send(id, frame) == [
            "persist \([StoreChange.bind(room: "default", name: "alice", key: aliceNewKey.pub)])",
            "send \(id) " + Expect.authOK(aliceNewKey, rooms: [("default", [bob, aliceNewKey])]),
            "send \(b) " + Expect.peerJoined(aliceNewKey, room: "default", members: [bob, aliceNewKey]),
        ])
        // Re-sending the same rotation later does nothing.
        _ = h.close(id)
        let (id2, _) = h.open()
        var again = h.authFrame(aliceNewKey, on: id2, token: .none)
        again["rotation"] = .object(alice.continuity(for: aliceNewKey, ts: 1_730_000_000_000))
        #expect(h.send(id2, again).first?.hasPrefix("send") == true)
    }

    @Test func forgedRotationIsIgnored() {
        var h = RelayHarness(allowList: bound([alice]))
        let (id, _) = h.open()
        var frame = h.authFrame(aliceNewKey, on: id)
        // Signed by the new key itself instead of the previous one.
        var forged = alice.continuity(for: aliceNewKey, ts: 1)
        let message = aliceNewKey.keys.publicKey.bytes + Array("alice".utf8) + Array("1".utf8)
        forged["continuity_sig"] = .string(aliceNewKey.keys.signBase64(message))
        frame["rotation"] = .object(forged)
        #expect(h.send(id, frame) == [
            "send conn-1 " + Expect.authError(#"peer "alice" bound to different identity in room "default""#),
            "close conn-1 4021 identity mismatch",
        ])
        #expect(h.core.allowList.key(boundTo: "alice", in: "default") == alice.pub)
    }

    @Test func tokenAloneCannotTakeOverABoundName() {
        var h = RelayHarness(allowList: bound([alice]))
        let (id, _) = h.open()
        #expect(h.send(id, h.authFrame(aliceNewKey, on: id, token: .sealed(inviteToken))).last == "close conn-1 4021 identity mismatch")
    }

    @Test func rotationNeedsAProvenKey() {
        var limits = RelayLimits()
        limits.requireChallenge = false
        var h = RelayHarness(limits: limits, allowList: bound([alice]))
        let (id, _) = h.open()
        var frame = h.authFrame(aliceNewKey, on: id, token: .none)
        frame["challenge_sig"] = nil
        frame["rotation"] = .object(alice.continuity(for: aliceNewKey, ts: 5))
        #expect(h.send(id, frame).last == "close conn-1 4021 identity mismatch")
    }

    @Test func rotationTimestampIsStringifiedLikeJavaScript() {
        #expect(AuthValidator.jsString(nil) == "")
        #expect(AuthValidator.jsString(.null) == "")
        #expect(AuthValidator.jsString(.string("17")) == "17")
        #expect(AuthValidator.jsString(.number(1_730_000_000_000)) == "1730000000000")
        #expect(AuthValidator.jsString(.number(1.5)) == "1.5")
        #expect(AuthValidator.jsString(.bool(true)) == "true")
        #expect(AuthValidator.jsString(.array([])) == nil)
    }
}

@Suite struct RelaySmallPartsTests {
    @Test func tokenBucketRefillsContinuously() {
        var b = TokenBucket(capacity: 60, nowMs: 0)
        var taken = 0
        while b.take(nowMs: 0) { taken += 1 }
        #expect(taken == 60)
        let early = b.take(nowMs: 999)
        let onTime = b.take(nowMs: 1_000)  // 1 token per second
        let again = b.take(nowMs: 1_000)
        #expect(!early && onTime && !again)
        // Never above capacity.
        var c = TokenBucket(capacity: 2, nowMs: 0)
        let results = (0..<3).map { _ in c.take(nowMs: 10_000_000) }
        #expect(results == [true, true, false])
    }

    @Test func relayMessageIDs() {
        var ids = RelayMessageID()
        #expect(ids.next(nowMs: 1_730_000_000_000) == "m2r1bz7k-0")
        #expect(ids.next(nowMs: 1_730_000_000_000) == "m2r1bz7k-1")
        for _ in 0..<34 { _ = ids.next(nowMs: 0) }
        #expect(ids.next(nowMs: 35) == "z-10")
    }

    @Test func names() {
        #expect(AuthValidator.isValidName(String(repeating: "a", count: 64)))
        #expect(!AuthValidator.isValidName(String(repeating: "a", count: 65)))
        #expect(AuthValidator.isValidName("_relay"))
        #expect(!AuthValidator.isValidPeerName("_relay"))
        #expect(AuthValidator.isValidPeerName("a_b, c:d/e"))
        #expect(!AuthValidator.isValidName(""))
    }
}
