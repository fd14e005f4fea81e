/// The relay as a pure state machine (PROTOCOL.md §3–§4): events in, `[RelayAction]` out,
/// no I/O, no clock, no randomness of its own. The edge owns the sockets, the store and
/// the real clock; it calls one method per input with the current time in milliseconds and
/// carries out the returned actions in order.
///
/// Each connection is in exactly one state (`Connection`): waiting for `auth` (with its
/// nonce and deadline), authenticated (with its name, rooms, keys, rate bucket and
/// liveness), or closing (the core asked for a close and ignores it until `closed`).
///
/// The behaviour follows the reference relay, with the wire-compatible fixes of §8:
/// names starting with `_` are refused, the challenge is required by default, handshake
/// and relay-control types are never routed, offline queues exist only for bound names,
/// `null` and other non-object JSON is answered instead of crashing, and pongs count only
/// for the connection they arrive on.
public struct RelayCore: Sendable {
    enum Phase: Sendable, Equatable {
        case running
        case shuttingDown
    }

    enum Connection: Sendable {
        case awaitingAuth(Pending)
        case authenticated(Session)
        case closing
    }

    struct Pending: Sendable {
        var nonce: [UInt8]
        var deadlineMs: Int64
        var clientIP: String
    }

    /// Names and rooms are `ExactString`s: the core compares them by exact code units, as
    /// the reference does, never by Unicode canonical equivalence (`"K"` ≠ `"\u{212A}"`).
    struct Session: Sendable {
        var name: ExactString
        /// Validated room list; `rooms[0]` is the default routing room.
        var rooms: [ExactString]
        var keyInfo: KeyInfo
        var bucket: TokenBucket
        /// Ponged since the last ping round.
        var alive: Bool
        var lastPongMs: Int64
        var clientIP: String
    }

    /// The relay's Ed25519 identity (signs challenges; its curve keys open sealed tokens).
    public let identity: SigningKeyPair
    public let limits: RelayLimits
    let validator: AuthValidator
    var random: any RelayRandomSource
    let startedMs: Int64

    var phase: Phase = .running
    var connections: [ConnectionID: Connection] = [:]
    var rooms = RoomRegistry()
    /// The allow-list as the core currently believes it (persisted through actions).
    public internal(set) var allowList: AllowList
    var queue: OfflineQueue
    var messageIDs = RelayMessageID()
    var counters = RelayMetrics()

    /// Auth deadlines in open order; entries of connections that moved on are skipped.
    var authDeadlines: [(deadlineMs: Int64, connection: ConnectionID)] = []
    /// Offline-queue drains due after a successful auth.
    var pendingDrains: [(dueMs: Int64, connection: ConnectionID)] = []
    var nextPingMs: Int64
    var nextStaleSweepMs: Int64
    var nextQueueSweepMs: Int64
    /// The earliest time `tick` has anything to do. The edge may sleep until then (or
    /// simply tick every ~25 ms: a tick before this returns `[]` at once).
    public internal(set) var nextDeadlineMs: Int64

    /// - Parameters:
    ///   - token: `RELAY_TOKEN`; `nil` (or empty) means no new registration can succeed.
    ///   - allowList: the stored allow-list.
    ///   - queue: the stored offline queue (unexpired frames, oldest first).
    ///   - firstQueueFrameID: the smallest id the core may assign to a new queued frame
    ///     (pass the store's largest id + 1 when it may hold expired rows above `queue`'s).
    ///   - random: the nonce source; tests pass a seeded one.
    public init(
        identity: SigningKeyPair, limits: RelayLimits, token: String?, allowList: AllowListSnapshot,
        queue: [QueuedFrame], nowMs: Int64, firstQueueFrameID: Int64 = 1,
        random: any RelayRandomSource = SystemRelayRandom()
    ) {
        self.identity = identity
        self.limits = limits
        self.validator = AuthValidator(limits: limits, token: token, boxKeys: try? identity.curve25519())
        self.random = random
        self.startedMs = nowMs
        self.allowList = AllowList(snapshot: allowList)
        self.queue = OfflineQueue(limits: limits, frames: queue, firstID: firstQueueFrameID)
        self.nextPingMs = nowMs + limits.pingIntervalMs
        self.nextStaleSweepMs = nowMs + limits.staleSweepIntervalMs
        self.nextQueueSweepMs = nowMs + limits.queueSweepIntervalMs
        self.nextDeadlineMs = min(nextPingMs, nextStaleSweepMs, nextQueueSweepMs)
    }

