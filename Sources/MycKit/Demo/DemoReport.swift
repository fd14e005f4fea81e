/// Renders a `DemoTranscript` side by side: on the left every frame the relay saw on its
/// sockets (who, frame type, names, sizes, a piece of the ciphertext), on the right what
/// the peers typed and read. The left column is built only from the frames' bytes, so
/// whatever appears there is exactly what a hostile relay operator could log.
public struct DemoReport: Sendable {
    public static let separator = " │ "
    public static let leftWidth = 70

    public let transcript: DemoTranscript

    public init(_ transcript: DemoTranscript) {
        self.transcript = transcript
    }

    public var lines: [String] {
        let t = transcript
        var out: [String] = []
        out.append("myc demo: one relay and two peers in this process, talking over \(t.relayAddress).")
        out.append("Nothing leaves this machine; keys and state live in a temporary directory, removed at the end.")
        out.append("")
        out.append("  relay   fingerprint \(t.relayFingerprint)  (both peers pinned it)")
        for peer in t.peers {
            out.append("  \(Self.pad(peer.name, 7)) fingerprint \(peer.fingerprint)")
        }
        let header = Self.row("THE RELAY SAW (every frame on its sockets)", "WHAT THE PEERS TYPED AND READ")
        let start = t.messages.first?.firstFrame ?? t.frames.count
        out.append("")
        out.append("== Joining room \(t.room.debugDescription): \(start) frames ==")
        out.append(header)
        out += Self.rows(frames: t.frames[0..<start], right: [:])

        for (i, message) in t.messages.enumerated() {
            let range = message.firstFrame..<max(message.firstFrame, min(message.endFrame, t.frames.count))
            var right: [Int: [String]] = [:]
            var unplaced: [String] = []
            let sent = "\(message.from) types: \(message.text.debugDescription)"
            let read = message.read.map { "\(message.to) reads: \($0.debugDescription)" } ?? "\(message.to) never got it"
            let marks = message.markers.isEmpty ? nil : "  (\(message.markers))"
            if let index = Self.frameIndex(in: t.frames, range, carrying: message.msgID, direction: .fromPeer, peer: message.from) {
                right[index] = [sent]
            } else {
                unplaced.append(sent)
            }
            if let index = Self.frameIndex(in: t.frames, range, carrying: message.msgID, direction: .toPeer, peer: message.to) {
                right[index, default: []] += [read] + (marks.map { [$0] } ?? [])
            } else {
                unplaced += [read] + (marks.map { [$0] } ?? [])
            }
            out.append("")
            out.append("== Message \(i + 1): \(message.from) → \(message.to): \(range.count) frames ==")
            out.append(header)
            out += Self.rows(frames: t.frames[range], right: right)
            out += unplaced.map { Self.row("", $0) }
        }
        let end = t.messages.last.map { min($0.endFrame, t.frames.count) } ?? start
        if end < t.frames.count {
            out.append("")
            out.append("== Leaving: \(t.frames.count - end) frames ==")
            out.append(header)
            out += Self.rows(frames: t.frames[end...], right: [:])
        }

        let total = t.frames.reduce(0) { $0 + $1.bytes.count }
        let names = t.peers.map(\.name).joined(separator: ", ")
        out.append("")
        out.append("== What this shows ==")
        out.append("The relay saw \(t.frames.count) frames, \(total) bytes in all. It learned the names (\(names)), the room,")
        out.append("the public keys, who wrote to whom, when, and how much: that metadata is visible to any relay.")
        let leaked = t.leakedMessages
        if leaked.isEmpty {
            let searched = t.messages.count - t.unsearchedMessages.count
            out.append("The text of the \(searched) messages appears in none of those frames (searched for byte by byte):")
            out.append("only the two peers could read it. Each message was sealed for one live session (forward secrecy)")
            out.append("and signed; the relay could drop or delay frames, but not read, change or forge them unnoticed.")
            if !t.unsearchedMessages.isEmpty {
                out.append("(\(t.unsearchedMessages.count) message(s) under \(DemoTranscript.searchableBytes) bytes were not searched for: "
                    + "so short a text can occur in base64 by chance.)")
            }
        } else {
            out.append("ERROR: the text of \(leaked.count) message(s) appears in the relay's frames; this build is broken.")
        }
        return out
    }

    public var text: String { lines.joined(separator: "\n") + "\n" }

