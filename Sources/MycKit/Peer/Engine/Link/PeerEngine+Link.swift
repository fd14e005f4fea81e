/// The relay link (§5.15): connection attempts over the failover list with jittered
/// exponential backoff, the silence watchdog, close handling and shutdown.
extension PeerEngine {
    mutating func start() {
        guard case .idle = link else { return }
        log(.info, "peer starting", line: "Fingerprint: \(fingerprint)",
            ["peer.name": config.name, "peer.fp": fingerprint.text, "rooms": config.rooms.joined(separator: ",")])
        arm(.replaySweep, afterMs: PeerConstants.replaySweepIntervalMs)
        connect()
    }

    /// One connection attempt (§5.3): fresh ephemeral key, session id and seq counter.
    mutating func connect() {
        guard !config.relayURLs.isEmpty else {
            log(.error, "no relay configured", line: "No relay URL configured")
            link = .idle
            return
        }
        let url = config.relayURLs[relayIndex % config.relayURLs.count]
        generation += 1
        let ephemeral = (try? BoxKeyPair(secretKey: random.bytes(BoxKeyPair.secretByteCount))) ?? BoxKeyPair.generate()
        let sessionID = Hex.encode(random.bytes(PeerConstants.sessionIDByteCount))
        link = .connecting(LinkConnection(url: url, ephemeral: ephemeral, sessionID: sessionID, generation: generation))
        log(.info, "connecting to relay", ["relay.url": url, "attempt": String(attempt)])
        emit(.connect(url: url))
    }

    mutating func linkOpened() {
        guard case let .connecting(connection) = link else { return }
        link = .handshaking(connection, .awaitingChallenge)
        lastActivityMs = now
        // The watchdog runs from the open on (the reference starts it at auth_ok): a relay
        // that never sends its challenge is as dead as a silent one.
        arm(.heartbeat, afterMs: PeerConstants.heartbeatIntervalMs)
    }

    mutating func linkText(_ bytes: [UInt8]) {
        guard link.hasLink else { return }
        lastActivityMs = now
        guard let object = try? JSONParser.parseObject(bytes) else {
            // §1.2: text that is not a JSON object is ignored.
            log(.debug, "ignored non-JSON frame", ["frame.bytes": String(bytes.count)])
            return
        }
        switch link {
        case let .handshaking(connection, .awaitingChallenge):
            receiveFirstFrame(object, connection: connection)
        case let .handshaking(connection, .awaitingAuth):
            receiveDuringAuth(object, connection: connection)
        case .authenticated:
            receiveAuthenticated(object)
        case .handshaking(_, .refused), .connecting, .closing, .idle, .backingOff, .stopped:
            break
        }
    }

    mutating func receiveAuthenticated(_ object: JSONObject) {
        let type = object["type"]?.stringValue
        if let type, Self.handshakeTypes.contains(where: { $0.isExactly(type) }) {
            // §8.1: a challenge or auth_ok now is a replay or a forgery, whoever sent it.
            log(.warning, "late handshake frame ignored", ["frame.type": type, "frame.from": object["from"]?.stringValue ?? ""])
            return
        }
        if let from = object["from"]?.stringValue, from.isExactly(RelayFrames.relayName) {
            receiveRelayControl(object)
        } else {
            receiveRouted(InboundRoutedFrame(object))
        }
    }

    static let handshakeTypes = ["challenge", "auth_ok", "auth_error"]

    /// Asks the runtime to close; the `.linkClosed` that follows schedules the reconnect.
    mutating func closeLink(_ code: CloseCode, reason: String) {
        guard link.hasLink else { return }
        if case .closing = link { return }
        emit(.closeLink(code: code.rawValue, reason: reason))
        tearDownConnection()
        link = .closing
    }

