/// Crash durability of what the peer has accepted but not finished: outbox entries (sent,
/// not yet acked or failed) and received chunk parts (acked, not yet reassembled).
///
/// Both are stored with their text sealed (`crypto_box_seal`) to this peer's own
/// identity-derived Curve25519 key, so nothing a peer sends or is still reassembling is ever
/// in clear on disk. An outbox entry is stored before its first transmission and removed in
/// the same transaction as the `delivered`/`delivery_failed` event that ends it; a chunk part
/// is stored in the transaction of its dedup commit, before its `_ack`. After a restart the
/// engine restores both, re-arms their timers at `.start`, and the post-`auth_ok` flush
/// retransmits every restored entry under its own msg_id (the receiver dedups).
extension PeerEngine {
    // MARK: Sealing at rest

    /// `plaintext` sealed to our own identity key; `nil` (and an error logged) without one.
    mutating func sealAtRest(_ plaintext: [UInt8], what: String) -> [UInt8]? {
        if let identityCurve, let sealed = try? SealedBox.seal(plaintext, to: identityCurve.publicKey) { return sealed }
        log(.error, "cannot seal for the store; kept in memory only",
            line: "Cannot seal \(what) to this identity's key: it is kept in memory only and a restart loses it",
            ["what": what])
        return nil
    }

    func openAtRest(_ sealed: [UInt8]) -> [UInt8]? {
        guard let identityCurve else { return nil }
        return try? identityCurve.openSealed(sealed)
    }

    // MARK: Outbox

    /// Stores the entry's current state (sealing its plaintext the first time). Called before
    /// its first transmission and before each retransmission, so `attempts` survives a crash.
    mutating func storeOutbox(_ id: String) {
        guard let entry = outbox[id] else { return }
        let sealed: [UInt8]
        if let existing = entry.sealed {
            sealed = existing
        } else {
            guard let fresh = sealAtRest(Array(entry.plaintext.utf8), what: "message \(id)") else { return }
            sealed = fresh
            outbox[id]?.sealed = fresh
        }
        persist([.putOutbox(entry.durable(sealed: sealed))])
    }

    /// Forgets an entry for good: timer, memory and store.
    mutating func dropOutboxEntry(_ id: String) {
        cancel(.outbox(msgID: id))
        outbox.remove(id)
        persist([.removeOutbox(msgID: id)])
    }

    // MARK: Chunk parts

    /// Stores one new part of `buffer` (already in the reassembler).
    mutating func storeChunkPart(_ buffer: ChunkBufferID, index: Int) {
        guard let open = chunks.buffers[buffer], let bytes = open.parts[index],
              let sealed = sealAtRest(bytes, what: "part \(index) of \(buffer.logicalID)") else { return }
        persist([.putChunkPart(DurableChunkPart(buffer: buffer, count: open.count, index: index, sealedData: sealed,
                                                openedAtMs: open.openedAtMs))])
    }

    // MARK: Restart

    /// At init: rebuilds the outbox and the chunk buffers from the snapshot. Entries whose
    /// sealed text does not open with this identity's key are kept aside and reported (and
    /// dropped from the store) at `.start`; nothing is discarded silently.
    mutating func restoreDurableState(_ snapshot: PeerStateSnapshot) {
        for row in snapshot.outbox {
            guard let bytes = openAtRest(row.sealedPlaintext), let text = RoutedFrame.decodePlaintext(bytes) else {
                outbox.unrestorable.append(row)
                continue
            }
            var entry = Outbox.Entry(msgID: row.msgID, peer: row.peer, plaintext: text, type: row.type,
                                     requestID: row.requestID, createdAtMs: row.createdAtMs)
            entry.attempts = row.attempts
            // The face that sent it is gone: whoever runs now hears how it ended.
            entry.wasOffline = true
            entry.sessionOnly = row.sessionOnly
            entry.sealed = row.sealedPlaintext
            entry.armedAtMs = row.armedAtMs
            outbox[row.msgID] = entry
        }
        let identityCurve = identityCurve
        chunks.restore(snapshot.chunkParts) { sealed in
            guard let identityCurve else { return nil }
            return try? identityCurve.openSealed(sealed)
        }
    }

    /// At `.start`: reports what could not be restored, and re-arms the timers of what was.
    /// A restored entry waits for the rest of its offline delivery window, counted from its
    /// last transmission; the flush after `auth_ok` resends it well before that.
    mutating func resumeDurableState() {
        for row in outbox.unrestorable {
            persist([.removeOutbox(msgID: row.msgID)])
            let (name, room) = (row.peer.name, row.peer.room)
            notifyEvent("delivery_failed", ["target": .string(name), "room": .string(room), "msg_id": .string(row.msgID)],
                        content: "⚠️ Message \(row.msgID) to \(name)@\(room) could not be restored after a restart (its stored copy does not open with this identity's key); NOT delivered")
            emit(.delivery(DeliveryReport(msgID: row.msgID, peer: row.peer,
                                          outcome: .failed(reason: "its stored copy could not be restored after a restart"))))
            log(.error, "stored outbox entry cannot be opened; dropped",
                line: "Outbox entry \(row.msgID) to \(name)@\(room) cannot be opened with this identity's key: dropped, NOT delivered",
                ["msg.id": row.msgID, "peer.name": name, "room": room])
        }
        outbox.unrestorable = []
        for buffer in chunks.unrestorable {
            persist([.removeChunkBuffer(buffer)])
            let (name, room) = (buffer.peer.name, buffer.peer.room)
            notifyEvent("chunk_timeout", ["from_peer": .string(name), "room": .string(room), "msg_id": .string(buffer.logicalID)],
                        content: "⚠️ Incomplete chunked message \(buffer.logicalID) from \(name)@\(room) discarded: its stored parts could not be restored")
            log(.error, "stored chunk parts cannot be restored; dropped", ["msg.id": buffer.logicalID, "peer.name": name, "room": room])
        }
        chunks.unrestorable = []

        var restored = 0
        let window = PeerConstants.offlineAckTimeoutMs(offlineMaxAgeMs: config.offlineMaxAgeMs)
        for id in outbox.ids {
            guard let entry = outbox[id], entry.timer == nil, !isArmed(.outbox(msgID: id)) else { continue }
            outbox[id]?.timer = .offlineAck
            let deadline = (entry.armedAtMs ?? entry.createdAtMs) + window
            arm(.outbox(msgID: id), afterMs: max(0, deadline - now))
            restored += 1
        }
        for (buffer, open) in chunks.buffers where !isArmed(.chunkTimeout(buffer)) {
            arm(.chunkTimeout(buffer), afterMs: max(0, open.openedAtMs + PeerConstants.chunkTimeoutMs - now))
        }
        if restored > 0 {
            log(.notice, "outbox restored", line: "Restored \(restored) unacknowledged message(s); they are resent once the relay link is up",
                ["count": String(restored)])
        }
    }

    /// Re-seals everything stored at rest to the **current** `identityCurve` and stores it
    /// again. Key rotation calls this right after swapping the identity: the old secret key
    /// is gone afterwards, so anything still sealed to it could never be restored.
    mutating func resealOutbox() {
        for id in outbox.ids {
            outbox[id]?.sealed = nil
            storeOutbox(id)
        }
        for (buffer, open) in chunks.buffers {
            for index in open.parts.keys.sorted() { storeChunkPart(buffer, index: index) }
        }
    }
}
