/// The handshake (PROTOCOL.md §3.4): what a connection waiting for `auth` may send, and
/// the sequencing of eviction, capacity and registration around `AuthValidator`.
extension RelayCore {
    mutating func receivedWhileAwaitingAuth(
        _ id: ConnectionID, pending: Pending, text: [UInt8], nowMs: Int64
    ) -> [RelayAction] {
        // 0. Not JSON: answer, keep the connection, keep the timer running.
        guard let value = try? JSONParser.parse(text) else {
            counters.dropped(.invalidJSON)
            return [.send(id, StaticFrames.invalidJSON)]
        }
        // 1. Anything but an `auth` object (including `null`, arrays and numbers).
        guard case .object(let frame) = value, frame["type"] == .string("auth") else {
            counters.authFailed(.authRequired)
            var actions: [RelayAction] = [.send(id, StaticFrames.authRequired)]
            closeUnauthenticated(id, code: .authRequired, reason: CloseCode.authRequired.defaultReason, into: &actions)
            actions.append(.log(RelayLogEvent(.info, "auth failed", [
                "conn.id": id.description, "client.ip": pending.clientIP, "auth.failure": "auth_required",
            ])))
            return actions
        }

        // 2–9. The allow-list is moved out while the validator edits it, so the live-holder
        // lookup can read the room registry without overlapping access to `self`.
        var list = allowList
        allowList = AllowList()
        let registry = rooms
        let (verdict, changes) = validator.validate(frame, nonce: pending.nonce, allowList: &list) { room, name in
            registry.member(name, in: room).map {
                AuthValidator.LiveHolder(connection: $0.connection, signKey: $0.keyInfo.signPublicKey)
            }
        }
        allowList = list

        // Steps 6–8 persist even when a later step fails; changes go out before any reply.
        var actions: [RelayAction] = changes.isEmpty ? [] : [.persist(changes)]
        switch verdict {
        case let .rejected(failure, peer):
            refuse(id, pending: pending, failure: failure, peer: peer, into: &actions)
        case let .accepted(request, evictions):
            // 9b. The same identity on another connection is superseded.
            for victim in evictions {
                evict(victim, reason: .superseded, code: .superseded, into: &actions)
            }
            // 10. Capacity, counted after the evictions.
            let registry = rooms
            if let failure = validator.capacityFailure(rooms: request.rooms, count: { registry.count(in: $0) }) {
                refuse(id, pending: pending, failure: failure, peer: request.peer.string, into: &actions)
            } else {
                register(id, request: request, clientIP: pending.clientIP, nowMs: nowMs, into: &actions)
            }
        }
        return actions
    }

    /// `auth_error` with the reason, then the close.
    private mutating func refuse(
        _ id: ConnectionID, pending: Pending, failure: AuthFailure, peer: String?, into actions: inout [RelayAction]
    ) {
        counters.authFailed(failure.kind)
        actions.append(.send(id, RelayFrames.bytes(RelayFrames.authError(failure.reason))))
        closeUnauthenticated(id, code: failure.closeCode, reason: failure.closeReason, into: &actions)
        var metadata = [
            "conn.id": id.description, "client.ip": pending.clientIP,
            "auth.failure": failure.kind.rawValue, "close.code": failure.closeCode.description,
        ]
        if let peer { metadata["peer.name"] = peer }
        actions.append(.log(RelayLogEvent(.notice, "auth failed", metadata)))
    }

    /// 11. Join every room (fresh rate bucket), `auth_ok`, `peer_joined` to the others,
    /// and schedule the offline-queue drain.
    private mutating func register(
        _ id: ConnectionID, request: AuthValidator.Request, clientIP: String, nowMs: Int64,
        into actions: inout [RelayAction]
    ) {
        let session = Session(
            name: request.peer, rooms: request.rooms, keyInfo: request.keyInfo,
            bucket: TokenBucket(capacity: limits.rateLimitPerMinute, nowMs: nowMs),
            alive: true, lastPongMs: nowMs, clientIP: clientIP)
        connections[id] = .authenticated(session)
        authDeadlines.removeAll { $0.connection == id }
        let member = RoomRegistry.Member(connection: id, name: request.peer, keyInfo: request.keyInfo)
        for room in request.rooms { rooms.join(room, member) }

        let roomKeys = request.rooms.map { rooms.roomKeys($0) }
        let peer = request.peer.string
        let authOK = request.wantsV2
            ? RelayFrames.authOK(peer: peer, rooms: roomKeys)
            : RelayFrames.legacyAuthOK(peer: peer, room: roomKeys[0])
        actions.append(.send(id, RelayFrames.bytes(authOK)))
        for (room, keys) in zip(request.rooms, roomKeys) {
            let joined = RelayFrames.bytes(RelayFrames.peerJoined(peer: peer, room: keys, keyInfo: request.keyInfo))
            for other in rooms.members(of: room) where other.connection != id {
                actions.append(.send(other.connection, joined))
            }
        }

        counters.connectionsAuthenticated += 1
        let due = nowMs + limits.drainDelayMs
        pendingDrains.append((due, id))
        nextDeadlineMs = min(nextDeadlineMs, due)
        var fingerprint = ""
        if let key = try? SigningPublicKey(base64: request.signKey) { fingerprint = key.fingerprint.text }
        actions.append(.log(RelayLogEvent(.info, "peer authenticated", [
            "conn.id": id.description, "peer.name": peer, "peer.fp": fingerprint,
            "rooms": request.rooms.strings.joined(separator: ","),
        ])))
    }
}
