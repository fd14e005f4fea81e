#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `myc chat` shows, as pure functions from `PeerService` values to lines. Markers
/// mean what they mean in `myc mcp`: 🔒 pinned key over a live session, 🆕 key first seen
/// this session, 🤝 STS verified, 📮 offline envelope (no PFS), ⏳ queued locally,
/// 🔴 blocked. Everything that came from the network is sanitized first.
public struct ChatRenderer: Sendable {
    public var style: ChatStyle
    /// The joined rooms: the room is shown on a line only when there is more than one.
    public var rooms: [String]
    /// Formats a millisecond timestamp (local `HH:MM:SS` by default).
    public var clock: @Sendable (Int64) -> String

    public init(style: ChatStyle, rooms: [String], clock: @escaping @Sendable (Int64) -> String = ChatRenderer.localClock) {
        self.style = style
        self.rooms = rooms
        self.clock = clock
    }

    public static let localClock: @Sendable (Int64) -> String = { ms in
        var seconds = time_t(ms / 1000)
        var parts = tm()
        localtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }

    var multiRoom: Bool { rooms.count > 1 }

    // MARK: Incoming

    /// `HH:MM:SS [#room] sender MARK: text`; continuation lines indented. `stsVerified`
    /// adds 🤝 to a live sender's mark.
    public func message(_ n: PeerNotification, stsVerified: Bool) -> [String] {
        let meta = n.meta
        let from = ChatText.sanitize(meta["from_peer"]?.stringValue ?? "?")
        let room = ChatText.sanitize(meta["room"]?.stringValue ?? "")
        var header = style.dim(clock(n.ts)) + " "
        if multiRoom, !room.isEmpty { header += style.dim("#" + room) + " " }
        header += style.name(from) + " " + trustMark(meta, stsVerified: stsVerified)
        var detail: [String] = []
        if let type = meta["type"]?.stringValue, !type.isExactly(PeerConstants.defaultType) {
            detail.append(ChatText.sanitize(type))
        }
        if let request = meta["request_id"]?.stringValue, !request.isEmpty { detail.append("req " + ChatText.sanitize(request)) }
        if !detail.isEmpty { header += " " + style.dim("(" + detail.joined(separator: ", ") + ")") }
        let body = ChatText.sanitize(n.content, keepNewlines: true).split(separator: "\n", omittingEmptySubsequences: false)
        var lines = [header + ": " + (body.first.map(String.init) ?? "")]
        lines += body.dropFirst().map { "    " + $0 }
        return lines
    }

    /// 📮 offline envelope, 🆕 new pin, 🔒 pinned (🔒🤝 when STS verified), 🔴 no session.
    public func trustMark(_ meta: JSONObject, stsVerified: Bool) -> String {
        if meta["offline"]?.isTruthy == true { return "📮" }
        switch meta["tofu"]?.stringValue {
        case "🆕"?: return stsVerified ? "🆕🤝" : "🆕"
        case "🔒"?: return stsVerified ? "🔒🤝" : "🔒"
        case "📮"?: return "📮"
        case "🔴"?: return style.alert("🔴")
        default: return "?"
        }
    }

    /// A system event (`peer_joined`, `tofu_violation`, ...): `HH:MM:SS * text`, alarms in red.
    public func event(_ n: PeerNotification) -> [String] {
        let type = n.meta["type"]?.stringValue ?? ""
        let text = ChatText.sanitize(n.content, keepNewlines: true)
        let alarm = ["tofu_violation", "sts_failed", "revoked", "delivery_failed", "relay_error", "offline_stale", "chunk_timeout"]
            .contains(type)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let first = style.dim(clock(n.ts)) + " * " + (alarm ? style.alert(lines.first ?? "") : (lines.first ?? ""))
        var out = [first] + lines.dropFirst().map { "    " + $0 }
        switch type {
        case "tofu_violation", "sts_failed":
            let peer = ChatText.sanitize(n.meta["peer"]?.stringValue ?? "NAME")
            out.append("    check the fingerprint with \(peer) out of band, then /trust \(peer)")
        default: break
        }
        return out
    }

