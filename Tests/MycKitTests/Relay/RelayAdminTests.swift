import Testing
@testable import MycKit

@Suite struct RelayAdminTests {
    @Test func revokingALivePeerEvictsIt() {
        var h = RelayHarness(allowList: bound([alice, bob]))
        h.join(alice)
        h.join(bob)
        let (result, actions) = h.core.revoke(room: "default", name: "alice", pubkey: nil, undo: false, nowMs: h.now)
        #expect(result == RevokeResult(revoked: true, disconnected: true))
        #expect(render(actions) == [
            "persist \([StoreChange.unbind(room: "default", name: "alice"), .revoke(room: "default", key: alice.pub)])",
            #"send conn-1 {"type":"evicted","from":"_relay","payload":"revoked"}"#,
            "close conn-1 4022 revoked",
            "send conn-2 " + Expect.peerLeft(alice, room: "default", remaining: [bob]),
        ])
        #expect(logs(actions).contains { $0.message == "key revoked" && $0.metadata["peer.name"] == "alice" })
        // She cannot come back, even with the token.
        let (id, _) = h.open()
        #expect(h.send(id, h.authFrame(alice, on: id)).last == "close \(id) 4022 revoked")
    }

    @Test func revokeByPubkeyWhileOffline() {
        var h = RelayHarness(allowList: bound([alice, bob]))
        let (result, actions) = h.core.revoke(room: "default", name: nil, pubkey: bob.pub, undo: false, nowMs: h.now)
        #expect(result == RevokeResult(revoked: true, disconnected: false))
        #expect(render(actions) == ["persist \([StoreChange.unbind(room: "default", name: "bob"), .revoke(room: "default", key: bob.pub)])"])
    }

    @Test func nameOverridesTheGivenPubkey() {
        var h = RelayHarness(allowList: bound([alice, bob]))
        let (result, actions) = h.core.revoke(room: "default", name: "alice", pubkey: bob.pub, undo: false, nowMs: h.now)
        #expect(result.revoked)
        #expect(render(actions) == ["persist \([StoreChange.unbind(room: "default", name: "alice"), .revoke(room: "default", key: alice.pub)])"])
        #expect(h.core.allowList.key(boundTo: "bob", in: "default") == bob.pub)
    }

    @Test func unknownKeysCannotBeBlockedAheadOfTime() {
        var h = RelayHarness(allowList: bound([alice]))
        let (result, actions) = h.core.revoke(room: "default", name: "nobody", pubkey: bob.pub, undo: false, nowMs: h.now)
        #expect(result == RevokeResult(revoked: false, disconnected: false))
        #expect(render(actions).isEmpty)
        #expect(h.core.revoke(room: "elsewhere", name: "alice", pubkey: nil, undo: false, nowMs: h.now).result.revoked == false)
    }

    @Test func revokeALegacyKey() {
        var h = RelayHarness(allowList: AllowListSnapshot(legacy: [.init(room: "default", key: alice.pub)]))
        let (result, actions) = h.core.revoke(room: "default", name: nil, pubkey: alice.pub, undo: false, nowMs: h.now)
        #expect(result.revoked)
        #expect(render(actions) == ["persist \([StoreChange.removeLegacy(room: "default", key: alice.pub), .revoke(room: "default", key: alice.pub)])"])
    }

    @Test func undoLiftsTheRevocationButNotTheBinding() {
        var h = RelayHarness(allowList: AllowListSnapshot(revoked: [.init(room: "default", key: alice.pub)]))
        let (result, actions) = h.core.revoke(room: "default", name: nil, pubkey: alice.pub, undo: true, nowMs: h.now)
        #expect(result == RevokeResult(revoked: true, disconnected: false))
        #expect(render(actions) == ["persist \([StoreChange.unrevoke(room: "default", key: alice.pub)])"])
        #expect(h.core.revoke(room: "default", name: nil, pubkey: alice.pub, undo: true, nowMs: h.now).result.revoked == false)
        // Registering again needs the token.
        let (id, _) = h.open()
        #expect(h.send(id, h.authFrame(alice, on: id, token: .none)).last == "close \(id) 4005 bad token")
        let (id2, _) = h.open()
        #expect(h.send(id2, h.authFrame(alice, on: id2)).last?.contains("auth_ok") == true)
    }

    @Test func reloadedAllowListEvictsNewlyRevokedLiveKeys() {
        var h = RelayHarness(allowList: AllowListSnapshot(bindings: [
            .init(room: "default", name: "alice", key: alice.pub), .init(room: "default", name: "bob", key: bob.pub),
            .init(room: "ops", name: "alice", key: alice.pub),
        ]))
        h.join(alice, rooms: ["default", "ops"])
        h.join(bob)
        let snapshot = AllowListSnapshot(
            bindings: [.init(room: "default", name: "bob", key: bob.pub)],
            revoked: [.init(room: "ops", key: alice.pub)])
        #expect(render(h.core.reloadAllowList(snapshot, nowMs: h.now)) == [
            #"send conn-1 {"type":"evicted","from":"_relay","payload":"revoked"}"#,
            "close conn-1 4022 revoked",
            "send conn-2 " + Expect.peerLeft(alice, room: "default", remaining: [bob]),
        ])
        #expect(h.core.allowList.snapshot == snapshot)
        #expect(render(h.core.reloadAllowList(snapshot, nowMs: h.now)).isEmpty)
    }

    @Test func revokeRequestParsing() {
        func parse(_ s: String) -> Result<RevokeRequest, RevokeRequest.Failure> { RevokeRequest.parse(Array(s.utf8)) }
        #expect(parse("nope") == .failure(.invalidJSON))
        #expect(parse("null") == .failure(.missingFields))
        #expect(parse(#"{"name":"alice"}"#) == .failure(.missingFields))
        #expect(parse(#"{"room":"","name":"alice"}"#) == .failure(.missingFields))
        #expect(parse(#"{"room":"r"}"#) == .failure(.missingFields))
        #expect(parse(#"{"room":"r","name":""}"#) == .failure(.missingFields))
        #expect(parse(#"{"room":"r","name":"alice"}"#) == .success(RevokeRequest(room: "r", name: "alice")))
        #expect(parse(#"{"room":"r","name":5,"pubkey":"K","undo":true}"#) == .success(RevokeRequest(room: "r", pubkey: "K", undo: true)))
        #expect(JSONSerializer.string(of: .object(RevokeRequest.Failure.missingFields.jsonObject)) == #"{"error":"need room + (name | pubkey)"}"#)
        #expect(JSONSerializer.string(of: .object(RevokeResult(revoked: true, disconnected: false).jsonObject)) == #"{"revoked":true,"disconnected":false}"#)
    }

    @Test func healthSnapshotAndBody() {
        var h = RelayHarness(allowList: bound([alice, bob]))
        h.join(alice)
        h.join(bob)
        _ = h.open()
        _ = h.sendText(.c1, #"{"type":"x","msg_id":"m"}"#)
        h.now += 12_345
        let health = h.core.healthSnapshot(nowMs: h.now)
        #expect(health.uptimeSeconds == 12)
        #expect(health.totalConnections == 3)
        #expect(JSONSerializer.string(of: .object(health.jsonObject(rssMB: 80, heapMB: 12))) ==
            #"{"uptime_s":12,"total_connections":3,"memory":{"rss_mb":80,"heap_mb":12},"metrics":{"msg_relayed":1,"msg_rate_limited":0,"msg_queued":0,"msg_drained":0},"rooms":{"default":["alice","bob"]},"offline_queues":0,"proto":2}"#)
        #expect(health.metrics.connectionsOpened == 3 && health.metrics.connectionsAuthenticated == 2)
        #expect(health.metrics.framesDelivered == 1)
    }

    @Test func allowListObjectForTheAdminEndpoint() {
        let h = RelayHarness(allowList: AllowListSnapshot(
            bindings: [.init(room: "default", name: "alice", key: "A")],
            legacy: [.init(room: "old", key: "L")], revoked: [.init(room: "default", key: "R")]))
        #expect(JSONSerializer.prettyString(of: .object(h.core.allowListObject)) == """
            {
              "version": 2,
              "bindings": {
                "default": {
                  "alice": "A"
                }
              },
              "legacy": {
                "old": [
                  "L"
                ]
              },
              "revoked": {
                "default": [
                  "R"
                ]
              }
            }
            """)
    }

    @Test func singleEntryPointDispatches() {
        var core = RelayHarness(allowList: bound([alice])).core
        #expect(core.handle(.opened(.c1, clientIP: "x"), nowMs: 1_700_000_000_000).count == 1)
        #expect(core.handle(.binary(.c1), nowMs: 1_700_000_000_000).count == 1)
        #expect(core.handle(.tick, nowMs: 1_700_000_000_000).isEmpty)
        #expect(core.handle(.closed(.c1), nowMs: 1_700_000_000_000).isEmpty)
        #expect(core.isIdle)
        #expect(core.handle(.shutdown, nowMs: 1_700_000_000_000).count == 1)  // just the log line
    }
}
