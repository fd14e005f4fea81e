/// The texts of tool results (§6.2): pure functions from `PeerService` outcomes to what
/// the model reads. The wording is ours; the markers carry meaning and are fixed:
/// 🔒 live session (PFS), 🆕 new pin, 📮 offline envelope (no PFS), ⏳ queued locally,
/// 🔴BLOCKED / 🔴 refused for trust reasons, ❌ refused, 🤝 STS verified, 🔑 fingerprint,
/// ⚠️ warning, ` (N chunks)` suffix for chunked sends.
public enum MCPRenderer {
    // MARK: myc_send / myc_broadcast

    /// One unicast's result. `target` (the request's) prefixes the outcomes that do not
    /// carry one; nil leaves the prefix out.
    public static func send(_ outcome: SendOutcome, target: String?) -> String {
        let prefix = target.map { "\($0) " } ?? ""
        switch outcome {
        case let .sentLive(target, _, _, newPin, chunks):
            return "\(target) 🔒" + (newPin ? " 🆕" : "") + chunkSuffix(chunks)
        case let .sentOffline(target, _, _, chunks):
            return "\(target) 📮 sent as offline envelope (no PFS); delivered when \(target) reconnects"
                + chunkSuffix(chunks)
        case let .queuedLocally(target, _, _, chunks):
            return "\(target) ⏳ queued locally: relay unreachable, sent when the connection returns"
                + chunkSuffix(chunks)
        case let .blocked(target, room):
            return "\(target) 🔴BLOCKED in \(room): key changed or STS failed. Verify the fingerprint out of "
                + "band (myc_verify on both sides), then myc_trust peer_name=\(target) room=\(room)."
        case let .unknownPeer(target):
            return "\(target) 🔴 unknown peer: never seen in any joined room; the first contact needs both peers online."
        case let .invalidType(reason):
            return invalidType(reason)
        case let .tooLarge(bytes, limit):
            return prefix + "❌ message too large (\(bytes) bytes; the limit is \(limit))"
        case let .outboxFull(limit):
            return prefix + "❌ outbox full (\(limit) messages await acknowledgement); retry after deliveries "
                + "are confirmed or fail"
        case let .notAMember(room, joined):
            return notAMember(room: room, joined: joined)
        }
    }

    /// `Broadcast (<k>): <room>/<result>; …`, `No peers`, or the refusal.
    public static func broadcast(_ outcome: BroadcastOutcome) -> String {
        switch outcome.failure {
        case .invalidType(let reason)?: return invalidType(reason)
        case let .notAMember(room, joined)?: return notAMember(room: room, joined: joined)
        case nil: break
        }
        guard !outcome.results.isEmpty else { return "No peers" }
        let parts = outcome.results.map { result -> String in
            let text = send(result, target: nil)
            guard let room = room(of: result) else { return text }
            return "\(room)/\(text)"
        }
        return "Broadcast (\(outcome.results.count)): " + parts.joined(separator: "; ")
    }

    static func chunkSuffix(_ chunks: Int) -> String { chunks > 1 ? " (\(chunks) chunks)" : "" }

    static func invalidType(_ reason: String) -> String {
        "❌ Invalid message type: \(reason). Leave type out (default \"info\") or use printable ASCII, "
            + "at most 64 characters; names starting with _ are reserved (except _perm_verdict)."
    }

    static func notAMember(room: String, joined: [String]) -> String {
        "❌ Not a member of room \"\(room)\". Joined rooms: \(joined.isEmpty ? "none" : joined.joined(separator: ", "))."
    }

    private static func room(of outcome: SendOutcome) -> String? {
        switch outcome {
        case let .sentLive(_, room, _, _, _), let .sentOffline(_, room, _, _),
             let .queuedLocally(_, room, _, _), let .blocked(_, room):
            return room
        default:
            return nil
        }
    }

    // MARK: myc_recv

    /// The drained entries, one per line, with the dropped-entries line first when the
    /// entries were removed (`peek == false`) and some had been lost to the cap.
    public static func recv(_ drain: InboxDrain, peek: Bool) -> String {
        var lines: [String] = []
        if !peek, drain.dropped > 0 {
            lines.append("(+\(drain.dropped) older entries dropped — inbox cap \(PeerConstants.inboxCap))")
        }
        if drain.entries.isEmpty {
            lines.append("No pending messages.")
        } else {
            lines += drain.entries.map(inboxLine)
        }
        return lines.joined(separator: "\n")
    }

    /// `[HH:MM:SS] <from>@<room> (<type>[, req <id>][, offline-envelope]): <content>` for
    /// a message, `[HH:MM:SS] ⚙ <content>` for an event; UTC.
    public static func inboxLine(_ entry: PeerNotification) -> String {
        let time = "[\(utcClock(ms: entry.ts))]"
        guard entry.kind == .message else { return "\(time) ⚙ \(entry.content)" }
        let meta = entry.meta
        var detail = text(meta["type"]) ?? PeerConstants.defaultType
        if let request = text(meta["request_id"]) { detail += ", req \(request)" }
        if meta["offline"]?.isTruthy == true { detail += ", offline-envelope" }
        let from = text(meta["from_peer"]) ?? "?"
        let room = text(meta["room"]) ?? "?"
        return "\(time) \(from)@\(room) (\(detail)): \(entry.content)"
    }

    /// `HH:MM:SS` of a millisecond timestamp, in UTC.
    public static func utcClock(ms: Int64) -> String {
        let (seconds, _) = ms.dividedFlooringRemainder(by: 1000)
        let secondOfDay = seconds.floorMod(86_400)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
    }

    /// A meta value as the reference's template strings show it; nil when absent,
    /// null or empty (so optional parts are left out).
    static func text(_ value: JSONValue?) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let s)?: return s.isEmpty ? nil : s
        case let v?: return JSONSerializer.string(of: v)
        }
    }
}

extension Int64 {
    fileprivate func dividedFlooringRemainder(by divisor: Int64) -> (Int64, Int64) {
        let q = self / divisor, r = self % divisor
        return r < 0 ? (q - 1, r + divisor) : (q, r)
    }

    fileprivate func floorMod(_ m: Int64) -> Int64 {
        let r = self % m
        return r < 0 ? r + m : r
    }
}
