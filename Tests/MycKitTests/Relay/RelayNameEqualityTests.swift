import Testing
@testable import MycKit

/// Names, rooms and keys are compared by their exact code units, as JavaScript (the
/// reference relay) compares them — never by Swift's Unicode canonical equivalence, under
/// which `"\u{212A}" == "K"` (Kelvin sign, Latin K) and `"é" == "e\u{301}"`.
///
/// Careful: `String ==` is canonical, so every assertion here compares UTF-8 bytes
/// (`exact(...)`); a plain `#expect(a == b)` would pass for the very collisions under test.
@Suite struct RelayNameEqualityTests {
    /// Latin capital K (U+004B) and the Kelvin sign (U+212A): canonically equivalent, distinct on the wire.
    static let latinK = TestPeer("K", seed: 61)
    static let kelvin = TestPeer("\u{212A}", seed: 62)
    /// Precomposed U+00E9 and `e` + combining acute U+0301.
    static let composed = "\u{E9}"
    static let decomposed = "e\u{301}"

    /// Guards the premise: if Swift ever stops treating these as equal, these tests prove nothing.
    @Test func swiftStringEqualityIsCanonical() {
        #expect(Self.latinK.name == Self.kelvin.name)
        #expect(Self.composed == Self.decomposed)
        #expect(exact(Self.latinK.name) != exact(Self.kelvin.name))
        #expect(exact(Self.composed) != exact(Self.decomposed))
    }

