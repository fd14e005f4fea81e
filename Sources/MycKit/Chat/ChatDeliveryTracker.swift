/// Which of this session's sends still await their end, and what a `delivered` or
/// `delivery_failed` event means for them. Each message ends once: a chunked message is
/// delivered when every part is, and fails at its first failed part.
///
/// What the engine reports (§5.12): `delivered` only for sends that were deferred (offline
/// envelope, queued locally) or retried; a live send acknowledged at once produces no
/// event. So a live send is `unconfirmed` here until an event says otherwise; only the
/// deferred ones are `awaiting` (see `ChatPipeMode` for what that means at end of input).
public struct ChatDeliveryTracker: Sendable, Equatable {
    public enum Update: Sendable, Equatable {
        case delivered(target: String, room: String)
        case failed(target: String, room: String, reason: String)
    }

    struct Entry: Sendable, Equatable {
        var target: String
        var room: String
        var parts: Set<String>
        var deferred: Bool
        var order: Int
    }

    private var entries: [String: Entry] = [:]
    /// msg_id of a part → logical id.
    private var partOwner: [String: String] = [:]
    private var counter = 0
    /// Live sends are kept (so a late `delivered` after a retry still finds them) up to this many.
    static let liveMemory = 1000

    public init() {}

    /// Deferred sends (📮 offline envelope, ⏳ queued) not yet delivered or failed.
    public var awaiting: Int { entries.values.filter(\.deferred).count }
    /// Every tracked send not yet delivered or failed, live ones included.
    public var unresolved: Int { entries.count }

    public mutating func track(_ outcome: SendOutcome) {
        switch outcome {
        case let .sentLive(target, room, id, _, chunks):
            add(id, target: target, room: room, chunks: chunks, deferred: false)
        case let .sentOffline(target, room, id, chunks), let .queuedLocally(target, room, id, chunks):
            add(id, target: target, room: room, chunks: chunks, deferred: true)
        default:
            break
        }
    }

    public mutating func track(_ outcome: BroadcastOutcome) {
        outcome.results.forEach { track($0) }
    }

    /// The update a `delivered` / `delivery_failed` event brings, if it concerns a tracked
    /// send and ends it; nil otherwise (another part still pending, or not ours).
    public mutating func resolve(_ notification: PeerNotification) -> Update? {
        guard notification.kind == .event, let type = notification.meta["type"]?.stringValue,
              let id = notification.meta["msg_id"]?.stringValue, let logical = partOwner[id],
              var entry = entries[logical] else { return nil }
        switch type {
        case "delivered":
            entry.parts.remove(id)
            partOwner.removeValue(forKey: id)
            guard entry.parts.isEmpty else {
                entries[logical] = entry
                return nil
            }
            forget(logical)
            return .delivered(target: entry.target, room: entry.room)
        case "delivery_failed":
            forget(logical)
            return .failed(target: entry.target, room: entry.room, reason: Self.reason(notification.content))
        default:
            return nil
        }
    }

    /// The part of the engine's failure text after `FAILED ` (the attempts and the reason).
    static func reason(_ content: String) -> String {
        var text = Substring(content)
        if let range = content.firstRange(of: "FAILED ") { text = content[range.upperBound...] }
        if let end = text.firstRange(of: "; NOT delivered") { text = text[..<end.lowerBound] }
        return ChatText.sanitize(String(text))
    }

    private mutating func add(_ id: String, target: String, room: String, chunks: Int, deferred: Bool) {
        let parts = chunks > 1 ? Set((0..<chunks).map { "\(id)#\($0)" }) : [id]
        counter += 1
        entries[id] = Entry(target: target, room: room, parts: parts, deferred: deferred, order: counter)
        for part in parts { partOwner[part] = id }
        let live = entries.filter { !$0.value.deferred }
        if live.count > Self.liveMemory, let oldest = live.min(by: { $0.value.order < $1.value.order }) {
            forget(oldest.key)
        }
    }

    private mutating func forget(_ logical: String) {
        guard let entry = entries.removeValue(forKey: logical) else { return }
        for part in entry.parts { partOwner.removeValue(forKey: part) }
    }
}