    // MARK: Read-only views

    /// Counters, with the queue gauges filled in.
    public var metrics: RelayMetrics {
        var m = counters
        m.queueDepth = queue.totalCount
        m.queueCount = queue.queueCount
        return m
    }

    /// The allow-list object for `GET /admin/allowlist` (pretty-print it).
    public var allowListObject: JSONObject { allowList.jsonObject }

    /// No connection left (the edge's shutdown poll waits for this).
    public var isIdle: Bool { connections.isEmpty }

    /// Whether `beginShutdown` has run.
    public var isShuttingDown: Bool { phase == .shuttingDown }

    /// Everything `/health` shows except process memory.
    public func healthSnapshot(nowMs: Int64) -> RelayHealth {
        RelayHealth(
            uptimeSeconds: max(0, nowMs - startedMs) / 1000,
            totalConnections: connections.count,
            rooms: rooms.roomNames.map { RelayHealth.Room(name: $0.string, members: rooms.memberNames(of: $0)) },
            offlineQueues: queue.queueCount,
            metrics: metrics)
    }

    /// The offline queue of `(room, target)`, oldest first.
    public func queuedFrames(room: String, target: String) -> [QueuedFrame] {
        queue.frames(room: room, target: target)
    }

    // MARK: Connection lifecycle

    /// A WebSocket opened: send a fresh signed challenge and start the auth timer
    /// (§3.1). While shutting down, the connection is closed with 1001 at once.
    public mutating func opened(connection id: ConnectionID, clientIP: String, nowMs: Int64) -> [RelayAction] {
        guard connections[id] == nil else { return [] }
        counters.connectionsOpened += 1
        if phase == .shuttingDown {
            connections[id] = .closing
            counters.closed(.goingAway)
            return [.close(id, .goingAway, reason: CloseCode.goingAway.defaultReason)]
        }
        let nonce = random.bytes(ChallengeFrame.nonceByteCount)
        let challenge = ChallengeFrame.signed(by: identity, nonce: nonce, timestampMs: nowMs)
        let deadline = nowMs + limits.authTimeoutMs
        connections[id] = .awaitingAuth(Pending(nonce: nonce, deadlineMs: deadline, clientIP: clientIP))
        authDeadlines.append((deadline, id))
        nextDeadlineMs = min(nextDeadlineMs, deadline)
        return [.send(id, RelayFrames.bytes(challenge.object))]
    }

    /// A text message arrived.
    public mutating func received(connection id: ConnectionID, text: [UInt8], nowMs: Int64) -> [RelayAction] {
        switch connections[id] {
        case .awaitingAuth(let pending)?:
            return receivedWhileAwaitingAuth(id, pending: pending, text: text, nowMs: nowMs)
        case .authenticated?:
            return receivedWhileAuthenticated(id, text: text, nowMs: nowMs)
        case .closing?, nil:
            return []
        }
    }

    /// A binary message arrived: the protocol has none (§1.2), so it is answered with an
    /// `error` and otherwise ignored. After auth it costs a rate token like any frame.
    public mutating func receivedBinary(connection id: ConnectionID, nowMs: Int64) -> [RelayAction] {
        switch connections[id] {
        case .awaitingAuth?:
            break
        case .authenticated(var session)?:
            let allowed = session.bucket.take(nowMs: nowMs)
            connections[id] = .authenticated(session)
            guard allowed else {
                counters.framesRateLimited += 1
                return [.send(id, StaticFrames.rateLimited)]
            }
        case .closing?, nil:
            return []
        }
        counters.dropped(.binary)
        return [.send(id, StaticFrames.binaryUnsupported)]
    }

    /// A pong arrived on `id`: that connection (and only it) is alive (§4.7, §8.15).
    public mutating func pong(connection id: ConnectionID, nowMs: Int64) -> [RelayAction] {
        guard case .authenticated(var session)? = connections[id] else { return [] }
        session.alive = true
        session.lastPongMs = nowMs
        connections[id] = .authenticated(session)
        return []
    }

    /// The socket is gone. An authenticated peer leaves its rooms (`peer_left`, §4.6).
    public mutating func closed(connection id: ConnectionID, nowMs: Int64) -> [RelayAction] {
        guard let connection = connections.removeValue(forKey: id) else { return [] }
        guard case .authenticated(let session) = connection else {
            authDeadlines.removeAll { $0.connection == id }
            return []
        }
        var actions: [RelayAction] = [
            .log(RelayLogEvent(.info, "peer disconnected", ["conn.id": id.description, "peer.name": session.name.string]))
        ]
        leaveRooms(id, session: session, into: &actions)
        return actions
    }

