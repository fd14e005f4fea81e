import Testing
@testable import MycKit

@Suite struct RelayAuthTests {
    @Test func openSendsDeterministicSignedChallenge() throws {
        var h = RelayHarness()
        let (id, actions) = h.open()
        let expected = ChallengeFrame.signed(by: relayIdentity, nonce: [UInt8](repeating: 1, count: 32), timestampMs: h.now)
        #expect(actions == ["send \(id) " + String(decoding: RelayFrames.bytes(expected.object), as: UTF8.self)])
        let sent = try ChallengeFrame(object: JSONParser.parseObject(actions[0].dropFirst("send conn-1 ".count).utf8))
        #expect(sent.verifiedRelayKey() == .verified(relayIdentity.publicKey))
        #expect(sent.timestamp == "1700000000000")
        #expect(actions[0].hasPrefix(#"send conn-1 {"type":"challenge","nonce":"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=","relay_pubkey":""#))
        #expect(actions[0].hasSuffix(#","timestamp":"1700000000000","proto":2}"#))
        // A second connection gets a fresh nonce.
        _ = h.open()
        #expect(h.nonces[.c2] == [UInt8](repeating: 2, count: 32))
    }

    @Test func newRegistrationWithPlainTokenBindsBeforeAuthOK() {
        var h = RelayHarness()
        let (id, _) = h.open()
        let actions = h.send(id, h.authFrame(alice, on: id))
        #expect(actions == [
            "persist \([StoreChange.bind(room: "default", name: "alice", key: alice.pub)])",
            "send conn-1 " + Expect.authOK(alice, rooms: [("default", [alice])]),
        ])
        #expect(h.core.allowList.key(boundTo: "alice", in: "default") == alice.pub)
    }

    @Test func sealedTokenIsOpenedWithTheRelayCurveKey() {
        var h = RelayHarness()
        let (id, _) = h.open()
        let actions = h.send(id, h.authFrame(alice, on: id, token: .sealed(inviteToken)))
        #expect(actions.last == "send conn-1 " + Expect.authOK(alice, rooms: [("default", [alice])]))
    }

    @Test(arguments: [TokenMode.none, .plain("wrong"), .sealed("wrong")])
    func badTokenIsRefused(_ token: TokenMode) {
        var h = RelayHarness()
        let (id, _) = h.open()
        #expect(h.send(id, h.authFrame(alice, on: id, token: token)) == [
            "send conn-1 " + Expect.authError("invalid token"), "close conn-1 4005 bad token",
        ])
        #expect(h.core.metrics.authFailures[.badToken] == 1)
    }

    @Test func aBadSealedTokenIsNotRescuedByAPlainOne() {
        var h = RelayHarness()
        let (id, _) = h.open()
        var frame = h.authFrame(alice, on: id, token: .sealed("wrong"))
        frame["token"] = .string(inviteToken)
        #expect(h.send(id, frame).last == "close conn-1 4005 bad token")
    }

    @Test func relayWithoutTokenCannotRegister() {
        var h = RelayHarness(token: nil)
        let (id, _) = h.open()
        #expect(h.send(id, h.authFrame(alice, on: id)).last == "close conn-1 4005 bad token")
    }

    @Test func boundPeerNeedsNoToken() {
        var h = RelayHarness(allowList: bound([alice]))
        let (id, _) = h.open()
        #expect(h.send(id, h.authFrame(alice, on: id, token: .none)) == [
            "send conn-1 " + Expect.authOK(alice, rooms: [("default", [alice])]),
        ])
    }

    @Test func invalidJSONBeforeAuthKeepsTheConnection() {
        var h = RelayHarness(allowList: bound([alice]))
        let (id, _) = h.open()
        #expect(h.sendText(id, "{nope") == ["send conn-1 " + Expect.error("invalid JSON")])
        #expect(h.send(id, h.authFrame(alice, on: id)).last?.contains("auth_ok") == true)
    }

    @Test(arguments: [#"{"type":"list_rooms"}"#, "null", "[1]", "42", #""auth""#, #"{"peer":"alice"}"#])
    func firstFrameNotAuthCloses4004(_ text: String) {
        var h = RelayHarness()
        let (id, _) = h.open()
        #expect(h.sendText(id, text) == ["send conn-1 " + Expect.error("auth required"), "close conn-1 4004 auth required"])
        // Nothing more happens on a closing connection.
        #expect(h.send(id, h.authFrame(alice, on: id)) == [])
        #expect(h.core.metrics.authFailures[.authRequired] == 1)
    }

    @Test(arguments: [
        JSONValue.string(""), .string(String(repeating: "x", count: 65)), .string("a\u{0}b"), .number(5), .null,
        .string("_relay"), .string("_anything"), .string(String(repeating: "😀", count: 33)),
    ])
    func badNamesClose4006(_ name: JSONValue) {
        var h = RelayHarness()
        let (id, _) = h.open()
        var frame = h.authFrame(alice, on: id)
        frame["peer"] = name
        #expect(h.send(id, frame) == ["send conn-1 " + Expect.authError("invalid peer name"), "close conn-1 4006 bad name"])
    }

    @Test func nameLengthCountsUTF16Units() {
        var h = RelayHarness()
        let emoji = TestPeer(String(repeating: "😀", count: 32), seed: 5)  // 64 UTF-16 units
        let (id, _) = h.open()
        #expect(h.send(id, h.authFrame(emoji, on: id)).last?.contains("auth_ok") == true)
    }

    @Test(arguments: [JSONValue.string(""), .number(1), .null])
    func missingKeyCloses4006(_ key: JSONValue) {
        var h = RelayHarness()
        let (id, _) = h.open()
        var frame = h.authFrame(alice, on: id)
        frame["sign_pubkey"] = key
        #expect(h.send(id, frame) == ["send conn-1 " + Expect.authError("sign_pubkey required"), "close conn-1 4006 no key"])
    }

    @Test func badRoomsClose4006() {
        var h = RelayHarness()
        for rooms: JSONValue in [["", .number(3), .null], .array((1...9).map { .string("r\($0)") })] {
            let (id, _) = h.open()
            var frame = h.authFrame(alice, on: id)
            frame["rooms"] = rooms
            #expect(h.send(id, frame) == ["send \(id) " + Expect.authError("invalid rooms"), "close \(id) 4006 bad rooms"])
        }
        // Legacy path: no usable `rooms` array, and `room` is invalid.
        let (id, _) = h.open()
        var frame = h.authFrame(alice, on: id)
        frame["rooms"] = []
        frame["room"] = ""
        #expect(h.send(id, frame).last == "close \(id) 4006 bad rooms")
    }

    @Test func roomListIsDeduplicatedAndCleanedBeforeTheSignature() {
        var h = RelayHarness()
        let (id, _) = h.open()
        var frame = h.authFrame(alice, on: id, rooms: ["a", "b"])
        frame["rooms"] = ["a", "", "b", "a", .number(7), .string(String(repeating: "x", count: 65))]
        let actions = h.send(id, frame)
        #expect(actions.last == "send conn-1 " + Expect.authOK(alice, rooms: [("a", [alice]), ("b", [alice])]))
    }

    @Test func badChallengeSignatureCloses4005() {
        var h = RelayHarness(allowList: bound([alice]))
        for sig: JSONValue in [.string(alice.challengeSig(nonce: [UInt8](repeating: 9, count: 32), rooms: ["default"])), .string("AR=="), .number(1), .bool(true)] {
            let (id, _) = h.open()
            var frame = h.authFrame(alice, on: id)
            frame["challenge_sig"] = sig
            #expect(h.send(id, frame) == ["send \(id) " + Expect.authError("bad challenge signature"), "close \(id) 4005 bad challenge sig"])
        }
        // Signed over a different room list than the relay computes.
        let (id, _) = h.open()
        #expect(h.send(id, h.authFrame(alice, on: id, signRooms: ["other"])).last == "close \(id) 4005 bad challenge sig")
    }

    @Test func challengeIsRequiredByDefault() {
        var h = RelayHarness(allowList: bound([alice]))
        let (id, _) = h.open()
        var frame = h.authFrame(alice, on: id)
        frame["challenge_sig"] = nil
        #expect(h.send(id, frame) == ["send conn-1 " + Expect.authError("challenge_sig required"), "close conn-1 4005 challenge required"])
        frame["challenge_sig"] = ""
        let (id2, _) = h.open()
        #expect(h.send(id2, frame).last == "close conn-2 4005 challenge required")
    }

    @Test func challengeIsOptionalWhenConfiguredOff() {
        var limits = RelayLimits()
        limits.requireChallenge = false
        var h = RelayHarness(limits: limits, allowList: bound([alice]))
        let (id, _) = h.open()
        var frame = h.authFrame(alice, on: id, token: .none)
        frame["challenge_sig"] = nil
        #expect(h.send(id, frame) == ["send conn-1 " + Expect.authOK(alice, rooms: [("default", [alice])])])
    }

    @Test func revokedKeyCloses4022() {
        var h = RelayHarness(allowList: AllowListSnapshot(revoked: [.init(room: "ops", key: alice.pub)]))
        let (id, _) = h.open()
        #expect(h.send(id, h.authFrame(alice, on: id, rooms: ["default", "ops"])) == [
            "send conn-1 " + Expect.authError(#"key revoked in room "ops""#), "close conn-1 4022 revoked",
        ])
    }

    @Test func nameAndKeyConflictsClose4021() {
        var h = RelayHarness(allowList: bound([bob]))
        let impostor = TestPeer("bob", seed: 7)
        let (id, _) = h.open()
        #expect(h.send(id, h.authFrame(impostor, on: id)) == [
            "send conn-1 " + Expect.authError(#"peer "bob" bound to different identity in room "default""#),
            "close conn-1 4021 identity mismatch",
        ])
        let bobAsCarol = TestPeer("carol", seed: 2)
        let (id2, _) = h.open()
        #expect(h.send(id2, h.authFrame(bobAsCarol, on: id2)) == [
            "send conn-2 " + Expect.authError(#"key already bound to another name in room "default""#),
            "close conn-2 4021 key conflict",
        ])
    }

    @Test func legacyKeyMigratesWithoutToken() {
        var h = RelayHarness(allowList: AllowListSnapshot(legacy: [.init(room: "default", key: alice.pub)]))
        let (id, _) = h.open()
        #expect(h.send(id, h.authFrame(alice, on: id, token: .none)) == [
            "persist \([StoreChange.bind(room: "default", name: "alice", key: alice.pub), .removeLegacy(room: "default", key: alice.pub)])",
            "send conn-1 " + Expect.authOK(alice, rooms: [("default", [alice])]),
        ])
        #expect(h.core.allowList.legacyKeys(in: "default").isEmpty)
    }

    @Test func sideEffectsPersistEvenWhenALaterStepFails() {
        let allow = AllowListSnapshot(
            legacy: [.init(room: "a", key: alice.pub)], revoked: [.init(room: "b", key: alice.pub)])
        var h = RelayHarness(allowList: allow)
        let (id, _) = h.open()
        #expect(h.send(id, h.authFrame(alice, on: id, rooms: ["a", "b"])) == [
            "persist \([StoreChange.bind(room: "a", name: "alice", key: alice.pub), .removeLegacy(room: "a", key: alice.pub)])",
            "send conn-1 " + Expect.authError(#"key revoked in room "b""#), "close conn-1 4022 revoked",
        ])
        // A new registration is persisted even if the room turns out to be full.
        var limits = RelayLimits()
        limits.maxPeersPerRoom = 1
        var h2 = RelayHarness(limits: limits, allowList: bound([bob]))
        h2.join(bob)
        let (id2, _) = h2.open()
        #expect(h2.send(id2, h2.authFrame(alice, on: id2)) == [
            "persist \([StoreChange.bind(room: "default", name: "alice", key: alice.pub)])",
            "send conn-2 " + Expect.authError(#"room "default" full"#), "close conn-2 4010 full",
        ])
    }

    @Test func sameIdentityEvictsTheOldConnection() {
        var h = RelayHarness(allowList: bound([alice, bob]))
        let a1 = h.join(alice)
        let b = h.join(bob)
        let (a2, _) = h.open()
        #expect(h.send(a2, h.authFrame(alice, on: a2)) == [
            "send \(a1) " + #"{"type":"evicted","from":"_relay","payload":"superseded"}"#,
            "close \(a1) 4020 superseded",
            "send \(b) " + Expect.peerLeft(alice, room: "default", remaining: [bob]),
            "send \(a2) " + Expect.authOK(alice, rooms: [("default", [bob, alice])]),
            "send \(b) " + Expect.peerJoined(alice, room: "default", members: [bob, alice]),
        ])
        // The evicted connection is ignored from now on; its `closed` changes nothing.
        #expect(h.send(a1, ["type": "hello"]) == [])
        #expect(h.close(a1) == [])
        #expect(h.core.healthSnapshot(nowMs: h.now).rooms == [RelayHealth.Room(name: "default", members: ["bob", "alice"])])
    }

    @Test func evictionFreesTheSlotBeforeTheCapacityCheck() {
        var limits = RelayLimits()
        limits.maxPeersPerRoom = 1
        var h = RelayHarness(limits: limits, allowList: bound([alice]))
        h.join(alice)
        let (id, _) = h.open()
        #expect(h.send(id, h.authFrame(alice, on: id)).last == "send conn-2 " + Expect.authOK(alice, rooms: [("default", [alice])]))
    }

    @Test func roomFullCloses4010() {
        var limits = RelayLimits()
        limits.maxPeersPerRoom = 2
        var h = RelayHarness(limits: limits, allowList: bound([alice, bob, carol], in: "ops"))
        h.join(alice, rooms: ["ops"])
        h.join(bob, rooms: ["ops"])
        let (id, _) = h.open()
        #expect(h.send(id, h.authFrame(carol, on: id, rooms: ["default", "ops"])) == [
            "persist \([StoreChange.bind(room: "default", name: "carol", key: carol.pub)])",
            "send conn-3 " + Expect.authError(#"room "ops" full"#), "close conn-3 4010 full",
        ])
    }

    @Test func authTimeoutCloses4003() {
        var h = RelayHarness(allowList: bound([alice]))
        let (pending, _) = h.open()
        let ok = h.connect(alice)
        #expect(h.advance(4999) == [])
        #expect(h.advance(1) == ["close \(pending) 4003 auth timeout"])
        #expect(h.advance(10) == [])
        #expect(h.core.metrics.authFailures[.timeout] == 1)
        #expect(h.close(pending) == [])
        #expect(h.send(ok, ["type": "list_rooms"]).count == 1)
    }

    @Test func authOKLegacyShapeWithoutRoomsOrProto() {
        var h = RelayHarness(allowList: bound([alice, bob], in: "lobby"))
        h.join(bob, rooms: ["lobby"])
        let (id, _) = h.open()
        var frame = h.authFrame(alice, on: id, rooms: ["lobby"])
        frame["rooms"] = nil
        frame["proto"] = nil
        #expect(h.send(id, frame) == [
            "send conn-2 " + #"{"type":"auth_ok","from":"_relay","payload":{"peer":"alice","room":"lobby","peers":"# + Expect.keyMap([bob, alice]) + "}}",
            "send conn-1 " + Expect.peerJoined(alice, room: "lobby", members: [bob, alice]),
        ])
        // `room` alone with proto 2 gets the v2 shape.
        let (id2, _) = h.open()
        var v2 = h.authFrame(carol, on: id2, rooms: ["lobby"], token: .plain(inviteToken))
        v2["rooms"] = nil
        #expect(h.send(id2, v2).contains("send conn-3 " + Expect.authOK(carol, rooms: [("lobby", [bob, alice, carol])])))
    }

    @Test func legacyAuthWithoutRoomUsesTheDefaultRoom() {
        var limits = RelayLimits()
        limits.defaultRoom = "main"
        var h = RelayHarness(limits: limits, allowList: bound([alice], in: "main"))
        let (id, _) = h.open()
        var frame = h.authFrame(alice, on: id, rooms: ["main"])
        frame["rooms"] = nil
        frame["room"] = .null
        frame["proto"] = nil
        let actions = h.send(id, frame)
        #expect(actions.last?.contains(#""room":"main""#) == true, "\(actions)")
    }

    @Test func multiRoomJoinAnnouncesOncePerRoom() {
        var h = RelayHarness(allowList: AllowListSnapshot(bindings: [
            .init(room: "a", name: "alice", key: alice.pub), .init(room: "b", name: "alice", key: alice.pub),
            .init(room: "a", name: "bob", key: bob.pub), .init(room: "b", name: "carol", key: carol.pub),
            .init(room: "a", name: "carol", key: carol.pub),
        ]))
        let b = h.join(bob, rooms: ["a"])
        let c = h.join(carol, rooms: ["b", "a"])
        let (id, _) = h.open()
        #expect(h.send(id, h.authFrame(alice, on: id, rooms: ["a", "b"])) == [
            "send \(id) " + Expect.authOK(alice, rooms: [("a", [bob, carol, alice]), ("b", [carol, alice])]),
            "send \(b) " + Expect.peerJoined(alice, room: "a", members: [bob, carol, alice]),
            "send \(c) " + Expect.peerJoined(alice, room: "a", members: [bob, carol, alice]),
            "send \(c) " + Expect.peerJoined(alice, room: "b", members: [carol, alice]),
        ])
        // carol leaves her rooms in her own order ("b", then "a").
        #expect(h.close(c) == [
            "send \(id) " + Expect.peerLeft(carol, room: "b", remaining: [alice]),
            "send \(b) " + Expect.peerLeft(carol, room: "a", remaining: [bob, alice]),
            "send \(id) " + Expect.peerLeft(carol, room: "a", remaining: [bob, alice]),
        ])
    }

    @Test func liveSameNameWithAnotherKeyCloses4021() {
        // alice is live with her old key; her new key rotates the binding, then meets the live holder.
        var h = RelayHarness(allowList: bound([alice]))
        h.join(alice)
        let (id, _) = h.open()
        var frame = h.authFrame(aliceNewKey, on: id, token: .none)
        frame["rotation"] = .object(alice.continuity(for: aliceNewKey, ts: 1_730_000_000_000))
        #expect(h.send(id, frame) == [
            "persist \([StoreChange.bind(room: "default", name: "alice", key: aliceNewKey.pub)])",
            "send conn-2 " + Expect.authError(#"peer "alice" bound to different identity"#),
            "close conn-2 4021 identity mismatch",
        ])
    }

    @Test func failedAuthIsLoggedWithoutSecrets() {
        var h = RelayHarness()
        let (id, _) = h.open()
        let actions = h.core.received(connection: id, text: JSONSerializer.bytes(of: .object(h.authFrame(alice, on: id, token: .plain("wrong-secret")))), nowMs: h.now)
        let events = logs(actions)
        #expect(events.map(\.message) == ["auth failed"])
        #expect(events[0].metadata["auth.failure"] == "bad_token")
        #expect(!"\(actions)".contains("wrong-secret"))
        #expect(!"\(events)".contains(inviteToken))
    }
}