    // MARK: Rows

    static func rows(frames: ArraySlice<DemoTranscript.WireFrame>, right: [Int: [String]]) -> [String] {
        var out: [String] = []
        for index in frames.indices {
            let left = Self.describe(frames[index])
            let notes = right[index] ?? []
            for line in 0..<max(left.count, notes.count) {
                out.append(row(line < left.count ? left[line] : "", line < notes.count ? notes[line] : ""))
            }
        }
        return out
    }

    static func row(_ left: String, _ right: String) -> String {
        let line = pad(left, leftWidth) + separator + right
        return right.isEmpty ? String(line.dropLast(1)) : line
    }

    static func pad(_ text: String, _ width: Int) -> String {
        let count = text.count
        return count >= width ? text : text + String(repeating: " ", count: width - count)
    }

    static func frameIndex(in frames: [DemoTranscript.WireFrame], _ range: Range<Int>, carrying msgID: String?,
                           direction: RelayWireFrame.Direction, peer: String) -> Int? {
        guard let msgID else { return nil }
        return range.first { i in
            let frame = frames[i]
            guard frame.direction == direction, frame.peer.utf8.elementsEqual(peer.utf8),
                  let object = try? JSONParser.parseObject(frame.bytes) else { return false }
            return object["msg_id"]?.stringValue.map { $0.utf8.elementsEqual(msgID.utf8) } ?? false
        }
    }

    // MARK: One frame, as the relay sees it

    /// One or two lines: direction, type and the names and sizes in clear; then a piece of
    /// the ciphertext when the frame carries one.
    static func describe(_ frame: DemoTranscript.WireFrame) -> [String] {
        let arrow = frame.direction == .fromPeer ? "\(frame.peer) → relay" : "relay → \(frame.peer)"
        let size = "\(frame.bytes.count) B"
        guard let object = try? JSONParser.parseObject(frame.bytes) else {
            return [fit(pad(arrow, 16) + " (not JSON)", size)]
        }
        let type = object["type"]?.stringValue ?? "(no type)"
        var what = type
        switch type {
        case "challenge":
            what = "challenge: nonce, signed by the relay"
        case "auth":
            let rooms = object["rooms"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ",") ?? object["room"]?.stringValue ?? "?"
            what = "auth as \(object["peer"]?.stringValue ?? "?") in [\(rooms)], key \(excerpt(object["sign_pubkey"]?.stringValue, 10))"
        case "auth_ok":
            let peers = object["payload"]?.objectValue?["peers"]?.objectValue
            let members = peers.map { rooms in rooms.map { room in "\(room.key): " + (room.value.objectValue?.keys.joined(separator: ",") ?? "") } }
            what = "auth_ok, keys of " + (members?.joined(separator: "; ") ?? "?")
        case "peer_joined", "peer_left":
            let payload = object["payload"]
            let name = payload?.stringValue ?? payload?.objectValue?["peer"]?.stringValue ?? ""
            what = "\(type) \(name)".trimmingWhitespace() + (payload?.objectValue?["sign_pubkey"] != nil ? " (and its keys)" : "")
        default:
            var parts = [type]
            if let from = object["from"]?.stringValue { parts.append("from \(from)") }
            if let target = object["target"]?.stringValue { parts.append("to \(target)") }
            if let room = object["room"]?.stringValue { parts.append("in \(room)") }
            what = parts.joined(separator: " ")
        }
        var lines = [fit(pad(arrow, 16) + " " + what, size)]
        if let encrypted = object["encrypted"]?.stringValue {
            let bytes = (try? Base64.decode(encrypted))?.count ?? 0
            let kind = object["offline"]?.boolValue == true ? "sealed box" : "ciphertext"
            lines.append(String(repeating: " ", count: 17) + "\(kind) \(bytes) B: \(excerpt(encrypted, 28))")
        }
        return lines
    }

    /// `text` cut to leave room for `size` at the right edge of the column.
    static func fit(_ text: String, _ size: String) -> String {
        let room = leftWidth - size.count - 1
        let cut = text.count > room ? String(text.prefix(room - 1)) + "…" : text
        return pad(cut, room) + " " + size
    }

    static func excerpt(_ text: String?, _ length: Int) -> String {
        guard let text else { return "?" }
        return text.count > length ? String(text.prefix(length)) + "…" : text
    }
}
