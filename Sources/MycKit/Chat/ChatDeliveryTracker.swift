/// Which of this session's sends still await their end, and what a `DeliveryReport` means
/// for them. Each message ends once: a chunked message is delivered when every part is,
/// and fails at its first failed part.
///
/// Reports come from `PeerService.deliveries`, one per tracked send, live ones included.
/// A fast `_ack` can be reported before `send` has returned its msg_id to the session
/// (the two travel on different tasks), so a report for an id not yet tracked is kept
/// for a while and applied when the send is tracked.
public struct ChatDeliveryTracker: Sendable, Equatable {
    public enum Update: Sendable, Equatable {
        case delivered(target: String, room: String)
        case failed(target: String, room: String, reason: String)
    }

    struct Entry: Sendable, Equatable {
        var target: String
        var room: String
        var parts: Set<String>
        var order: Int
    }

    private var entries: [String: Entry] = [:]
    /// msg_id of a part → logical id.
    private var partOwner: [String: String] = [:]
    /// Reports that arrived before their send was tracked, oldest first.
    private var early: [DeliveryReport] = []
    /// Ids this session tracked and saw end (so the engine's own `delivered` event for
    /// them is not shown a second time); bounded.
    private var ended: [String] = []
    private var counter = 0
    /// Most sends kept unresolved, and most early reports or ended ids remembered.
    static let memory = 1000

    public init() {}

    /// Tracked sends not yet delivered or failed.
    public var unresolved: Int { entries.count }

    /// Whether this session sent `msgID` (a message or one of its parts).
    public func knows(_ msgID: String) -> Bool {
        partOwner[msgID] != nil || ended.contains(msgID) || early.contains { $0.msgID == msgID }
    }

    /// Starts tracking a send; returns the update if its reports all arrived already.
    @discardableResult
    public mutating func track(_ outcome: SendOutcome) -> Update? {
        switch outcome {
        case let .sentLive(target, room, id, _, chunks), let .sentOffline(target, room, id, chunks),
             let .queuedLocally(target, room, id, chunks):
            add(id, target: target, room: room, chunks: chunks)
            var result: Update?
            for report in early where partOwner[report.msgID] != nil {
                early.removeAll { $0 == report }
                if let update = resolve(report) { result = update }
            }
            return result
        default:
            return nil
        }
    }

    @discardableResult
    public mutating func track(_ outcome: BroadcastOutcome) -> [Update] {
        outcome.results.compactMap { track($0) }
    }

    /// The update a report brings, if it ends a tracked send; nil otherwise (another
    /// part still pending, or not tracked yet: kept for `track`).
    public mutating func resolve(_ report: DeliveryReport) -> Update? {
        guard let logical = partOwner[report.msgID], var entry = entries[logical] else {
            early.append(report)
            if early.count > Self.memory { early.removeFirst() }
            return nil
        }
        switch report.outcome {
        case .acknowledged:
            entry.parts.remove(report.msgID)
            partOwner.removeValue(forKey: report.msgID)
            remember(report.msgID)
            guard entry.parts.isEmpty else {
                entries[logical] = entry
                return nil
            }
            forget(logical)
            return .delivered(target: entry.target, room: entry.room)
        case .failed(let reason):
            forget(logical)
            return .failed(target: entry.target, room: entry.room, reason: ChatText.sanitize(reason))
        }
    }

    private mutating func add(_ id: String, target: String, room: String, chunks: Int) {
        let parts = chunks > 1 ? Set((0..<chunks).map { MessageIDGenerator.chunkPart(id, index: $0) }) : [id]
        counter += 1
        entries[id] = Entry(target: target, room: room, parts: parts, order: counter)
        for part in parts { partOwner[part] = id }
        if entries.count > Self.memory, let oldest = entries.min(by: { $0.value.order < $1.value.order }) {
            forget(oldest.key)
        }
    }

    private mutating func forget(_ logical: String) {
        guard let entry = entries.removeValue(forKey: logical) else { return }
        for part in entry.parts { partOwner.removeValue(forKey: part) }
        remember(logical)
        for part in entry.parts { remember(part) }
    }

    private mutating func remember(_ id: String) {
        ended.append(id)
        if ended.count > Self.memory { ended.removeFirst(ended.count - Self.memory) }
    }
}
