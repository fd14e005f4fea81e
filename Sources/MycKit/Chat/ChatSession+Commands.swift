extension ChatSession {
    // MARK: Sending

    /// A plain line goes to everyone in the current room (one tracked copy per identity,
    /// as `myc_broadcast`); `name: text` to one peer, in the current room when they are
    /// known there.
    func send(_ input: ChatInput) async {
        switch input {
        case .broadcast(let text):
            let outcome = await service.broadcast(BroadcastRequest(text: text, room: currentRoom))
            let ended = track(outcome)
            let refused = outcome.failure != nil ? 1 : outcome.results.filter { !Self.wentOut($0) }.count
            for _ in 0..<refused { countFailure() }
            display.status([renderer.sent(outcome, room: currentRoom)])
            show(ended)
        case let .unicast(target, text):
            let room = knownIn(currentRoom, target) ? currentRoom : nil
            let outcome = await service.send(SendRequest(target: target, text: text, room: room))
            let ended = track(outcome)
            if !Self.wentOut(outcome) { countFailure() }
            display.status([renderer.sent(outcome)])
            show(ended)
        default:
            break
        }
    }

    static func wentOut(_ outcome: SendOutcome) -> Bool {
        switch outcome {
        case .sentLive, .sentOffline, .queuedLocally: true
        default: false
        }
    }

    func knownIn(_ room: String, _ peer: String) -> Bool {
        guard let r = snapshot?.rooms.first(where: { $0.name.isExactly(room) }) else { return false }
        return r.live.contains { $0.name.isExactly(peer) } || r.offlineKnown.contains { $0.isExactly(peer) }
    }

    // MARK: Commands

    func command(_ input: ChatInput) async {
        switch input {
        case .room(let name):
            guard let room = profile.rooms.first(where: { $0.isExactly(name) }) else {
                return display.status([renderer.style.warn(
                    "not a joined room: \(ChatText.sanitize(name)) — joined: \(profile.rooms.joined(separator: ", ")) (rooms are set at start with --room)")])
            }
            setRoom(room)
            display.status(["now talking in #\(ChatText.sanitize(room))"])
        case .rooms:
            display.status(renderer.rooms(await service.rooms()))
        case .peers:
            await refreshPeers(show: true)
        case .verify(let peer):
            display.status(renderer.verify(await service.verify(peer: peer, room: nil), selfName: profile.name))
        case let .trust(peer, room):
            let outcome = await service.trust(peer: peer, room: room, confirm: false)
            if case let .pending(peer, room, fingerprint) = outcome {
                ask(.trust(peer: peer, room: room), renderer.trustPending(peer: peer, room: room, fingerprint: fingerprint))
            } else {
                display.status(renderer.trust(outcome))
            }
        case .rotate:
            let outcome = await service.rotateKey(confirm: false)
            if case .confirmationNeeded = outcome {
                ask(.rotate, renderer.rotate(outcome))
            } else {
                display.status(renderer.rotate(outcome))
            }
        case .approve(let id):
            await verdict(id, behavior: "allow")
        case .deny(let id):
            await verdict(id, behavior: "deny")
        default:
            break
        }
    }

    /// The verdict travels E2E to the peer that asked, as `_perm_verdict` (§5.17).
    func verdict(_ id: String, behavior: String) async {
        guard let index = permissions.firstIndex(where: { $0.id.isExactly(id) }) else {
            let pending = permissions.map(\.id)
            return display.status([renderer.style.warn("no pending permission request \(ChatText.sanitize(id))"
                + (pending.isEmpty ? " (none pending)" : " — pending: " + pending.joined(separator: ", ")))])
        }
        let request = permissions[index]
        let verdict = PermissionVerdict(requestID: request.id, behavior: behavior)
        let outcome = await service.send(SendRequest(
            target: request.from, text: JSONSerializer.string(of: .object(verdict.params)),
            type: .string(ControlType.permVerdict.rawValue), room: request.room))
        let ended = track(outcome)
        defer { show(ended) }
        guard Self.wentOut(outcome) else {
            countFailure()
            return display.status([renderer.style.alert("verdict for \(request.id) NOT sent:"), renderer.sent(outcome)])
        }
        permissions.remove(at: index)
        pushCompletion()
        let word = behavior == "allow" ? renderer.style.good("allowed") : renderer.style.alert("denied")
        display.status(["\(word) \(ChatText.sanitize(request.id)) for \(renderer.style.name(request.from))", renderer.sent(outcome)])
    }
}