    mutating func linkClosed(code: UInt16?, reason: String) {
        switch link {
        case .idle, .backingOff, .stopped: return
        case .connecting, .handshaking, .authenticated, .closing: break
        }
        let detail = [code.map(String.init), reason.isEmpty ? nil : reason].compactMap { $0 }.joined(separator: " ")
        log(.notice, "disconnected from relay", line: "Disconnected (\(detail.isEmpty ? "closed" : detail))",
            ["close.code": code.map(String.init) ?? "", "close.reason": reason])
        tearDownConnection()
        scheduleReconnect()
        // News to the face: a lost session, or the first failure before any; the attempts
        // that follow while backing off are not.
        if linkAnnounced || !lossAnnounced {
            linkAnnounced = false
            lossAnnounced = true
            emit(.linkStatus(.disconnected(reason: detail.isEmpty ? "closed" : detail, attempt: attempt)))
        }
    }

    /// What a lost link takes with it (§5.15): live lists, sessions (they used this
    /// connection's ephemeral key), pending STS, the watchdog, pending `myc_rooms` calls.
    /// The outbox, its timers and the STS-failed set survive.
    mutating func tearDownConnection() {
        live.clear()
        // Sorted so the cancel actions come out in the same order on every run.
        for peer in sessions.keys.sorted(by: Self.byteOrder) { dropSession(peer) }
        cancel(.heartbeat)
        cancel(.outboxFlush)
        for waiter in roomsWaiters {
            cancel(.roomsReply(waiter))
            reply(waiter, .rooms(.disconnected(attempt: attempt)))
        }
        roomsWaiters = []
    }

    /// §5.15: next relay in the list after `random × min(60 s, 1 s × 2^attempt)`.
    mutating func scheduleReconnect() {
        guard !isArmed(.reconnect) else { return }
        relayIndex += 1
        let cap = min(PeerConstants.reconnectBackoffCapMs,
                      PeerConstants.reconnectBackoffBaseMs << Int64(min(attempt, 16)))
        let delay = Int64((random.unitInterval() * Double(cap)).rounded(.down))
        attempt += 1
        link = .backingOff
        log(.info, "reconnect scheduled", ["delay.ms": String(delay), "attempt": String(attempt)])
        arm(.reconnect, afterMs: delay)
    }

    mutating func reconnectDue() {
        guard case .backingOff = link else { return }
        connect()
    }

    /// Every 10 s: close with 4100 after 45 s without a message or any socket activity.
    mutating func heartbeatDue() {
        guard link.hasLink else { return }
        if now - lastActivityMs > PeerConstants.heartbeatSilenceMs {
            log(.warning, "relay silent; closing", ["silence.ms": String(now - lastActivityMs)])
            closeLink(.heartbeat, reason: CloseCode.heartbeat.defaultReason)
        } else {
            arm(.heartbeat, afterMs: PeerConstants.heartbeatIntervalMs)
        }
    }

    mutating func shutdown() {
        if case .stopped = link { return }
        if link.hasLink, !isClosing {
            emit(.closeLink(code: CloseCode.normal.rawValue, reason: ""))
        }
        tearDownConnection()
        for (id, _) in timers.sorted(by: { $0.value < $1.value || ($0.value == $1.value && "\($0.key)" < "\($1.key)") }) {
            cancel(id)
        }
        link = .stopped
        log(.info, "peer stopped")
    }

    /// A deterministic order of (room, name) pairs: by room bytes, then name bytes.
    static func byteOrder(_ a: RoomPeer, _ b: RoomPeer) -> Bool {
        if !a.room.isExactly(b.room) { return a.room.utf8.lexicographicallyPrecedes(b.room.utf8) }
        return a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
    }

    private var isClosing: Bool {
        if case .closing = link { return true }
        return false
    }

    /// The 10 s dedup sweep (§5.10): retention `OFFLINE_MAX_AGE + 5 min`, cap 10 000.
    mutating func replaySweepDue() {
        let expiry = PeerConstants.seenExpiryMs(offlineMaxAgeMs: config.offlineMaxAgeMs)
        if let change = replay.prune(nowMs: now, expiryMs: expiry, cap: PeerConstants.dedupCap) {
            persist([change])
        }
        arm(.replaySweep, afterMs: PeerConstants.replaySweepIntervalMs)
    }
}
