/// The offline queue of PROTOCOL.md §4.4: one FIFO per `(room, target)`.
///
/// Pure bookkeeping: it assigns ids and decides; the core turns its answers into
/// `StoreChange`s. Sizes are UTF-8 bytes of the frame text (the reference counts UTF-16
/// units, §8.18); entries that expired but were not swept yet still count against caps.
///
/// Rooms, targets and senders are compared byte-exactly (`ExactString`): `"K"` and
/// `"\u{212A}"` have separate queues and separate fair shares.
struct OfflineQueue: Sendable, Equatable {
    struct Key: Hashable, Sendable {
        var room: ExactString
        var target: ExactString
    }

    private struct Queue: Sendable, Equatable {
        var frames: [QueuedFrame] = []
        var bytes: Int = 0
    }

    /// Why a frame was refused, in the order the caps are checked.
    enum Rejection: Error, Sendable, Equatable {
        /// The queue already holds `queueMaxMessages` entries.
        case count
        /// The frame would push the queue past `queueMaxBytes`.
        case bytes
        /// The sender already holds its fair share `max(3, ceil(maxMsgs / activePeers))`.
        case fairShare
    }

    let maxMessages: Int
    let maxBytes: Int
    let ttlMs: Int64
    private var queues: [Key: Queue] = [:]
    /// Next id to assign; kept above every id ever loaded or assigned.
    private(set) var nextID: Int64 = 1
    /// Entries across all queues.
    private(set) var totalCount = 0

    /// Starts from the stored frames (oldest first); ids continue above the largest one and
    /// never below `firstID` (the store may still hold expired rows with larger ids).
    init(limits: RelayLimits, frames: [QueuedFrame], firstID: Int64 = 1) {
        nextID = max(1, firstID)
        maxMessages = limits.queueMaxMessages
        maxBytes = limits.queueMaxBytes
        ttlMs = limits.queueTTLMs
        for frame in frames.sorted(by: { $0.id < $1.id }) {
            let key = Key(room: ExactString(frame.room), target: ExactString(frame.target))
            queues[key, default: Queue()].frames.append(frame)
            queues[key]!.bytes += frame.size
            totalCount += 1
            nextID = max(nextID, frame.id + 1)
        }
    }

    /// Number of non-empty queues (`offline_queues` in `/health`).
    var queueCount: Int { queues.count }

    /// The queued frames for `(room, target)`, oldest first.
    func frames(room: String, target: String) -> [QueuedFrame] {
        frames(room: ExactString(room), target: ExactString(target))
    }

    func frames(room: ExactString, target: ExactString) -> [QueuedFrame] {
        queues[Key(room: room, target: target)]?.frames ?? []
    }

    /// Checks the caps in order (count, bytes, fair share) and appends the frame on success.
    /// `activePeers` is the number of connections in the room right now.
    mutating func enqueue(
        room: String, target: String, sender: String, data: String, activePeers: Int, nowMs: Int64
    ) -> Result<QueuedFrame, Rejection> {
        enqueue(
            room: ExactString(room), target: ExactString(target), sender: ExactString(sender),
            data: data, activePeers: activePeers, nowMs: nowMs)
    }

    mutating func enqueue(
        room: ExactString, target: ExactString, sender: ExactString, data: String, activePeers: Int, nowMs: Int64
    ) -> Result<QueuedFrame, Rejection> {
        let key = Key(room: room, target: target)
        let size = data.utf8.count
        let queue = queues[key] ?? Queue()
        if queue.frames.count >= maxMessages { return .failure(.count) }
        if queue.bytes + size > maxBytes { return .failure(.bytes) }
        let active = max(1, activePeers)
        let perSenderMax = max(3, (maxMessages + active - 1) / active)
        var fromSender = 0
        for frame in queue.frames where ExactString(frame.sender) == sender { fromSender += 1 }
        if fromSender >= perSenderMax { return .failure(.fairShare) }

        let frame = QueuedFrame(
            id: nextID, room: room.string, target: target.string, sender: sender.string,
            data: data, size: size, expiresAtMs: nowMs + ttlMs)
        nextID += 1
        queues[key, default: Queue()].frames.append(frame)
        queues[key]!.bytes += size
        totalCount += 1
        return .success(frame)
    }

    /// Takes the whole `(room, target)` queue out. `deliver` holds the entries still alive
    /// (`expiresAt >= now`) in FIFO order; `removedIDs` every entry taken, for the store.
    mutating func drain(room: String, target: String, nowMs: Int64) -> (deliver: [QueuedFrame], removedIDs: [Int64]) {
        drain(room: ExactString(room), target: ExactString(target), nowMs: nowMs)
    }

    mutating func drain(room: ExactString, target: ExactString, nowMs: Int64) -> (deliver: [QueuedFrame], removedIDs: [Int64]) {
        guard let queue = queues.removeValue(forKey: Key(room: room, target: target)) else { return ([], []) }
        totalCount -= queue.frames.count
        return (queue.frames.filter { $0.expiresAtMs >= nowMs }, queue.frames.map(\.id))
    }

    /// Removes entries with `expiresAt <= now` and drops queues left empty; returns how many went.
    mutating func sweep(nowMs: Int64) -> Int {
        var removed = 0
        for key in Array(queues.keys) {
            var queue = queues[key]!
            let before = queue.frames.count
            guard queue.frames.contains(where: { $0.expiresAtMs <= nowMs }) else { continue }
            queue.frames.removeAll { $0.expiresAtMs <= nowMs }
            queue.bytes = queue.frames.reduce(0) { $0 + $1.size }
            removed += before - queue.frames.count
            queues[key] = queue.frames.isEmpty ? nil : queue
        }
        totalCount -= removed
        return removed
    }
}
