import Synchronization

/// A `PeerStore` held in memory, with the same semantics as `SQLitePeerStore` (insertion
/// order, replace-in-place, byte-wise keys, idempotent changes, inbox cap and counter), for
/// engine and runtime tests that do not want SQLite. Nothing survives the process.
///
/// It has no other process to notice, so `externalChangeToken()` changes only when a test
/// calls `applyExternally(_:)` to play the part of `myc trust`.
public final class InMemoryPeerStore: PeerStore, PeerReferenceImportTarget {
    /// A string compared by its UTF-8 bytes (never by canonical equivalence).
    private struct Bytes: Hashable {
        let bytes: [UInt8]
        init(_ text: String) { bytes = Array(text.utf8) }
    }

    private struct SeenKey: Hashable {
        let peer: RoomPeer
        let msgID: Bytes
    }

    private struct WindowKey: Hashable {
        let peer: RoomPeer
        let sessionID: Bytes
    }

    private struct State {
        var pins: [Pin] = []
        var blocked: [BlockedKey] = []
        var stsFailed: [RoomPeer] = []
        /// Key → (entry, insertion number).
        var seen: [SeenKey: (entry: SeenEntry, seq: Int64)] = [:]
        var seenSeq: Int64 = 0
        var windows: [ReplayWindowRecord] = []
        var outbox: [DurableOutboxEntry] = []
        var chunkParts: [DurableChunkPart] = []
        var inbox: [PeerNotification] = []
        var dropped = 0
        var token: Int64 = 0
        var meta: [String: String] = [:]
    }

    private let state: Mutex<State>

    public init(_ snapshot: PeerStateSnapshot = PeerStateSnapshot()) {
        var initial = State()
        Self.apply(Self.changes(restoring: snapshot), to: &initial)
        state = Mutex(initial)
    }

    // MARK: - PeerStore

    public func loadSnapshot(nowMs: Int64) -> PeerStateSnapshot {
        state.withLock { Self.snapshot($0) }
    }

    public func apply(_ changes: [PeerStoreChange]) {
        state.withLock { Self.apply(changes, to: &$0) }
    }

    public func externalChangeToken() -> Int64 {
        state.withLock { $0.token }
    }

    public func appendInbox(_ entry: PeerNotification, cap: Int) {
        state.withLock { Self.appendInbox(entry, cap: cap, to: &$0) }
    }

    public func drainInbox(max: Int, peek: Bool) -> InboxDrain {
        state.withLock { state in
            let entries = Array(state.inbox.prefix(Swift.max(max, 0)))
            if peek { return InboxDrain(entries: entries, dropped: 0) }
            state.inbox.removeFirst(entries.count)
            defer { state.dropped = 0 }
            return InboxDrain(entries: entries, dropped: state.dropped)
        }
    }

    public func inboxCount() -> Int {
        state.withLock { $0.inbox.count }
    }

    // MARK: - Beyond the protocol

    /// Applies `changes` as if another process had written them: the token changes.
    public func applyExternally(_ changes: [PeerStoreChange]) {
        state.withLock { state in
            Self.apply(changes, to: &state)
            state.token &+= 1
        }
    }

    // MARK: - PeerReferenceImportTarget

    public func hasImported(marker: String) -> Bool {
        state.withLock { $0.meta[marker] != nil }
    }

    public func importOnce(
        marker: String, value: String, _ changes: (_ current: PeerStateSnapshot) -> [PeerStoreChange]
    ) -> Bool {
        state.withLock { state in
            if state.meta[marker] != nil { return false }
            Self.apply(changes(Self.snapshot(state)), to: &state)
            state.meta[marker] = value
            return true
        }
    }

    // MARK: - Private

    private static func changes(restoring snapshot: PeerStateSnapshot) -> [PeerStoreChange] {
        snapshot.pins.map { .setPin($0) } + snapshot.blocked.map { .setBlocked($0) }
            + snapshot.stsFailed.map { .addStsFailed($0) } + snapshot.seen.map { .addSeen($0) }
            + snapshot.windows.map { .setWindow($0) } + snapshot.outbox.map { .putOutbox($0) }
            + snapshot.chunkParts.map { .putChunkPart($0) }
    }

