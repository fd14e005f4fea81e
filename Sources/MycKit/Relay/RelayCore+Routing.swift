/// Frames from authenticated connections (PROTOCOL.md §4.1–§4.5): rate limiting,
/// `list_rooms`, stamping, unicast, broadcast and the offline queue.
extension RelayCore {
    /// Types a peer may never route: the handshake and the relay's control frames (§1.6).
    /// The reference routes them, which lets a room member replay a genuine `challenge` to a
    /// victim and harvest its `auth` (§8.1); refusing them changes nothing for conforming peers.
    /// Deliberately a `Set<String>` (canonical equivalence): it also refuses lookalikes such
    /// as `"auth_o\u{212A}"` (Kelvin sign), which a peer comparing with Swift's `==` would
    /// take for `auth_ok`. Refusing more than the exact names is the safe side here.
    static let reservedTypes: Set<String> = [
        "challenge", "auth", "auth_ok", "auth_error", "evicted", "peer_joined", "peer_left",
        "rooms", "queued", "error", "relay_shutdown",
    ]

    mutating func receivedWhileAuthenticated(_ id: ConnectionID, text: [UInt8], nowMs: Int64) -> [RelayAction] {
        // Frames already in `JSON.stringify` form skip the parse (see `CanonicalFrame`).
        if let frame = CanonicalFrame(text) {
            guard let (session, allowed) = takeToken(id, nowMs: nowMs) else { return [] }
            guard allowed else { return rateLimited(id, msgID: frame["msg_id"]) }
            return route(frame, from: id, session: session, nowMs: nowMs)
        }
        // 1. Not JSON: answered before rate limiting, like the reference.
        guard let value = try? JSONParser.parse(text) else {
            counters.dropped(.invalidJSON)
            return [.send(id, StaticFrames.invalidJSON)]
        }
        guard let (session, allowed) = takeToken(id, nowMs: nowMs) else { return [] }
        guard case .object(let frame) = value else {
            // `null`, arrays, numbers: the reference crashes or routes garbage (§8.11).
            guard allowed else { return rateLimited(id, msgID: nil) }
            counters.dropped(.notAnObject)
            return [.send(id, StaticFrames.notAnObject)]
        }
        guard allowed else { return rateLimited(id, msgID: frame["msg_id"]) }
        return route(frame, from: id, session: session, nowMs: nowMs)
    }

    /// 3. Token bucket: every frame costs one token, `list_rooms` included. Nil when the
    /// connection is not authenticated (any more).
    private mutating func takeToken(_ id: ConnectionID, nowMs: Int64) -> (session: Session, allowed: Bool)? {
        guard case .authenticated(var session)? = connections[id] else { return nil }
        let allowed = session.bucket.take(nowMs: nowMs)
        connections[id] = .authenticated(session)
        return (session, allowed)
    }

    /// An object frame from an authenticated connection, within its rate.
    private mutating func route(
        _ frame: some RoutableFrame, from id: ConnectionID, session: Session, nowMs: Int64
    ) -> [RelayAction] {
        let type = frame["type"]
        if type == .string("list_rooms") { return [.send(id, roomsReply(for: session))] }
        if let type = type?.stringValue, Self.reservedTypes.contains(type) {
            counters.dropped(.reservedType)
            return [.send(id, errorBytes(RelayStatusPayload.reservedType(type), msgID: frame["msg_id"]))]
        }

        // §4.3 1–2: stamp `from` (overwriting) and, if falsy, a relay `msg_id`; both are
        // written into the bytes only once the frame goes somewhere.
        counters.framesRouted += 1
        var msgID = frame["msg_id"] ?? .null
        var stampedMsgID: JSONValue?
        if !msgID.isTruthy {
            msgID = .string(messageIDs.next(nowMs: nowMs))
            stampedMsgID = msgID
        }
        let stamp = { frame.stamped(from: session.name.string, msgID: stampedMsgID) }
        // 3. Routing room, matched by exact code units.
        let room: ExactString
        if let named = frame["room"]?.stringValue {
            room = ExactString(named)
            guard session.rooms.contains(room) else {
                counters.dropped(.notMember)
                return [.send(id, errorBytes(RelayStatusPayload.notMember(named), msgID: msgID))]
            }
        } else {
            room = session.rooms[0]
        }
        // 4–5. Unicast or broadcast.
        if let target = frame["target"], target.isTruthy {
            guard let targetName = target.stringValue else {
                counters.dropped(.invalidTarget)
                return [.send(id, errorBytes(RelayStatusPayload.invalidTarget, msgID: msgID))]
            }
            return unicast(
                stamp, noQueue: frame["no_queue"]?.isTruthy ?? false, from: id, sender: session.name, room: room,
                target: ExactString(targetName), msgID: msgID, nowMs: nowMs)
        }
        return broadcast(stamp, from: id, room: room, msgID: msgID)
    }