    @Test func exactStringComparesAndHashesBytes() {
        let pairs = [
            ("K", "\u{212A}"), (Self.composed, Self.decomposed),
            // Same UTF-8 length, canonically equal (combining marks reordered), different bytes.
            ("a\u{301}\u{316}", "a\u{316}\u{301}"),
        ]
        for (a, b) in pairs {
            #expect(a == b)
            #expect(ExactString(a) != ExactString(b))
            #expect(!a.isExactly(b))
            #expect(Set([ExactString(a), ExactString(b)]).count == 2)
            #expect(ExactString(a) == ExactString(String(a.unicodeScalars)))
            #expect(ExactString(a).hashValue == ExactString(String(a.unicodeScalars)).hashValue)
        }
        #expect(ExactString("peer-19") == ExactString("peer-" + "19"))
        #expect(ExactString("peer-19") != ExactString("peer-18"))
        // Composite keys do not run into each other.
        #expect(OfflineQueue.Key(room: ExactString("ab"), target: ExactString("c"))
            != OfflineQueue.Key(room: ExactString("a"), target: ExactString("bc")))
    }

    // MARK: Registration, liveness, routing

    @Test func bothNamesRegisterWithTheTokenAndStayLive() {
        var h = RelayHarness()
        let k = h.connect(Self.latinK)
        _ = h.advance(50)
        let (id, _) = h.open()
        let actions = h.send(id, h.authFrame(Self.kelvin, on: id))
        // The Kelvin sign is a new name: bound with the token, not a conflict with "K".
        #expect(actions.contains { $0.hasPrefix("send \(id) {\"type\":\"auth_ok\"") }, "\(actions)")
        #expect(!actions.contains { $0.hasPrefix("close ") }, "\(actions)")
        #expect(!actions.contains { $0.contains("\"evicted\"") || $0.contains("auth_error") }, "\(actions)")
        #expect(exact(actions.first ?? "") == exact(
            "persist \([StoreChange.bind(room: "default", name: Self.kelvin.name, key: Self.kelvin.pub)])"))
        // Both connections are live members of the same room.
        let health = h.core.healthSnapshot(nowMs: h.now)
        #expect(health.rooms.count == 1)
        #expect(exact(health.rooms.first?.members ?? []) == exact([Self.latinK.name, Self.kelvin.name]))
        #expect(k == .c1 && id == .c2)
        #expect(h.core.metrics.connectionsAuthenticated == 2)
        // `/health` and `/admin/allowlist` list both names (JSON object keys are byte-exact too).
        let rooms = health.jsonObject(rssMB: 0, heapMB: 0)["rooms"]?.objectValue
        #expect(exact(rooms?["default"]?.arrayValue?.compactMap(\.stringValue) ?? []) == exact(["K", "\u{212A}"]))
        #expect(exact(h.core.allowListObject["bindings"]?.objectValue?["default"]?.objectValue?.keys ?? []) == exact(["K", "\u{212A}"]))
    }

    @Test func unicastReachesOnlyTheExactName() {
        var h = twoKs()
        // From "K" to the Kelvin sign: conn-2 only.
        let toKelvin = h.sendText(.c1, #"{"type":"x","target":"\#(Self.kelvin.name)","msg_id":"m1"}"#)
        #expect(exact(toKelvin) == exact([
            #"forward conn-2 {"type":"x","target":"\#(Self.kelvin.name)","msg_id":"m1","from":"K"}"#,
        ]))
        // And back: the Kelvin sign to "K" reaches conn-1 only, stamped with its own name.
        let toLatin = h.sendText(.c2, #"{"type":"x","target":"K","msg_id":"m2"}"#)
        #expect(exact(toLatin) == exact([
            #"forward conn-1 {"type":"x","target":"K","msg_id":"m2","from":"\#(Self.kelvin.name)"}"#,
        ]))
        // The delivery carries the exact target name (for a backpressure error).
        guard case .forward(let delivery)? = h.sendRaw(.c1, #"{"type":"x","target":"\#(Self.kelvin.name)","msg_id":"m3"}"#).first else {
            Issue.record("expected a forward")
            return
        }
        #expect(delivery.target == .c2 && exact(delivery.targetName) == exact(Self.kelvin.name))
    }

    @Test func reconnectingSupersedesOnlyTheSameExactName() {
        var h = twoKs()
        // The Kelvin sign reconnects with its own key: its old connection (conn-2) is
        // superseded; "K" on conn-1 is untouched.
        let (id, _) = h.open()
        let actions = h.send(id, h.authFrame(Self.kelvin, on: id))
        #expect(actions.contains { $0.hasPrefix("send \(id) {\"type\":\"auth_ok\"") }, "\(actions)")
        #expect(actions.contains("close conn-2 4020 superseded"), "\(actions)")
        #expect(!actions.contains { $0.hasPrefix("close conn-1") || $0.hasPrefix("send conn-1 {\"type\":\"evicted\"") }, "\(actions)")
        _ = h.advance(50)
        #expect(exact(h.core.healthSnapshot(nowMs: h.now).rooms.first?.members ?? []) == exact([Self.latinK.name, Self.kelvin.name]))
        // "K" still routes to conn-1, the Kelvin sign to the new connection.
        #expect(h.sendText(id, #"{"type":"x","target":"K","msg_id":"a"}"#).first?.hasPrefix("forward conn-1 ") == true)
        #expect(h.sendText(.c1, #"{"type":"x","target":"\#(Self.kelvin.name)","msg_id":"b"}"#).first?.hasPrefix("forward \(id) ") == true)
    }

    @Test func aLiveNameWithAnotherKeyDoesNotBlockTheLookalike() {
        // Both bound ahead of time (no token needed); "K" is live when the Kelvin sign comes
        // in with a different key: no `bound to different identity` (step 9), no conflict (step 7).
        var h = RelayHarness(token: nil, allowList: bound([Self.latinK, Self.kelvin]))
        h.join(Self.latinK)
        let (id, _) = h.open()
        let actions = h.send(id, h.authFrame(Self.kelvin, on: id, token: .none))
        #expect(actions.contains { $0.hasPrefix("send \(id) {\"type\":\"auth_ok\"") }, "\(actions)")
        #expect(!actions.contains { $0.hasPrefix("close ") }, "\(actions)")
    }

    @Test func closingOneLeavesTheOtherInTheRoom() {
        var h = twoKs()
        let left = h.close(.c2)
        #expect(exact(left) == exact(["send conn-1 " + Expect.peerLeft(Self.kelvin, room: "default", remaining: [Self.latinK])]))
        #expect(exact(h.core.healthSnapshot(nowMs: h.now).rooms.first?.members ?? []) == exact([Self.latinK.name]))
        #expect(h.sendText(.c1, #"{"type":"x","target":"K","msg_id":"m"}"#).first?.hasPrefix("forward conn-1 ") == true)
    }

    // MARK: Rooms

    @Test func composedAndDecomposedRoomsAreTwoRooms() {
        var h = RelayHarness(allowList: AllowListSnapshot(bindings: [
            .init(room: Self.composed, name: "alice", key: alice.pub),
            .init(room: Self.decomposed, name: "bob", key: bob.pub),
        ]))
        h.join(alice, rooms: [Self.composed])
        h.join(bob, rooms: [Self.decomposed])
        let reply = h.sendText(.c1, #"{"type":"list_rooms"}"#)
        #expect(exact(reply) == exact([
            #"send conn-1 {"type":"rooms","from":"_relay","payload":{"discovery":true,"rooms":[{"name":"\#(Self.composed)","peers":1,"members":["alice"]},{"name":"\#(Self.decomposed)","peers":1}]}}"#,
        ]))
        // alice is not a member of the decomposed room: she cannot route there...
        #expect(exact(h.sendText(.c1, #"{"type":"x","room":"\#(Self.decomposed)","msg_id":"m"}"#)) ==
            exact(["send conn-1 " + Expect.error(#"not a member of room "\#(Self.decomposed)""#, msgID: "m")]))
        // ...and a broadcast in her own room reaches nobody (bob is elsewhere).
        #expect(h.sendText(.c1, #"{"type":"x","msg_id":"n"}"#) == [])
        #expect(h.core.healthSnapshot(nowMs: h.now).rooms.count == 2)
    }

    @Test func aRoomIsJoinedOnlyByItsExactName() {
        // Registration in the decomposed room needs its own binding (token), and the
        // composed room's binding of bob does not leak into it.
        var h = RelayHarness(allowList: AllowListSnapshot(bindings: [.init(room: Self.composed, name: "bob", key: bob.pub)]))
        let (id, _) = h.open()
        let actions = h.send(id, h.authFrame(bob, on: id, rooms: [Self.decomposed], token: .none))
        #expect(actions.last == "close \(id) 4005 bad token", "\(actions)")
    }

    @Test func roomDedupeKeepsLookalikesApart() {
        var h = RelayHarness()
        let rooms = ["K", "\u{212A}", "K", "\u{212A}"]
        let distinct = ["K", "\u{212A}"]
        let (id, _) = h.open()
        // The peer signs the de-duplicated list it sends (§3.2 step 3): "K,\u{212A}".
        let actions = h.send(id, h.authFrame(alice, on: id, rooms: rooms, signRooms: distinct))
        #expect(actions.contains { $0.hasPrefix("send \(id) {\"type\":\"auth_ok\"") }, "\(actions)")
        #expect(actions.contains { exact($0).starts(with: exact(#"send \#(id) {"type":"auth_ok","from":"_relay","proto":2,"payload":{"peer":"alice","rooms":["K","\#u{212A}"]"#)) }, "\(actions)")
        #expect(exact(actions.first ?? "") == exact("persist \(distinct.flatMap { StoreChange.bind(room: $0, name: "alice", key: alice.pub).asList })"))
        let health = h.core.healthSnapshot(nowMs: h.now)
        #expect(exact(health.rooms.map(\.name)) == exact(distinct))
        // Each is routable on its own.
        _ = h.advance(50)
        #expect(h.sendText(id, #"{"type":"x","room":"\#u{212A}","msg_id":"m"}"#) == [])
        #expect(h.core.metrics.framesDropped[.notMember] == nil)
    }

    /// `auth_ok.payload.peers` is a JSON object keyed by room name: the lookalike rooms are
    /// two keys there too (this needs `JSONObject` to compare keys byte-exactly).
    @Test func authOKPeersMapKeepsLookalikeRooms() {
        var h = RelayHarness()
        let distinct = ["K", "\u{212A}"]
        let (id, _) = h.open()
        let actions = h.send(id, h.authFrame(alice, on: id, rooms: distinct))
        let authOK = actions.first { $0.hasPrefix("send \(id) {\"type\":\"auth_ok\"") } ?? ""
        #expect(!authOK.isEmpty, "\(actions)")
        #expect(exact(authOK) == exact("send \(id) " + Expect.authOK(alice, rooms: [("K", [alice]), ("\u{212A}", [alice])])))
    }

    // MARK: Allow-list

    @Test func bindingsCoexistAndRevokingOneLeavesTheOther() {
        var h = twoKs()
        #expect(h.core.allowList.key(boundTo: "K", in: "default") == Self.latinK.pub)
        #expect(h.core.allowList.key(boundTo: "\u{212A}", in: "default") == Self.kelvin.pub)
        #expect(h.core.allowList.snapshot.bindings.count == 2)

        let (result, actions) = h.core.revoke(room: "default", name: "\u{212A}", pubkey: nil, undo: false, nowMs: h.now)
        #expect(result == RevokeResult(revoked: true, disconnected: true))
        #expect(exact(render(actions)) == exact([
            "persist \([StoreChange.unbind(room: "default", name: "\u{212A}"), .revoke(room: "default", key: Self.kelvin.pub)])",
            #"send conn-2 {"type":"evicted","from":"_relay","payload":"revoked"}"#,
            "close conn-2 4022 revoked",
            "send conn-1 " + Expect.peerLeft(Self.kelvin, room: "default", remaining: [Self.latinK]),
        ]))
        // "K" keeps its binding and its connection.
        #expect(h.core.allowList.key(boundTo: "K", in: "default") == Self.latinK.pub)
        #expect(h.core.allowList.key(boundTo: "\u{212A}", in: "default") == nil)
        #expect(exact(h.core.allowList.snapshot.bindings.map(\.name)) == exact(["K"]))
        #expect(h.sendText(.c1, #"{"type":"x","target":"K","msg_id":"m"}"#).first?.hasPrefix("forward conn-1 ") == true)
    }

    @Test func allowListValueKeepsLookalikeNamesAndRooms() throws {
        var list = AllowList()
        _ = list.bind(room: "r", name: "K", key: "A")
        _ = list.bind(room: "r", name: "\u{212A}", key: "B")
        _ = list.bind(room: Self.composed, name: "n", key: "C")
        _ = list.bind(room: Self.decomposed, name: "n", key: "D")
        #expect(list.snapshot.bindings.count == 4)
        #expect(exact(list.boundRooms) == exact(["r", Self.composed, Self.decomposed]))
        #expect(exact(list.jsonObject["bindings"]?.objectValue?.keys ?? []) == exact(["r", Self.composed, Self.decomposed]))
        #expect(exact(list.jsonObject["bindings"]?.objectValue?["r"]?.objectValue?.keys ?? []) == exact(["K", "\u{212A}"]))
        #expect(list.key(boundTo: "K", in: "r") == "A")
        #expect(list.key(boundTo: "\u{212A}", in: "r") == "B")
        #expect(list.key(boundTo: "n", in: Self.composed) == "C")
        #expect(list.key(boundTo: "n", in: Self.decomposed) == "D")
        // Each name holds its own key: no name or key conflict between the lookalikes.
        #expect(list.status(room: "r", name: "K", key: "A").status == .bound)
        #expect(list.status(room: "r", name: "\u{212A}", key: "B").status == .bound)
        // A snapshot round trip keeps all four.
        #expect(AllowList(snapshot: list.snapshot).snapshot.bindings.count == 4)
        // Revoking one leaves the other.
        let outcome = list.revoke(room: "r", name: "K", pubkey: nil)
        #expect(outcome.revoked && outcome.key == "A" && exact(outcome.revokedName ?? "") == exact("K"))
        #expect(list.key(boundTo: "\u{212A}", in: "r") == "B")
        #expect(list.key(boundTo: "K", in: "r") == nil)
        #expect(list.isRevoked("A", in: "r") && !list.isRevoked("A", in: "s"))
        // Revocations are per exact room.
        _ = list.revoke(room: Self.composed, name: "n", pubkey: nil)
        #expect(list.isRevoked("C", in: Self.composed) && !list.isRevoked("C", in: Self.decomposed))
        #expect(list.key(boundTo: "n", in: Self.decomposed) == "D")
    }

    @Test func keysAreComparedExactly() {
        // Keys are opaque strings to the allow-list; lookalike keys are different keys.
        var list = AllowList()
        _ = list.bind(room: "r", name: "a", key: "K")
        #expect(list.status(room: "r", name: "b", key: "\u{212A}").status == .unknown)
        #expect(list.status(room: "r", name: "a", key: "\u{212A}").status == .nameConflict)
        _ = list.revoke(room: "r", name: "a", pubkey: nil)
        #expect(list.isRevoked("K", in: "r") && !list.isRevoked("\u{212A}", in: "r"))
        #expect(!list.undoRevocation(room: "r", pubkey: "\u{212A}").revoked)
        #expect(list.undoRevocation(room: "r", pubkey: "K").revoked)
    }

    // MARK: Offline queue

    @Test func offlineQueuesAreSeparate() {
        var h = RelayHarness(allowList: bound([alice, Self.latinK, Self.kelvin]))
        h.join(alice)
        let queued1 = h.sendText(.c1, #"{"type":"x","target":"K","msg_id":"for-latin"}"#)
        let queued2 = h.sendText(.c1, #"{"type":"x","target":"\#u{212A}","msg_id":"for-kelvin"}"#)
        #expect(queued1.last?.contains(#""type":"queued""#) == true, "\(queued1)")
        #expect(queued2.last?.contains(#""type":"queued""#) == true, "\(queued2)")
        #expect(h.core.queuedFrames(room: "default", target: "K").map(\.id) == [1])
        #expect(h.core.queuedFrames(room: "default", target: "\u{212A}").map(\.id) == [2])
        #expect(h.core.metrics.queueCount == 2)
        #expect(h.core.healthSnapshot(nowMs: h.now).offlineQueues == 2)

        // "K" comes online: it drains its own frame only.
        let k = h.connect(Self.latinK)
        let drained = h.advance(50)
        #expect(drained.count == 2 && drained[0].hasPrefix("send \(k) ") && drained[0].contains("for-latin"), "\(drained)")
        #expect(drained.last == "persist \([StoreChange.dequeue(ids: [1])])")
        #expect(h.core.queuedFrames(room: "default", target: "\u{212A}").map(\.id) == [2])
        #expect(h.core.queuedFrames(room: "default", target: "K").isEmpty)
    }

    @Test func offlineQueueValueKeysAndSendersExactly() {
        var limits = RelayLimits()
        limits.queueMaxMessages = 10
        var q = OfflineQueue(limits: limits, frames: [
            QueuedFrame(id: 7, room: Self.composed, target: "K", sender: "s", data: "x", size: 1, expiresAtMs: 100),
            QueuedFrame(id: 8, room: Self.decomposed, target: "K", sender: "s", data: "y", size: 1, expiresAtMs: 100),
        ])
        #expect(q.queueCount == 2)
        #expect(q.frames(room: Self.composed, target: "K").map(\.id) == [7])
        #expect(q.frames(room: Self.decomposed, target: "K").map(\.id) == [8])
        _ = q.enqueue(room: "r", target: "\u{212A}", sender: "a", data: "z", activePeers: 10, nowMs: 0)
        #expect(q.frames(room: "r", target: "K").isEmpty)
        #expect(q.queueCount == 3)
        // Fair share (3 with 10 active peers) is counted per exact sender name.
        for _ in 0..<3 { _ = q.enqueue(room: "r", target: "t", sender: "K", data: "1", activePeers: 10, nowMs: 0) }
        #expect(q.enqueue(room: "r", target: "t", sender: "K", data: "1", activePeers: 10, nowMs: 0) == .failure(.fairShare))
        #expect((try? q.enqueue(room: "r", target: "t", sender: "\u{212A}", data: "1", activePeers: 10, nowMs: 0).get()) != nil)
        let (deliver, removed) = q.drain(room: Self.decomposed, target: "K", nowMs: 0)
        #expect(deliver.map(\.id) == [8] && removed == [8])
        #expect(q.frames(room: Self.composed, target: "K").map(\.id) == [7])
    }

    // MARK: Helpers

    /// "K" on conn-1 and the Kelvin sign on conn-2, both registered with the token in "default".
    private func twoKs() -> RelayHarness {
        var h = RelayHarness()
        h.join(Self.latinK)
        h.join(Self.kelvin)
        return h
    }
}

/// UTF-8 bytes, for comparisons that must not fold canonically equivalent strings.
private func exact(_ s: String) -> [UInt8] { Array(s.utf8) }
private func exact(_ s: [String]) -> [[UInt8]] { s.map(exact) }

private extension StoreChange {
    var asList: [StoreChange] { [self] }
}
