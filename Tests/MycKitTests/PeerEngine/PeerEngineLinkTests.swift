import Testing
@testable import MycKit

@Suite("PeerEngine relay link")
struct PeerEngineLinkTests {
    @Test func watchdogHoldsWhilePongsArriveAndFiresOnSilence() {
        let net = EngineNet()
        net.keepAlive = false
        let alice = net.add(PE.config("alice", PE.alice))
        net.start(alice)
        // Only socket activity (pongs), no messages, for two minutes.
        for _ in 0..<12 {
            net.advance(by: 10_000)
            net.send(alice, .linkActivity)
        }
        #expect(alice.closes.isEmpty)
        #expect(alice.engine.isAuthenticated)
        net.advance(by: 45_000)
        #expect(alice.closes.isEmpty, "45 s of silence is not yet more than 45 s")
        net.advance(by: 10_000)
        #expect(alice.closes.map(\.code) == [4100])
        #expect(alice.closes.first?.reason == "heartbeat")
        #expect(alice.lines.contains("Disconnected (4100 heartbeat)"))
        #expect(alice.connects.count == 2, "and it reconnects")
    }

    @Test func anyMessageAlsoFeedsTheWatchdog() {
        let (net, alice, bob) = EngineNet.pair()
        net.keepAlive = false
        for i in 0..<8 {
            net.advance(by: 20_000)
            _ = net.sendText(bob, to: "alice", "ping \(i)")
            _ = net.sendText(alice, to: "bob", "pong \(i)")
        }
        #expect(alice.closes.isEmpty && bob.closes.isEmpty)
    }

    @Test func backoffIsJitteredExponentialAndCapped() {
        let net = EngineNet()
        net.reachable = []
        let alice = net.add(PE.config("alice", PE.alice))
        net.start(alice)
        net.advance(by: 30 * 60_000)
        let delays = alice.armed.filter { $0.id == .reconnect }.map { $0.at - $0.now }
        #expect(delays.count > 20)
        for (attempt, delay) in delays.enumerated() {
            let cap = min(60_000, 1_000 << Int64(min(attempt, 20)))
            #expect(delay >= 0 && delay < cap, "attempt \(attempt): \(delay) ms not in [0, \(cap))")
        }
        #expect(delays.suffix(10).contains { $0 > 30_000 }, "late attempts use the 60 s cap")
        // Round robin over the list.
        #expect(Array(alice.connects.prefix(4)) == [PE.urls[0], PE.urls[1], PE.urls[0], PE.urls[1]])
        guard case let .peers(snapshot)? = net.command(alice, .peers) else { return }
        #expect(snapshot.disconnectedAttempt == delays.count)
        #expect(net.command(alice, .rooms) == .rooms(.disconnected(attempt: delays.count)))
    }

    @Test func maximalJitterStaysBelowTheCap() {
        // A random source that always returns 0xFF…: the largest possible fraction.
        struct Max: PeerRandomSource { func bytes(_ count: Int) -> [UInt8] { [UInt8](repeating: 0xFF, count: count) } }
        var engine = PeerEngine(config: PE.config("alice", PE.alice), snapshot: PeerStateSnapshot(), random: Max())
        _ = engine.handle(.start, nowMs: 0)
        let actions = engine.handle(.linkClosed(code: nil, reason: "refused"), nowMs: 0)
        #expect(actions.contains(.armTimer(.reconnect, atMs: 999)))
    }

    @Test func failoverToTheNextRelayAndAttemptResetOnAuth() {
        let net = EngineNet()
        net.reachable = [PE.urls[1]]
        let alice = net.add(PE.config("alice", PE.alice))
        net.start(alice)
        net.advance(by: 1_000)
        #expect(alice.connects == [PE.urls[0], PE.urls[1]])
        #expect(alice.engine.isAuthenticated)
        // After a good session the first reconnect is fast (< 1 s) and moves on in the list.
        net.reachable = Set(PE.urls)
        net.relayClose(alice, code: 1001, reason: "shutdown")
        let delay = alice.armed.last { $0.id == .reconnect }.map { $0.at - $0.now }
        #expect(delay.map { $0 < 1_000 } == true)
        net.advance(by: 1_000)
        #expect(alice.connects.last == PE.urls[0])
        #expect(alice.engine.isAuthenticated)
    }

