/// `myc_send` and `myc_broadcast` (§5.12 "Sending", §5.16).
extension PeerEngine {
    mutating func send(_ request: SendRequest) -> SendOutcome {
        let type: String
        switch SendTypeFilter.filter(request.type) {
        case let .success(filtered): type = filtered
        case let .failure(rejection): return .invalidType(reason: rejection.description)
        }
        let room: String
        if let asked = request.room {
            // §8.21: a room we have not joined is refused, not silently replaced.
            guard let joined = config.joinedRoom(asked) else { return .notAMember(room: asked, joined: config.rooms) }
            room = joined
        } else {
            room = resolveRoom(for: request.target)
        }
        return sendUnicast(to: RoomPeer(room: room, name: request.target), text: request.text, type: type,
                           requestID: request.requestID)
    }

    /// §5.16: the first room where the target is live, else where it is pinned, else `ROOMS[0]`.
    func resolveRoom(for target: String) -> String {
        let rooms = config.rooms
        if let room = rooms.first(where: { live.isLive(RoomPeer(room: $0, name: target)) }) { return room }
        if let room = rooms.first(where: { trust.pin(RoomPeer(room: $0, name: target)) != nil }) { return room }
        return rooms[0]
    }

    /// Steps 1–8 of §5.12 "Sending" for one target in one room.
    mutating func sendUnicast(to peer: RoomPeer, text: String, type: String, requestID: String?) -> SendOutcome {
        let session = sessions[peer]
        if trust.isStsFailed(peer) || (trust.isBlocked(peer) && session == nil) {
            return .blocked(target: peer.name, room: peer.room)
        }
        let size = text.utf8.count
        if size > config.maxLogicalBytes { return .tooLarge(bytes: size, limit: config.maxLogicalBytes) }
        if session == nil, trust.pin(peer) == nil { return .unknownPeer(target: peer.name) }
        if outbox.count >= PeerConstants.outboxMax { return .outboxFull(limit: PeerConstants.outboxMax) }
        var logicalID = msgIDs.next(nowMs: now)
        var units = ChunkSplitter.split(text, logicalID: logicalID)
        // A restored entry keeps its id; a new one never reuses it (a restart within the
        // same millisecond would otherwise restart the counter on top of it).
        while units.contains(where: { outbox[$0.msgID] != nil }) {
            logicalID = msgIDs.next(nowMs: now)
            units = ChunkSplitter.split(text, logicalID: logicalID)
        }
        var mode: SendMode = link.isAuthenticated ? (session != nil ? .session : .offline) : .local
        // Every unit is stored (one transaction) before the first goes on the wire: a
        // logical message is accepted whole or not at all.
        for unit in units {
            var entry = Outbox.Entry(msgID: unit.msgID, peer: peer, plaintext: unit.plaintext, type: type,
                                     requestID: requestID, createdAtMs: now)
            entry.armedAtMs = now
            outbox[unit.msgID] = entry
            storeOutbox(unit.msgID)
        }
        for unit in units {
            mode = transmitNew(unit.msgID, preferred: mode)
        }
        switch mode {
        case .session:
            return .sentLive(target: peer.name, room: peer.room, msgID: logicalID,
                             newPin: session?.tofu == .new, chunks: units.count)
        case .offline:
            return .sentOffline(target: peer.name, room: peer.room, msgID: logicalID, chunks: units.count)
        case .local:
            return .queuedLocally(target: peer.name, room: peer.room, msgID: logicalID, chunks: units.count)
        }
    }

    /// N tracked unicasts, one per identity: the pinned key, or `room:name` without a pin.
    mutating func broadcast(_ request: BroadcastRequest) -> BroadcastOutcome {
        let type: String
        switch SendTypeFilter.filter(request.type) {
        case let .success(filtered): type = filtered
        case let .failure(rejection): return BroadcastOutcome(results: [], failure: .invalidType(reason: rejection.description))
        }
        var rooms = config.rooms
        if let asked = request.room {
            guard let joined = config.joinedRoom(asked) else {
                return BroadcastOutcome(results: [], failure: .notAMember(room: asked, joined: config.rooms))
            }
            rooms = [joined]
        }
        var covered = Set<ExactString>()
        var results: [SendOutcome] = []
        for room in rooms {
            guard let index = config.roomIndex(room) else { continue }
            var targets = live.names(roomIndex: index)
            if request.includeOffline {
                for name in trust.pinnedNames(in: room) where !targets.contains(where: { $0.isExactly(name) }) {
                    targets.append(name)
                }
            }
            for target in targets where !config.isSelf(target) {
                let peer = RoomPeer(room: room, name: target)
                let identity = trust.pin(peer)?.key ?? "\(room):\(target)"
                guard covered.insert(ExactString(identity)).inserted else { continue }
                results.append(sendUnicast(to: peer, text: request.text, type: type, requestID: nil))
            }
        }
        return BroadcastOutcome(results: results)
    }
}