    /// A permission request from a Claude instance, framed so it cannot be missed.
    public func permissionRequest(_ n: PeerNotification) -> [String] {
        let from = ChatText.sanitize(n.meta["from_peer"]?.stringValue ?? "?")
        let room = ChatText.sanitize(n.meta["room"]?.stringValue ?? "?")
        let id = ChatText.sanitize(n.meta["request_id"]?.stringValue ?? "?")
        let body = ChatText.sanitize(n.content, keepNewlines: true).split(separator: "\n", omittingEmptySubsequences: false)
        var lines = [style.warn("┏━ PERMISSION REQUEST ") + style.bold(id) + style.warn(" from ") + style.name(from)
                     + style.dim(" (\(room), \(clock(n.ts)))")]
        lines.append(style.warn("┃ ") + (body.first.map(String.init) ?? ""))
        if body.count > 1 {
            lines.append(style.warn("┃ ") + style.dim("input:"))
            lines += body.dropFirst().prefix(12).map { style.warn("┃   ") + $0 }
            if body.count > 13 { lines.append(style.warn("┃   ") + style.dim("… \(body.count - 13) more line(s)")) }
        }
        lines.append(style.warn("┗━ ") + "/approve \(id)" + style.dim("  or  ") + "/deny \(id)")
        return lines
    }

    // MARK: Sending

    /// One line for what happened to a typed message, per copy.
    public func sent(_ outcome: BroadcastOutcome, room: String) -> String {
        switch outcome.failure {
        case .invalidType(let reason)?: return style.alert("❌ not sent: \(reason)")
        case let .notAMember(room, joined)?:
            return style.alert("❌ not sent: you have not joined \(room) (joined: \(joined.joined(separator: ", ")))")
        case nil: break
        }
        guard !outcome.results.isEmpty else {
            return style.warn("⚠️ nobody else is in #\(room): not sent (/peers shows who is where)")
        }
        return "  → " + outcome.results.map { copy($0) }.joined(separator: ", ")
    }

    public func sent(_ outcome: SendOutcome) -> String {
        switch outcome {
        case .sentLive, .sentOffline, .queuedLocally: return "  → " + copy(outcome)
        default: return copy(outcome)
        }
    }

    /// One copy's state: `bob 🔒 sent`, `dave 📮 sent as offline envelope`, ...
    func copy(_ outcome: SendOutcome) -> String {
        switch outcome {
        case let .sentLive(target, _, _, newPin, chunks):
            return style.name(target) + " 🔒" + (newPin ? "🆕" : "") + " sent" + chunkNote(chunks)
        case let .sentOffline(target, _, _, chunks):
            return style.name(target) + " 📮 sent as offline envelope (no PFS)" + chunkNote(chunks)
        case let .queuedLocally(target, _, _, chunks):
            return style.name(target) + " ⏳ queued: relay unreachable" + chunkNote(chunks)
        case let .blocked(target, room):
            return style.alert("\(target) 🔴 BLOCKED in \(room): key changed; check its fingerprint, then /trust \(target)")
        case let .unknownPeer(target):
            return style.alert("❌ \(target): unknown peer (never seen; the first contact needs both of you online)")
        case let .invalidType(reason):
            return style.alert("❌ not sent: \(reason)")
        case let .tooLarge(bytes, limit):
            return style.alert("❌ not sent: message too large (\(bytes) bytes; the limit is \(limit))")
        case let .outboxFull(limit):
            return style.alert("❌ not sent: outbox full (\(limit) messages await acknowledgement)")
        case let .notAMember(room, joined):
            return style.alert("❌ not sent: you have not joined \(room) (joined: \(joined.joined(separator: ", ")))")
        }
    }

    func chunkNote(_ chunks: Int) -> String { chunks > 1 ? " (\(chunks) chunks)" : "" }

    /// A tracked send reached its end.
    public func delivery(_ update: ChatDeliveryTracker.Update) -> String {
        switch update {
        case let .delivered(target, room):
            return style.good("  ✓ delivered to \(target)") + (multiRoom ? style.dim(" (#\(room))") : "")
        case let .failed(target, room, reason):
            return style.alert("  ✗ NOT delivered to \(target)" + (multiRoom ? " (#\(room))" : "") + ": \(reason)")
        }
    }
}