    @Test func relayShutdownResetsTheAttemptCounter() {
        let (net, alice, _) = EngineNet.pair()
        net.inject(alice, RelayFrames.relayShutdown())
        #expect(alice.lines.contains("Relay shutting down; reconnecting"))
        net.relayClose(alice, code: 1001, reason: "shutdown")
        let delay = alice.armed.last { $0.id == .reconnect }.map { $0.at - $0.now }
        #expect(delay.map { $0 < 1_000 } == true)
    }

    @Test func shutdownClosesWith1000AndStopsEverything() {
        let (net, alice, _) = EngineNet.pair()
        _ = net.command(alice, .rooms)
        net.delivering = false
        _ = net.sendText(alice, to: "bob", "pending")
        net.send(alice, .shutdown)
        #expect(alice.closes.last?.code == 1000)
        #expect(alice.timers.isEmpty)
        net.advance(by: 600_000)
        #expect(alice.connects.count == 1)
    }

    @Test func peerLeftAndJoinedEvents() {
        let (net, alice, bob) = EngineNet.pair()
        net.relayClose(bob, code: 4000, reason: "pong timeout")
        #expect(alice.events("peer_left").map(\.meta) == [["type": "peer_left", "peer": "bob", "room": "default"]])
        #expect(net.sendText(alice, to: "bob", "offline now").map { if case .sentOffline = $0 { true } else { false } } == true)
        net.advance(by: 2_000)
        let joined = alice.events("peer_joined")
        #expect(joined.count == 2)
        #expect(joined.first?.content == "➕ bob 🆕 joined default (live: bob)")
        #expect(joined.last?.meta == ["type": "peer_joined", "peer": "bob", "room": "default"])
        #expect(joined.last?.content == "➕ bob 🔒 joined default (live: bob)")
        #expect(bob.texts == ["offline now"])
    }

    @Test func linkStatusTellsTheFaceOncePerChange() {
        let net = EngineNet()
        net.keepAlive = false
        let fp = PE.relayKey.publicKey.fingerprint.text
        let pinned = net.add(PE.config("alice", PE.alice, pins: [fp]))
        let unpinned = net.add(PE.config("bob", PE.bob))
        net.start(pinned, unpinned)
        #expect(pinned.linkStatuses == [.connected(url: PE.urls[0], relayFingerprint: fp, pinned: true)])
        // Unpinned: the proven fingerprint is shown so the user can pin it, marked unpinned.
        #expect(unpinned.linkStatuses == [.connected(url: PE.urls[0], relayFingerprint: fp, pinned: false)])
        // Lost once: the failed attempts while backing off are not news.
        net.reachable = []
        net.relayClose(pinned, code: 1006, reason: "")
        net.advance(by: 10_000)
        #expect(pinned.connects.count > 2)
        #expect(pinned.linkStatuses.count == 2)
        guard case let .disconnected(reason, attempt)? = pinned.linkStatuses.last else {
            Issue.record("expected a disconnected status")
            return
        }
        #expect(reason == "1006" && attempt == 1)
        net.reachable = Set(PE.urls)
        net.advance(by: 120_000)
        #expect(pinned.linkStatuses.count == 3)
        if case .connected(_, fp, true)? = pinned.linkStatuses.last {} else { Issue.record("reconnected: \(pinned.linkStatuses)") }
    }

    @Test func anUnreachableRelayIsReportedOnceBeforeAnyConnection() {
        let net = EngineNet()
        net.reachable = []
        let alice = net.add(PE.config("alice", PE.alice))
        net.start(alice)
        net.advance(by: 60_000)
        #expect(alice.connects.count > 3)
        #expect(alice.linkStatuses == [.disconnected(reason: "connection refused", attempt: 1)])
    }

    @Test func refusedRelayIsReportedAsRefused() {
        let net = EngineNet()
        net.relayKey = PE.otherRelayKey
        let alice = net.add(PE.config("alice", PE.alice, pins: [PE.relayKey.publicKey.fingerprint.text]))
        net.start(alice)
        let got = PE.otherRelayKey.publicKey.fingerprint.text
        #expect(alice.linkStatuses.first == .refused(reason: "RELAY IDENTITY MISMATCH: got \(got), not in pinned set"))
        #expect(alice.linkStatuses.count == 1, "the refusal, not also a disconnection: \(alice.linkStatuses)")
    }
}