    private mutating func unicast(
        _ stamp: () -> [UInt8], noQueue: Bool, from id: ConnectionID, sender: ExactString, room: ExactString,
        target exactTarget: ExactString, msgID: JSONValue, nowMs: Int64
    ) -> [RelayAction] {
        let target = exactTarget.string
        if let member = rooms.member(exactTarget, in: room) {
            // Sending to yourself is allowed: you receive your own frame.
            counters.framesDelivered += 1
            return [.forward(RelayAction.Delivery(
                target: member.connection, bytes: stamp(), sender: id, targetName: target, msgID: msgID))]
        }
        if noQueue {
            counters.dropped(.noQueue)
            return [.send(id, errorBytes(RelayStatusPayload.notQueuedSessionFrame(target), msgID: msgID))]
        }
        // Our fix (§8.18): only names bound in the room can ever drain a queue.
        guard allowList.key(boundTo: exactTarget, in: room) != nil else {
            counters.dropped(.unknownTarget)
            return [.send(id, errorBytes(RelayStatusPayload.notQueuedUnknownPeer(target), msgID: msgID))]
        }
        let data = String(decoding: stamp(), as: UTF8.self)
        switch queue.enqueue(
            room: room, target: exactTarget, sender: sender, data: data,
            activePeers: rooms.count(in: room), nowMs: nowMs)
        {
        case .success(let queued):
            counters.framesQueued += 1
            let reply = RelayFrames.queued(target: target, msgID: msgID, ttlSeconds: limits.queueTTLSeconds)
            return [.persist([.enqueue(queued)]), .send(id, RelayFrames.bytes(reply))]
        case .failure:
            counters.dropped(.queueFull)
            return [.send(id, errorBytes(RelayStatusPayload.queueFull(target), msgID: msgID))]
        }
    }

    /// To every other connection in the room; the frame is serialized once. Each copy is a
    /// `.forward`, so a recipient over its backpressure limit is reported to the sender
    /// (`<name> backpressured; message dropped`) instead of being dropped silently, as the
    /// reference does for broadcasts.
    private mutating func broadcast(
        _ stamp: () -> [UInt8], from id: ConnectionID, room: ExactString, msgID: JSONValue
    ) -> [RelayAction] {
        let members = rooms.members(of: room)
        guard members.count > 1 else { return [] }
        let bytes = stamp()
        var actions: [RelayAction] = []
        actions.reserveCapacity(members.count - 1)
        for member in members where member.connection != id {
            actions.append(.forward(RelayAction.Delivery(
                target: member.connection, bytes: bytes, sender: id, targetName: member.name.string, msgID: msgID)))
        }
        counters.framesDelivered += actions.count
        return actions
    }

    /// §4.2: every live room in creation order; `members` only for rooms the requester
    /// joined; without discovery, the other rooms are left out.
    private func roomsReply(for session: Session) -> [UInt8] {
        var listings: [RelayFrames.RoomListing] = []
        for name in rooms.roomNames {
            if session.rooms.contains(name) {
                let members = rooms.memberNames(of: name)
                listings.append(RelayFrames.RoomListing(name: name.string, peerCount: members.count, members: members))
            } else if limits.discovery {
                listings.append(RelayFrames.RoomListing(name: name.string, peerCount: rooms.count(in: name), members: nil))
            }
        }
        return RelayFrames.bytes(RelayFrames.rooms(discovery: limits.discovery, rooms: listings))
    }

    private mutating func rateLimited(_ id: ConnectionID, msgID: JSONValue?) -> [RelayAction] {
        counters.framesRateLimited += 1
        return [.send(id, msgID == nil ? StaticFrames.rateLimited : errorBytes(RelayStatusPayload.rateLimited, msgID: msgID))]
    }

    private func errorBytes(_ payload: String, msgID: JSONValue?) -> [UInt8] {
        RelayFrames.bytes(RelayFrames.error(payload, msgID: msgID))
    }
}
