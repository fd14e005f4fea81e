import Testing
@testable import MycKit

@Suite("PeerEngine commands")
struct PeerEngineCommandTests {
    @Test func broadcastReachesEachIdentityOnceAcrossRooms() throws {
        let net = EngineNet()
        let alice = net.add(PE.config("alice", PE.alice, rooms: ["default", "ops"]))
        let bob = net.add(PE.config("bob", PE.bob, rooms: ["default", "ops"]))
        let carol = net.add(PE.config("carol", PE.carol, rooms: ["ops"]))
        net.start(alice, bob, carol)
        net.settle()
        guard case let .broadcast(outcome)? = net.command(alice, .broadcast(BroadcastRequest(text: "all hands"))) else {
            Issue.record("no reply")
            return
        }
        #expect(outcome.failure == nil)
        #expect(outcome.results.count == 2)
        #expect(outcome.results.allSatisfy { if case .sentLive = $0 { true } else { false } })
        net.settle()
        #expect(bob.texts == ["all hands"])
        #expect(carol.texts == ["all hands"])
        #expect(carol.messages.first?.meta["room"] == "ops")

        guard case let .broadcast(scoped)? = net.command(alice, .broadcast(BroadcastRequest(text: "ops only", room: "ops"))) else { return }
        #expect(scoped.results.count == 2)
        #expect(net.command(alice, .broadcast(BroadcastRequest(text: "x", room: "nope")))
                == .broadcast(BroadcastOutcome(results: [], failure: .notAMember(room: "nope", joined: ["default", "ops"]))))
        #expect(net.command(alice, .broadcast(BroadcastRequest(text: "x", type: "bad type\u{1}")))
                == .broadcast(BroadcastOutcome(results: [], failure: .invalidType(reason: SendTypeFilter.Rejection.invalidCharacter.description))))
    }

    @Test func broadcastIncludeOfflineUsesPins() throws {
        let (net, alice, bob) = EngineNet.pair()
        net.relayClose(bob, code: 4000, reason: "x")
        net.reachable = []
        guard case let .broadcast(live)? = net.command(alice, .broadcast(BroadcastRequest(text: "hi"))) else { return }
        #expect(live.results.isEmpty)
        guard case let .broadcast(all)? = net.command(alice, .broadcast(BroadcastRequest(text: "hi", includeOffline: true))) else { return }
        #expect(all.results.count == 1)
        if case .sentOffline(target: "bob", room: "default", _, chunks: 1)? = all.results.first {} else {
            Issue.record("expected an offline envelope, got \(all.results)")
        }
    }

    @Test func roomsAnswersConcurrentCallsAndTimesOut() throws {
        let (net, alice, _) = EngineNet.pair()
        net.tamper = { _, frame in frame["type"] == "rooms" ? nil : frame }
        let first = PeerCommandID(100), second = PeerCommandID(101)
        net.send(alice, .command(first, .rooms))
        net.advance(by: 2_000)
        net.send(alice, .command(second, .rooms))
        #expect(alice.replies[first] == nil)
        net.advance(by: 3_000)
        #expect(alice.replies[first] == .rooms(.noReply))
        #expect(alice.replies[second] == nil)
        net.advance(by: 2_000)
        #expect(alice.replies[second] == .rooms(.noReply))

        net.tamper = { _, frame in
            // Hold the first reply back so two calls wait at once.
            frame["type"] == "rooms" && frame["payload"]?.objectValue?["held"] == nil ? nil : frame
        }
        let a = PeerCommandID(200), b = PeerCommandID(201)
        net.send(alice, .command(a, .rooms))
        net.send(alice, .command(b, .rooms))
        net.tamper = nil
        net.inject(alice, RelayFrames.rooms(discovery: true, rooms: [
            .init(name: "default", peerCount: 2, members: ["alice", "bob"]), .init(name: "lobby", peerCount: 1, members: nil),
        ]))
        let expected = PeerReply.rooms(.listed(rooms: [
            .init(name: "default", peers: 2, members: ["alice", "bob"], joined: true),
            .init(name: "lobby", peers: 1, members: nil, joined: false),
        ], discovery: true))
        #expect(alice.replies[a] == expected)
        #expect(alice.replies[b] == expected)
        #expect(alice.timers[.roomsReply(a)] == nil && alice.timers[.roomsReply(b)] == nil)
    }

    @Test func peersSnapshot() throws {
        let (net, alice, bob) = EngineNet.pair()
        guard case let .peers(snapshot)? = net.command(alice, .peers) else { return }
        #expect(snapshot == PeersSnapshot(rooms: [.init(name: "default", live: [.init(name: "bob", trust: .new, stsVerified: true, blocked: false)], offlineKnown: [])],
                                          blocked: [], inboxPending: 0, disconnectedAttempt: nil))
        net.relayClose(bob, code: 4000, reason: "x")
        guard case let .peers(later)? = net.command(alice, .peers) else { return }
        #expect(later.rooms.first?.live == [])
        #expect(later.rooms.first?.offlineKnown == ["bob"])
        #expect(net.command(alice, .verify(peer: "bob", room: nil)) == .verify(.pinned(peer: "bob", pins: [
            .init(room: "default", fingerprint: PE.bob.publicKey.fingerprint.text, status: .offline, stsVerified: false),
        ], ownFingerprint: PE.alice.publicKey.fingerprint.text)))
    }

    @Test func permissionRequestAndVerdict() throws {
        let net = EngineNet()
        let alice = net.add(PE.config("alice", PE.alice))
        let bob = net.add(PE.config("bob", PE.bob))
        let carol = net.add(PE.config("carol", PE.carol))
        net.start(alice, bob, carol)
        net.settle()
        let request = PermissionRequest(requestID: "req-7", toolName: "Bash", description: "rm -rf build", inputPreview: "rm -rf build/")
        #expect(net.command(alice, .permissionRequest(request)) == .permissionRequested(recipients: 2))
        net.settle()
        let shown = bob.notifications.filter { $0.type == "permission_request" }
        #expect(shown.map(\.meta) == [["type": "permission_request", "from_peer": "alice", "room": "default", "request_id": "req-7"]])
        #expect(shown.first?.kind == .message)
        #expect(shown.first?.content.hasPrefix("⚠️ alice needs approval: Bash: rm -rf build") == true)
        #expect(alice.engine.outboxCount == 0, "the _perm_req was acked")

        let verdict = PermissionVerdict(requestID: "req-7", behavior: "allow").plaintext
        _ = net.sendText(bob, to: "alice", verdict, type: "_perm_verdict")
        _ = net.sendText(carol, to: "alice", PermissionVerdict(requestID: "req-7", behavior: "deny").plaintext, type: "_perm_verdict")
        net.settle()
        let verdicts = alice.notifications.compactMap(\.permissionVerdict)
        #expect(verdicts == [PermissionVerdict(requestID: "req-7", behavior: "allow")], "first verdict wins; later ones are ignored")
        #expect(alice.messages.isEmpty)
    }
}
