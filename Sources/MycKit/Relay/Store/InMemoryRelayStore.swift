import Synchronization

/// A `RelayStore` held in memory, with the same semantics as `SQLiteRelayStore`
/// (insertion order, idempotent changes, rebind in place, replace-on-enqueue), for core
/// and edge tests that do not want SQLite. Nothing survives the process.
///
/// It has no other process to notice, so `externalChangeToken()` changes only when a
/// test calls `applyExternally(_:)` to play the part of `myc allow`.
public final class InMemoryRelayStore: RelayStore, ReferenceImportTarget {
    private struct State {
        var allowList = AllowListSnapshot()
        /// Sorted by id.
        var queue: [QueuedFrame] = []
        var token: Int64 = 0
        var meta: [String: String] = [:]
    }

    private let state: Mutex<State>

    public init(allowList: AllowListSnapshot = AllowListSnapshot(), queue: [QueuedFrame] = []) {
        var initial = State()
        initial.allowList = allowList
        initial.queue = queue.sorted { $0.id < $1.id }
        state = Mutex(initial)
    }

    // MARK: - RelayStore

    public func loadAllowList() -> AllowListSnapshot {
        state.withLock { $0.allowList }
    }

    public func loadQueue(nowMs: Int64) -> [QueuedFrame] {
        state.withLock { $0.queue.filter { $0.expiresAtMs > nowMs } }
    }

    public func apply(_ changes: [StoreChange]) {
        state.withLock { state in
            for change in changes { Self.apply(change, to: &state) }
        }
    }

    public func externalChangeToken() -> Int64 {
        state.withLock { $0.token }
    }

    // MARK: - Beyond the protocol

    /// Applies `changes` as if another process had written them: the token changes.
    public func applyExternally(_ changes: [StoreChange]) {
        state.withLock { state in
            for change in changes { Self.apply(change, to: &state) }
            state.token &+= 1
        }
    }

    /// The largest stored queue id, expired or not (see `SQLiteRelayStore`).
    public func largestQueuedFrameId() -> Int64? {
        state.withLock { $0.queue.last?.id }
    }

    // MARK: - ReferenceImportTarget

    public func hasImported(marker: String) -> Bool {
        state.withLock { $0.meta[marker] != nil }
    }

    public func importOnce(
        marker: String, value: String, _ changes: (_ firstFreeQueueId: Int64) -> [StoreChange]
    ) -> Bool {
        state.withLock { state in
            if state.meta[marker] != nil { return false }
            for change in changes((state.queue.last?.id ?? 0) + 1) { Self.apply(change, to: &state) }
            state.meta[marker] = value
            return true
        }
    }

    // MARK: - Private

    private static func apply(_ change: StoreChange, to state: inout State) {
        switch change {
        case let .bind(room, name, key):
            if let i = state.allowList.bindings.firstIndex(where: { $0.room == room && $0.name == name }) {
                state.allowList.bindings[i].key = key
            } else {
                state.allowList.bindings.append(.init(room: room, name: name, key: key))
            }
        case let .unbind(room, name):
            state.allowList.bindings.removeAll { $0.room == room && $0.name == name }
        case let .addLegacy(room, key):
            add(.init(room: room, key: key), to: &state.allowList.legacy)
        case let .removeLegacy(room, key):
            state.allowList.legacy.removeAll { $0.room == room && $0.key == key }
        case let .revoke(room, key):
            add(.init(room: room, key: key), to: &state.allowList.revoked)
        case let .unrevoke(room, key):
            state.allowList.revoked.removeAll { $0.room == room && $0.key == key }
        case .enqueue(let frame):
            if let i = state.queue.firstIndex(where: { $0.id >= frame.id }) {
                if state.queue[i].id == frame.id {
                    state.queue[i] = frame
                } else {
                    state.queue.insert(frame, at: i)
                }
            } else {
                state.queue.append(frame)
            }
        case .dequeue(let ids):
            let gone = Set(ids)
            state.queue.removeAll { gone.contains($0.id) }
        case .expireQueue(let nowMs):
            state.queue.removeAll { $0.expiresAtMs <= nowMs }
        }
    }

    private static func add(_ entry: AllowListSnapshot.RoomKey, to list: inout [AllowListSnapshot.RoomKey]) {
        if !list.contains(entry) { list.append(entry) }
    }
}
