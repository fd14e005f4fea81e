/// The outbox (§5.12): first transmission, retransmission under the same msg_id, acks,
/// nacks, timers, and the bulk triggers. The face hears about a message again only when a
/// deferred or retried send is confirmed (`delivered`) or when it finally fails
/// (`delivery_failed`, exactly once).
extension PeerEngine {
    enum SendMode: Equatable {
        case session
        case offline
        case local
    }

    /// Sends a new outbox entry in `preferred` mode, falling back session → offline →
    /// local, and returns the mode used.
    /// The entry is stored first (once): nothing goes on the wire that a crash could lose.
    mutating func transmitNew(_ id: String, preferred: SendMode) -> SendMode {
        if let entry = outbox[id], entry.sealed == nil {
            outbox[id]?.armedAtMs = now
            storeOutbox(id)
        }
        if preferred == .session, transmitSession(id) { return .session }
        if preferred != .local, transmitOffline(id) { return .offline }
        outbox[id]?.wasOffline = true
        armOutboxTimer(id, .offlineAck)
        return .local
    }

    private mutating func transmitSession(_ id: String) -> Bool {
        guard let entry = outbox[id], let session = sessions[entry.peer], let connection = link.connection,
              sendSessionFrame(to: entry.peer, type: entry.type, msgID: id, plaintext: entry.plaintext, requestID: entry.requestID)
        else { return false }
        outbox[id]?.lastTransmission = .session(generation: connection.generation, remoteSessionID: session.remoteSessionID)
        armOutboxTimer(id, .sessionAck)
        return true
    }

    private mutating func transmitOffline(_ id: String) -> Bool {
        guard let entry = outbox[id], !entry.sessionOnly, let connection = link.connection,
              sendOfflineFrame(to: entry.peer, type: entry.type, msgID: id, plaintext: entry.plaintext, requestID: entry.requestID)
        else { return false }
        outbox[id]?.wasOffline = true
        outbox[id]?.lastTransmission = .offline(generation: connection.generation)
        armOutboxTimer(id, .offlineAck)
        return true
    }

    mutating func armOutboxTimer(_ id: String, _ timer: Outbox.Timer) {
        outbox[id]?.timer = timer
        let delay = timer == .sessionAck
            ? PeerConstants.ackTimeoutMs
            : PeerConstants.offlineAckTimeoutMs(offlineMaxAgeMs: config.offlineMaxAgeMs)
        arm(.outbox(msgID: id), afterMs: delay)
    }

    mutating func cancelOutboxTimer(_ id: String) {
        outbox[id]?.timer = nil
        cancel(.outbox(msgID: id))
    }

    /// `resend(id, reason)`: at most `RETRY_MAX` retransmissions, then one `delivery_failed`.
    mutating func resend(_ id: String, reason: String) {
        guard let entry = outbox[id] else { return }
        if entry.attempts >= PeerConstants.retryMax {
            // The removal and the event are one transaction: a crash yields neither a
            // restored entry that fails a second time nor a failure nobody hears of.
            dropOutboxEntry(id)
            let attempts = entry.attempts + 1
            notifyEvent("delivery_failed", ["target": .string(entry.peer.name), "room": .string(entry.peer.room), "msg_id": .string(id)],
                        content: "⚠️ Message \(id) to \(entry.peer.name)@\(entry.peer.room) FAILED after \(attempts) attempt(s): \(reason); NOT delivered")
            emit(.delivery(DeliveryReport(msgID: id, peer: entry.peer, outcome: .failed(reason: "\(reason) (after \(attempts) attempt(s))"))))
            log(.warning, "delivery failed", line: "Delivery FAILED: \(id) to \(entry.peer.name)@\(entry.peer.room) after \(attempts) attempt(s): \(reason)",
                ["msg.id": id, "peer.name": entry.peer.name, "room": entry.peer.room])
            return
        }
        outbox[id]?.attempts += 1
        outbox[id]?.armedAtMs = now
        storeOutbox(id)
        cancelOutboxTimer(id)
        log(.debug, "retransmitting", ["msg.id": id, "peer.name": entry.peer.name, "room": entry.peer.room,
                                      "attempt": String(entry.attempts + 1), "reason": reason])
        guard link.isAuthenticated else {
            armOutboxTimer(id, .offlineAck)
            return
        }
        if sessions[entry.peer] != nil, transmitSession(id) { return }
        if !trust.isBlocked(entry.peer), !trust.isStsFailed(entry.peer), transmitOffline(id) { return }
        armOutboxTimer(id, .offlineAck)
    }

    mutating func outboxTimerDue(_ id: String) {
        guard let entry = outbox[id] else { return }
        let timer = entry.timer ?? .sessionAck
        outbox[id]?.timer = nil
        resend(id, reason: timer.expiryReason)
    }

    /// An `_ack` counts only from the peer and room the message went to.
    mutating func handleAck(_ id: String, from peer: RoomPeer) {
        guard let entry = outbox[id], entry.peer == peer else {
            log(.debug, "ack ignored (unknown id or other peer)", ["msg.id": id, "peer.name": peer.name, "room": peer.room])
            return
        }
        dropOutboxEntry(id)  // in one transaction with the `delivered` event below
        emit(.delivery(DeliveryReport(msgID: id, peer: peer, outcome: .acknowledged)))
        guard entry.wasOffline || entry.attempts > 0 else { return }
        notifyEvent("delivered", ["target": .string(peer.name), "room": .string(peer.room), "msg_id": .string(id)],
                    content: "✅ Message \(id) to \(peer.name)@\(peer.room) confirmed delivered")
    }

    mutating func handleNack(_ id: String, from peer: RoomPeer) {
        guard let entry = outbox[id], entry.peer == peer else { return }
        cancelOutboxTimer(id)
        resend(id, reason: "\(peer.name) could not decrypt it")
    }

    /// ~500 ms after `auth_ok` (§8.13 fix): everything this connection has not carried yet.
    mutating func flushOutbox() {
        guard let generation = link.connection?.generation, link.isAuthenticated else { return }
        for id in outbox.ids {
            guard let entry = outbox[id], entry.lastTransmission?.generation != generation else { continue }
            resend(id, reason: "relay link restored")
        }
    }

    /// ~200 ms after a session with `peer` came up (§8.13 fix): everything for that peer
    /// this session has not carried yet, whatever timers are armed.
    mutating func retryOutbox(for peer: RoomPeer) {
        guard let session = sessions[peer], let generation = link.connection?.generation else { return }
        let current = Outbox.Transmission.session(generation: generation, remoteSessionID: session.remoteSessionID)
        for id in outbox.ids {
            guard let entry = outbox[id], entry.peer == peer, entry.lastTransmission != current else { continue }
            resend(id, reason: "session established")
        }
    }
}
