/// The face's requests. Each is answered by one `.reply`, at once except `rooms`.
extension PeerEngine {
    mutating func handleCommand(_ id: PeerCommandID, _ command: PeerCommand) {
        switch command {
        case let .send(request): reply(id, .send(send(request)))
        case let .broadcast(request): reply(id, .broadcast(broadcast(request)))
        case .peers: reply(id, .peers(peersSnapshot()))
        case .rooms: listRooms(id)
        case let .trust(peer, room, confirm): reply(id, .trust(trustCommand(peer: peer, room: room, confirm: confirm)))
        case let .verify(peer, room): reply(id, .verify(verify(peer: peer, room: room)))
        case let .permissionRequest(request): reply(id, .permissionRequested(recipients: requestPermission(request)))
        case let .commitRotation(plan): reply(id, .rotate(commitRotation(plan)))
        }
    }

    // MARK: myc_peers

    func peersSnapshot() -> PeersSnapshot {
        let rooms = config.rooms.enumerated().map { index, room in
            let names = live.names(roomIndex: index)
            let liveEntries = names.map { name -> PeersSnapshot.Live in
                let session = sessions[RoomPeer(room: room, name: name)]
                return PeersSnapshot.Live(name: name, trust: session?.tofu == .new ? .new : .pinned,
                                          stsVerified: session?.stsVerified ?? false, blocked: session == nil)
            }
            let offline = trust.pinnedNames(in: room).filter { pinned in !names.contains { $0.isExactly(pinned) } }
            return PeersSnapshot.Room(name: room, live: liveEntries, offlineKnown: offline)
        }
        return PeersSnapshot(rooms: rooms, blocked: trust.blocked.keys.map { "\($0.name)@\($0.room)" },
                             inboxPending: 0, disconnectedAttempt: link.isAuthenticated ? nil : attempt)
    }

    // MARK: myc_rooms

    /// Sends `list_rooms` and waits up to 5 s; every call waiting when `rooms` arrives
    /// gets the answer (the reference loses all but the last, §8.21).
    private mutating func listRooms(_ id: PeerCommandID) {
        guard link.isAuthenticated else {
            reply(id, .rooms(.disconnected(attempt: attempt)))
            return
        }
        emit(.sendFrame(RelayFrames.bytes(["type": "list_rooms"])))
        roomsWaiters.append(id)
        arm(.roomsReply(id), afterMs: PeerConstants.roomsWaitMs)
    }

    mutating func roomsListed(_ payload: JSONObject) {
        guard !roomsWaiters.isEmpty else { return }
        let discovery = payload["discovery"]?.boolValue ?? true
        let rooms = (payload["rooms"]?.arrayValue ?? []).compactMap { value -> RoomsOutcome.Room? in
            guard let room = value.objectValue, let name = room["name"]?.stringValue else { return nil }
            return RoomsOutcome.Room(
                name: name, peers: room["peers"]?.integerValue.map { Int($0) } ?? 0,
                members: room["members"]?.arrayValue?.compactMap(\.stringValue),
                joined: config.joinedRoom(name) != nil)
        }
        for waiter in roomsWaiters {
            cancel(.roomsReply(waiter))
            reply(waiter, .rooms(.listed(rooms: rooms, discovery: discovery)))
        }
        roomsWaiters = []
    }

    mutating func roomsWaitExpired(_ id: PeerCommandID) {
        guard let index = roomsWaiters.firstIndex(of: id) else { return }
        roomsWaiters.remove(at: index)
        reply(id, .rooms(.noReply))
    }

    // MARK: myc_verify

    func verify(peer: String?, room: String?) -> VerifyOutcome {
        guard let name = peer else { return .own(fingerprint: fingerprint.text) }
        let scope = roomScope(room)
        let pins = scope.compactMap { room -> VerifyOutcome.Pin? in
            let target = RoomPeer(room: room, name: name)
            guard let pin = trust.pin(target) else { return nil }
            let session = sessions[target]
            let status: VerifyOutcome.Pin.Status = session == nil ? .offline : (session!.tofu == .new ? .newThisSession : .trusted)
            return VerifyOutcome.Pin(room: room, fingerprint: Self.fingerprintText(pin.key), status: status,
                                     stsVerified: session?.stsVerified ?? false)
        }
        if !pins.isEmpty { return .pinned(peer: name, pins: pins, ownFingerprint: fingerprint.text) }
        if scope.contains(where: { trust.isBlocked(RoomPeer(room: $0, name: name)) }) { return .blocked(peer: name) }
        return .noPin(peer: name)
    }

    /// The joined rooms a command's optional `room` argument selects (none if not joined).
    private func roomScope(_ room: String?) -> [String] {
        guard let room else { return config.rooms }
        return config.joinedRoom(room).map { [$0] } ?? []
    }

    // MARK: myc_trust

    mutating func trustCommand(peer name: String, room: String?, confirm: Bool) -> TrustOutcome {
        let scope = roomScope(room)
        let candidates = trust.blocked.values.filter { entry in
            entry.peer.name.isExactly(name) && scope.contains { $0.isExactly(entry.peer.room) }
        }
        guard let entry = candidates.first else { return .nothingPending(peer: name) }
        guard candidates.count == 1 else { return .ambiguous(peer: name, rooms: candidates.map(\.peer.room)) }
        let peer = entry.peer
        guard let key = try? SigningPublicKey(base64: entry.keyInfo.signPublicKey) else {
            return .verificationFailed(peer: name, room: peer.room)
        }
        let fp = key.fingerprint.text
        guard confirm else { return .pending(peer: name, room: peer.room, fingerprint: fp) }
        persist(trust.override(peer, key: entry.keyInfo.signPublicKey, nowMs: now))
        log(.notice, "blocked key trusted", line: "Trusted \(name)@\(peer.room) (\(fp))", ["peer.name": name, "room": peer.room, "peer.fp": fp])
        guard retrust(peer, keyInfo: entry.keyInfo) else { return .verificationFailed(peer: name, room: peer.room) }
        return .trusted(peer: name, room: peer.room, fingerprint: fp)
    }

    // MARK: Permission relay (§5.17)

    /// A tracked `_perm_req` to every live peer with a session, in every room.
    private mutating func requestPermission(_ request: PermissionRequest) -> Int {
        var asked = Set<RoomPeer>()
        for (index, room) in config.rooms.enumerated() {
            for name in live.names(roomIndex: index) {
                let peer = RoomPeer(room: room, name: name)
                guard sessions[peer] != nil, outbox.count < PeerConstants.outboxMax else { continue }
                let id = msgIDs.next(nowMs: now)
                outbox[id] = Outbox.Entry(msgID: id, peer: peer, plaintext: request.plaintext,
                                          type: ControlType.permRequest.rawValue, requestID: request.requestID,
                                          createdAtMs: now, sessionOnly: true)
                if transmitNew(id, preferred: .session) == .session { asked.insert(peer) }
            }
        }
        if !asked.isEmpty {
            permissionRequests[ExactString(request.requestID)] = asked
            while permissionRequests.count > Self.permissionRequestMemory, let oldest = permissionRequests.keys.first {
                permissionRequests.removeValue(forKey: oldest)
            }
        }
        return asked.count
    }
}