    /// A send to `id` threw: close it with 4002 (`send failed`) and remove it.
    public mutating func sendFailed(connection id: ConnectionID, nowMs: Int64) -> [RelayAction] {
        var actions: [RelayAction] = []
        switch connections[id] {
        case .authenticated(let session)?:
            terminate(id, session: session, code: .sendFailed, reason: CloseCode.sendFailed.defaultReason, into: &actions)
        case .awaitingAuth?:
            closeUnauthenticated(id, code: .sendFailed, reason: CloseCode.sendFailed.defaultReason, into: &actions)
        case .closing?, nil:
            break
        }
        return actions
    }

    /// A `.forward` was dropped for backpressure: tell its sender (§4.5).
    public mutating func forwardDropped(_ delivery: RelayAction.Delivery, nowMs: Int64) -> [RelayAction] {
        guard case .authenticated? = connections[delivery.sender] else { return [] }
        counters.dropped(.backpressure)
        let frame = RelayFrames.error(RelayStatusPayload.backpressured(delivery.targetName), msgID: delivery.msgID)
        return [.send(delivery.sender, RelayFrames.bytes(frame))]
    }

    // MARK: Shared helpers

    /// Closes an authenticated connection: `close`, then `peer_left` to the rooms it leaves.
    mutating func terminate(
        _ id: ConnectionID, session: Session, code: CloseCode, reason: String, into actions: inout [RelayAction]
    ) {
        actions.append(.close(id, code, reason: reason))
        actions.append(.log(RelayLogEvent(.info, "relay closed connection", [
            "conn.id": id.description, "peer.name": session.name.string,
            "close.code": code.description, "close.reason": reason,
        ])))
        connections[id] = .closing
        counters.closed(code)
        leaveRooms(id, session: session, into: &actions)
    }

    /// Sends `evicted` with `reason`, then closes with `code` and removes the connection.
    mutating func evict(
        _ id: ConnectionID, reason: RelayFrames.EvictionReason, code: CloseCode, into actions: inout [RelayAction]
    ) {
        guard case .authenticated(let session)? = connections[id] else { return }
        actions.append(.send(id, RelayFrames.bytes(RelayFrames.evicted(reason))))
        terminate(id, session: session, code: code, reason: reason.rawValue, into: &actions)
    }

    /// Closes a connection that never authenticated.
    mutating func closeUnauthenticated(
        _ id: ConnectionID, code: CloseCode, reason: String, into actions: inout [RelayAction]
    ) {
        actions.append(.close(id, code, reason: reason))
        connections[id] = .closing
        authDeadlines.removeAll { $0.connection == id }
        counters.closed(code)
    }

    /// Removes the connection from each of its rooms; the remaining members of each get
    /// `peer_left` with the room's new key map. Rooms left empty are forgotten.
    mutating func leaveRooms(_ id: ConnectionID, session: Session, into actions: inout [RelayAction]) {
        for room in session.rooms {
            guard rooms.leave(room, name: session.name, connection: id) else { continue }
            let keys = rooms.roomKeys(room)
            guard !keys.members.isEmpty else { continue }
            let bytes = RelayFrames.bytes(RelayFrames.peerLeft(peer: session.name.string, room: keys))
            for member in rooms.members(of: room) { actions.append(.send(member.connection, bytes)) }
        }
    }

    /// Authenticated connections in id order (deterministic iteration for rounds and sweeps).
    var authenticatedIDs: [ConnectionID] {
        connections.compactMap { id, connection -> ConnectionID? in
            if case .authenticated = connection { return id }
            return nil
        }.sorted()
    }
}

/// Frames with no variable part, serialized once.
enum StaticFrames {
    static let invalidJSON = RelayFrames.bytes(RelayFrames.error(RelayStatusPayload.invalidJSON))
    static let authRequired = RelayFrames.bytes(RelayFrames.error(RelayStatusPayload.authRequired))
    static let rateLimited = RelayFrames.bytes(RelayFrames.error(RelayStatusPayload.rateLimited))
    static let notAnObject = RelayFrames.bytes(RelayFrames.error(RelayStatusPayload.notAnObject))
    static let binaryUnsupported = RelayFrames.bytes(RelayFrames.error(RelayStatusPayload.binaryUnsupported))
    static let relayShutdown = RelayFrames.bytes(RelayFrames.relayShutdown())
}
