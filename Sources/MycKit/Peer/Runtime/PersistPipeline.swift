/// Group commit for the peer's store: the runtime's FIFO of engine actions that wait for
/// the disk. Pure bookkeeping, no I/O: `PeerRuntime` feeds it the engine's output, runs
/// the store write it hands out on the store thread, and carries out what it releases.
///
/// The promise it keeps is the one `PeerAction` makes: an action that follows a `.persist`
/// never runs before that persist is on disk, and every action keeps its global order
/// (across inputs, not only within one). A write covers everything accepted while the
/// previous one was on disk, so under load one fsync carries many engine events; idle, a
/// lone persist is written at once, as before.
struct PersistPipeline {
    enum Entry {
        case persist([PeerStoreChange])
        case action(PeerAction)
    }

    /// Waiting entries, oldest first. The first `writing` of them are the batch on disk
    /// right now. When no write is in flight the backlog is empty or starts with a persist:
    /// actions with nothing to wait for are released at once (`submit`, `written`).
    private var backlog: [Entry] = []
    private var writing = 0

    var isWriting: Bool { writing > 0 }
    /// Nothing waits and nothing is being written: memory and disk agree.
    var isSettled: Bool { backlog.isEmpty }

    /// Takes one input's actions and returns those that may run now: the ones before the
    /// first persist, when nothing is ahead of them. The rest waits, in order.
    mutating func submit(_ actions: [PeerAction]) -> [PeerAction] {
        var ready: [PeerAction] = []
        for action in actions {
            if case let .persist(changes) = action {
                backlog.append(.persist(changes))
            } else if backlog.isEmpty {
                ready.append(action)
            } else {
                backlog.append(.action(action))
            }
        }
        return ready
    }

    /// The changes of the next write, when none is in flight and a persist waits: every
    /// persist in the backlog, concatenated in order, for one transaction. The whole
    /// backlog joins the batch (the actions between and after those persists run when it
    /// completes), so nothing accepted later can overtake them.
    mutating func nextBatch() -> [PeerStoreChange]? {
        guard writing == 0, !backlog.isEmpty else { return nil }
        writing = backlog.count
        return Self.changes(in: backlog)
    }

    /// The in-flight write is on disk: returns the batch's actions in order, followed by
    /// the actions accepted since then that wait for no persist of their own (up to the
    /// next persist, which then starts the next batch).
    mutating func written() -> [PeerAction] {
        precondition(writing > 0, "no write in flight")
        var ready = backlog.prefix(writing).compactMap(\.action)
        backlog.removeFirst(writing)
        writing = 0
        while let action = backlog.first?.action {
            ready.append(action)
            backlog.removeFirst()
        }
        return ready
    }

    /// The in-flight write failed: nothing of it or after it may run, ever.
    mutating func failed() {
        backlog.removeAll()
        writing = 0
    }

    /// Changes the engine has made in memory that no write has taken yet (the batch in
    /// flight excluded): what a reload from disk must lay over the snapshot to match memory.
    var unwrittenChanges: [PeerStoreChange] {
        Self.changes(in: backlog.dropFirst(writing))
    }

    private static func changes(in entries: some Sequence<Entry>) -> [PeerStoreChange] {
        entries.flatMap { entry -> [PeerStoreChange] in
            if case let .persist(changes) = entry { return changes }
            return []
        }
    }
}

extension PersistPipeline.Entry {
    var action: PeerAction? {
        if case let .action(action) = self { return action }
        return nil
    }
}
