/// Everything time-driven (PROTOCOL.md §3.4 auth timer, §4.4 drain and expiry, §4.7
/// liveness, §4.10 shutdown). The edge calls `tick` often; a tick before
/// `nextDeadlineMs` returns `[]` after one comparison.
extension RelayCore {
    public mutating func tick(nowMs: Int64) -> [RelayAction] {
        guard phase == .running, nowMs >= nextDeadlineMs else { return [] }
        var actions: [RelayAction] = []
        expireAuthDeadlines(nowMs: nowMs, into: &actions)
        runDueDrains(nowMs: nowMs, into: &actions)
        if nowMs >= nextStaleSweepMs {
            staleSweep(nowMs: nowMs, into: &actions)
            nextStaleSweepMs = nowMs + limits.staleSweepIntervalMs
        }
        if nowMs >= nextPingMs {
            pingRound(into: &actions)
            nextPingMs = nowMs + limits.pingIntervalMs
        }
        if nowMs >= nextQueueSweepMs {
            let removed = queue.sweep(nowMs: nowMs)
            if removed > 0 {
                counters.framesExpired += removed
                actions.append(.persist([.expireQueue(nowMs: nowMs)]))
            }
            nextQueueSweepMs = nowMs + limits.queueSweepIntervalMs
        }
        nextDeadlineMs = min(
            nextPingMs, nextStaleSweepMs, nextQueueSweepMs,
            authDeadlines.lazy.map(\.deadlineMs).min() ?? .max,
            pendingDrains.lazy.map(\.dueMs).min() ?? .max)
        return actions
    }

    /// SIGTERM/SIGINT: every connection gets `relay_shutdown` and close 1001; timers stop;
    /// later connections are closed with 1001 on open. No `peer_left` is sent, since
    /// everyone is leaving. The edge exits when `isIdle` or after `shutdownGraceMs`.
    public mutating func beginShutdown(nowMs: Int64) -> [RelayAction] {
        guard phase == .running else { return [] }
        phase = .shuttingDown
        var actions: [RelayAction] = [
            .log(RelayLogEvent(.notice, "relay shutting down", ["connections": String(connections.count)]))
        ]
        for id in connections.keys.sorted() {
            if case .closing? = connections[id] { continue }
            actions.append(.send(id, StaticFrames.relayShutdown))
            actions.append(.close(id, .goingAway, reason: CloseCode.goingAway.defaultReason))
            connections[id] = .closing
            counters.closed(.goingAway)
        }
        rooms.removeAll()
        authDeadlines.removeAll()
        pendingDrains.removeAll()
        nextDeadlineMs = .max
        return actions
    }

    // MARK: Steps

    /// Closes connections still unauthenticated at their deadline with 4003.
    private mutating func expireAuthDeadlines(nowMs: Int64, into actions: inout [RelayAction]) {
        guard authDeadlines.contains(where: { $0.deadlineMs <= nowMs }) else { return }
        var kept: [(deadlineMs: Int64, connection: ConnectionID)] = []
        for entry in authDeadlines {
            guard entry.deadlineMs <= nowMs else {
                kept.append(entry)
                continue
            }
            guard case .awaitingAuth? = connections[entry.connection] else { continue }
            counters.authFailed(.timeout)
            closeUnauthenticated(entry.connection, code: .authTimeout, reason: CloseCode.authTimeout.defaultReason, into: &actions)
            actions.append(.log(RelayLogEvent(.info, "auth failed", [
                "conn.id": entry.connection.description, "auth.failure": "timeout",
            ])))
        }
        authDeadlines = kept
    }

    /// §4.4 drain, ~50 ms after auth: for each room of the connection, take the whole
    /// `(room, name)` queue and send the unexpired entries in FIFO order. The dequeue is
    /// persisted after the sends, so a crash in between re-delivers rather than loses
    /// (receivers dedup by msg_id).
    private mutating func runDueDrains(nowMs: Int64, into actions: inout [RelayAction]) {
        guard pendingDrains.contains(where: { $0.dueMs <= nowMs }) else { return }
        var kept: [(dueMs: Int64, connection: ConnectionID)] = []
        for entry in pendingDrains {
            guard entry.dueMs <= nowMs else {
                kept.append(entry)
                continue
            }
            guard case .authenticated(let session)? = connections[entry.connection] else { continue }
            var removedIDs: [Int64] = []
            for room in session.rooms {
                let (deliver, removed) = queue.drain(room: room, target: session.name, nowMs: nowMs)
                for frame in deliver { actions.append(.send(entry.connection, Array(frame.data.utf8))) }
                counters.framesDrained += deliver.count
                counters.framesExpired += removed.count - deliver.count
                removedIDs += removed
            }
            if !removedIDs.isEmpty { actions.append(.persist([.dequeue(ids: removedIDs)])) }
        }
        pendingDrains = kept
    }

    /// §4.7: a connection that has not ponged since the previous round is closed with
    /// 4000; the others are marked not-alive and pinged.
    private mutating func pingRound(into actions: inout [RelayAction]) {
        for id in authenticatedIDs {
            guard case .authenticated(var session)? = connections[id] else { continue }
            if !session.alive {
                terminate(id, session: session, code: .pongTimeout, reason: CloseCode.pongTimeout.defaultReason, into: &actions)
                continue
            }
            session.alive = false
            connections[id] = .authenticated(session)
            actions.append(.ping(id))
        }
    }

    /// §4.7: every 5 min, close with 4001 any connection whose last pong is older than
    /// 4 × the ping interval.
    private mutating func staleSweep(nowMs: Int64, into actions: inout [RelayAction]) {
        for id in authenticatedIDs {
            guard case .authenticated(let session)? = connections[id],
                  nowMs - session.lastPongMs > limits.staleThresholdMs
            else { continue }
            terminate(id, session: session, code: .stale, reason: CloseCode.stale.defaultReason, into: &actions)
        }
    }
}
