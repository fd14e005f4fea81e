/// Replay protection (§5.10): a dedup set of committed msg_ids scoped to
/// `(room, relay-stamped sender)`, and a 64-wide sequence window per
/// `(room, sender, session_id)`. `check` is pure; state changes only in `commit`, which
/// the gate calls after the signature verified **and** the ciphertext opened, so a forged
/// or undecryptable frame can never burn an id or a sequence number.
struct ReplayGuard: Sendable {
    struct SeenKey: Hashable, Sendable {
        var peer: RoomPeer
        var msgID: ExactString
    }

    struct WindowKey: Hashable, Sendable {
        var peer: RoomPeer
        var sessionID: ExactString
    }

    struct Window: Sendable, Equatable {
        var last: Int64
        var mask: UInt64
    }

    enum Verdict: Equatable, Sendable {
        case fresh
        /// The msg_id was committed before.
        case duplicateID
        /// The seq is below the window or its bit is set.
        case duplicateSeq
    }

    static let width = Int64(PeerConstants.replayWindow)

    private(set) var seen: [SeenKey: Int64] = [:]
    private(set) var windows: [WindowKey: Window] = [:]

    init(seen: [SeenEntry] = [], windows: [ReplayWindowRecord] = []) {
        for entry in seen { self.seen[SeenKey(peer: entry.peer, msgID: ExactString(entry.msgID))] = entry.atMs }
        for record in windows {
            self.windows[WindowKey(peer: record.peer, sessionID: ExactString(record.sessionID))] =
                Window(last: record.last, mask: record.mask)
        }
    }

    /// Steps 1–3 of the check. `seq`/`sessionID` are `nil` for offline envelopes (msg_id
    /// dedup only) and for frames without a numeric seq or a session id.
    func check(peer: RoomPeer, msgID: String?, seq: Int64?, sessionID: String?) -> Verdict {
        if let msgID, seen[SeenKey(peer: peer, msgID: ExactString(msgID))] != nil { return .duplicateID }
        guard let seq, let sessionID,
              let window = windows[WindowKey(peer: peer, sessionID: ExactString(sessionID))],
              seq <= window.last else { return .fresh }
        let offset = window.last - seq
        if offset >= Self.width { return .duplicateSeq }
        return window.mask & (1 << UInt64(offset)) != 0 ? .duplicateSeq : .fresh
    }

    /// Commits an accepted frame and returns what to persist.
    /// - Parameter recordID: `false` for `_ack`/`_nack`, whose fresh ids are never
    ///   retransmitted and would only crowd the dedup set (the window still covers them).
    mutating func commit(peer: RoomPeer, msgID: String?, seq: Int64?, sessionID: String?,
                         recordID: Bool = true, nowMs: Int64) -> [PeerStoreChange] {
        var changes: [PeerStoreChange] = []
        if recordID, let msgID {
            let key = SeenKey(peer: peer, msgID: ExactString(msgID))
            if seen[key] == nil {
                seen[key] = nowMs
                changes.append(.addSeen(SeenEntry(peer: peer, msgID: msgID, atMs: nowMs)))
            }
        }
        if let seq, let sessionID {
            let key = WindowKey(peer: peer, sessionID: ExactString(sessionID))
            var window = windows[key] ?? Window(last: -1, mask: 0)
            if seq > window.last {
                let shift = seq - window.last
                window.mask = shift >= Self.width ? 1 : (window.mask << UInt64(shift)) | 1
                window.last = seq
            } else if window.last - seq < Self.width {
                window.mask |= 1 << UInt64(window.last - seq)
            }
            windows[key] = window
            changes.append(.setWindow(ReplayWindowRecord(peer: peer, sessionID: sessionID, last: window.last, mask: window.mask)))
        }
        return changes
    }

    /// The 10 s sweep: drop ids seen at or before `now − expiry`, then the oldest beyond
    /// `cap`. Returns the store change when anything was dropped.
    mutating func prune(nowMs: Int64, expiryMs: Int64, cap: Int) -> PeerStoreChange? {
        let cutoff = nowMs - expiryMs
        let before = seen.count
        seen = seen.filter { $0.value > cutoff }
        if seen.count > cap {
            let keep = seen.sorted { $0.value > $1.value }.prefix(cap)
            seen = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
        guard seen.count != before else { return nil }
        return .pruneSeen(atOrBeforeMs: cutoff, keepAtMost: cap)
    }

    func window(peer: RoomPeer, sessionID: String) -> Window? {
        windows[WindowKey(peer: peer, sessionID: ExactString(sessionID))]
    }
}
