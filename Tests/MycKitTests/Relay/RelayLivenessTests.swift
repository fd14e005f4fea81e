import Testing
@testable import MycKit

@Suite struct RelayLivenessTests {
    @Test func pingRoundClosesConnectionsThatDidNotPong() {
        var h = RelayHarness(allowList: bound([alice, bob]))
        h.join(alice)
        h.join(bob)
        #expect(h.advance(29_899) == [])
        #expect(h.advance(1) == ["ping conn-1", "ping conn-2"])
        h.now += 10
        #expect(h.core.pong(connection: .c2, nowMs: h.now).isEmpty)
        #expect(h.advance(29_990) == [
            "close conn-1 4000 pong timeout",
            "send conn-2 " + Expect.peerLeft(alice, room: "default", remaining: [bob]),
            "ping conn-2",
        ])
        #expect(h.core.metrics.closes[.pongTimeout] == 1)
    }

    @Test func aPongCountsOnlyForItsOwnConnection() {
        var h = RelayHarness(allowList: bound([alice]))
        let old = h.join(alice)
        let new = h.join(alice)  // supersedes `old`
        #expect(h.advance(30_000 - 100) == ["ping \(new)"])
        // The replaced socket answers; the live one stays silent.
        #expect(h.core.pong(connection: old, nowMs: h.now).isEmpty)
        #expect(h.advance(30_000) == ["close \(new) 4000 pong timeout"])
    }

    @Test func pendingConnectionsAreNotPinged() {
        var limits = RelayLimits()
        limits.authTimeoutMs = 60_000
        var h = RelayHarness(limits: limits)
        _ = h.open()
        #expect(h.advance(30_000) == [])
    }

    @Test func staleSweepCloses4001() {
        var limits = RelayLimits()
        limits.pingIntervalMs = 1_000  // stale threshold 4 s
        limits.staleSweepIntervalMs = 500
        var h = RelayHarness(limits: limits, allowList: bound([alice, bob]))
        h.join(alice)
        h.now += 3_000
        h.connect(bob)
        // The edge stalled: the first tick after the join comes 4.05 s later.
        #expect(h.advance(1_000) == [
            "close conn-1 4001 stale",
            "send conn-2 " + Expect.peerLeft(alice, room: "default", remaining: [bob]),
            "ping conn-2",
        ])
        #expect(h.core.metrics.closes[.stale] == 1)
    }

    @Test func tickBeforeTheNextDeadlineIsANoOp() {
        var h = RelayHarness(allowList: bound([alice]))
        h.join(alice)
        let deadline = h.core.nextDeadlineMs
        #expect(deadline == 1_700_000_000_000 + 30_000)
        #expect(h.core.tick(nowMs: deadline - 1).isEmpty)
        let (_, _) = h.open()
        #expect(h.core.nextDeadlineMs == h.now + 5_000)
    }

    @Test func peerClosingLeavesItsRooms() {
        var h = RelayHarness(allowList: bound([alice, bob]))
        let a = h.join(alice)
        h.join(bob)
        let actions = h.core.closed(connection: a, nowMs: h.now)
        #expect(render(actions) == ["send conn-2 " + Expect.peerLeft(alice, room: "default", remaining: [bob])])
        #expect(logs(actions).map(\.message) == ["peer disconnected"])
        #expect(h.close(.c2) == [])
        #expect(h.core.healthSnapshot(nowMs: h.now).rooms.isEmpty)
        #expect(h.core.isIdle)
    }

    @Test func sendFailureCloses4002() {
        var h = RelayHarness(allowList: bound([alice, bob]))
        h.join(alice)
        h.join(bob)
        #expect(render(h.core.sendFailed(connection: .c2, nowMs: h.now)) == [
            "close conn-2 4002 send failed",
            "send conn-1 " + Expect.peerLeft(bob, room: "default", remaining: [alice]),
        ])
        #expect(render(h.core.sendFailed(connection: .c2, nowMs: h.now)) == [])
    }
}

@Suite struct RelayShutdownTests {
    @Test func gracefulShutdown() {
        var h = RelayHarness(allowList: bound([alice, bob]))
        h.join(alice)
        h.join(bob)
        let (pending, _) = h.open()
        let shutdown = #"{"type":"relay_shutdown","from":"_relay","payload":"restarting"}"#
        #expect(render(h.core.beginShutdown(nowMs: h.now)) == [
            "send conn-1 \(shutdown)", "close conn-1 1001 shutdown",
            "send conn-2 \(shutdown)", "close conn-2 1001 shutdown",
            "send \(pending) \(shutdown)", "close \(pending) 1001 shutdown",
        ])
        #expect(h.core.isShuttingDown)
        #expect(h.core.beginShutdown(nowMs: h.now).isEmpty)
        // New connections are refused; nothing else happens any more.
        #expect(h.open().1 == ["close conn-4 1001 shutdown"])
        #expect(h.sendText(.c1, #"{"type":"x"}"#) == [])
        #expect(h.advance(60_000) == [])
        #expect(!h.core.isIdle)
        for id in 1...4 { #expect(h.close(ConnectionID(UInt64(id))) == []) }
        #expect(h.core.isIdle)
        #expect(h.core.metrics.closes[.goingAway] == 4)
    }
}