    private static func snapshot(_ state: State) -> PeerStateSnapshot {
        PeerStateSnapshot(
            pins: state.pins, blocked: state.blocked, stsFailed: state.stsFailed,
            seen: state.seen.values.sorted { $0.seq < $1.seq }.map(\.entry),
            windows: state.windows, outbox: state.outbox, chunkParts: state.chunkParts)
    }

    private static func appendInbox(_ entry: PeerNotification, cap: Int, to state: inout State) {
        var stored = entry
        stored.permissionVerdict = nil  // not persisted by the SQLite store either
        state.inbox.append(stored)
        let excess = state.inbox.count - max(cap, 0)
        if excess > 0 {
            state.inbox.removeFirst(excess)
            state.dropped += excess
        }
    }

    private static func apply(_ changes: [PeerStoreChange], to state: inout State) {
        for change in changes { apply(change, to: &state) }
    }

    private static func apply(_ change: PeerStoreChange, to state: inout State) {
        switch change {
        case .setPin(let pin):
            if let i = state.pins.firstIndex(where: { $0.peer == pin.peer }) { state.pins[i] = pin } else { state.pins.append(pin) }
        case let .touchPin(peer, lastSeenMs):
            if let i = state.pins.firstIndex(where: { $0.peer == peer }) { state.pins[i].lastSeenMs = lastSeenMs }
        case .removePin(let peer):
            state.pins.removeAll { $0.peer == peer }
        case .setBlocked(let blocked):
            if let i = state.blocked.firstIndex(where: { $0.peer == blocked.peer }) {
                state.blocked[i] = blocked
            } else {
                state.blocked.append(blocked)
            }
        case .clearBlocked(let peer):
            state.blocked.removeAll { $0.peer == peer }
        case .addStsFailed(let peer):
            if !state.stsFailed.contains(peer) { state.stsFailed.append(peer) }
        case .clearStsFailed(let peer):
            state.stsFailed.removeAll { $0 == peer }
        case .addSeen(let entry):
            let key = SeenKey(peer: entry.peer, msgID: Bytes(entry.msgID))
            if let existing = state.seen[key] {
                state.seen[key] = (entry, existing.seq)
            } else {
                state.seenSeq += 1
                state.seen[key] = (entry, state.seenSeq)
            }
        case let .pruneSeen(atOrBeforeMs, keepAtMost):
            state.seen = state.seen.filter { $0.value.entry.atMs > atOrBeforeMs }
            let excess = state.seen.count - max(keepAtMost, 0)
            if excess > 0 {
                let oldest = state.seen.sorted { $0.value.seq < $1.value.seq }.prefix(excess).map(\.key)
                for key in oldest { state.seen[key] = nil }
            }
        case .setWindow(let window):
            let key = WindowKey(peer: window.peer, sessionID: Bytes(window.sessionID))
            if let i = state.windows.firstIndex(where: { WindowKey(peer: $0.peer, sessionID: Bytes($0.sessionID)) == key }) {
                state.windows[i] = window
            } else {
                state.windows.append(window)
            }
        case .putOutbox(let entry):
            if let i = state.outbox.firstIndex(where: { $0.msgID.isExactly(entry.msgID) }) {
                state.outbox[i] = entry
            } else {
                state.outbox.append(entry)
            }
        case .removeOutbox(let msgID):
            state.outbox.removeAll { $0.msgID.isExactly(msgID) }
        case .putChunkPart(let part):
            if let i = state.chunkParts.firstIndex(where: { $0.buffer == part.buffer && $0.index == part.index }) {
                state.chunkParts[i] = part
            } else {
                state.chunkParts.append(part)
            }
        case .removeChunkBuffer(let buffer):
            state.chunkParts.removeAll { $0.buffer == buffer }
        case let .appendInbox(entry, cap):
            appendInbox(entry, cap: cap, to: &state)
        }
    }
}
