/// One line typed in `myc chat`, understood. Pure: `parse` needs only the line and the
/// peer names this peer knows (for `name: text`).
public enum ChatInput: Sendable, Equatable {
    case empty
    /// A plain line: to everyone in the current room.
    case broadcast(text: String)
    /// `name: text` or `/msg name text`.
    case unicast(target: String, text: String)
    case help
    case room(String)
    case rooms
    case peers
    case verify(peer: String?)
    case trust(peer: String, room: String?)
    case rotate
    case approve(requestID: String)
    case deny(requestID: String)
    case quit
    /// A bad command or bad arguments: the one-line hint to show.
    case invalid(hint: String)

    /// `knownPeers`: names seen in any room (live or pinned). A line starting with one of
    /// them followed by `:` and a space (or nothing) is a unicast; names compare by bytes.
    public static func parse(_ line: String, knownPeers: [String]) -> ChatInput {
        if line.allSatisfy({ $0 == " " || $0 == "\t" }) { return .empty }
        if line.utf8.starts(with: "//".utf8) { return .broadcast(text: String(line.dropFirst())) }
        if line.utf8.first == UInt8(ascii: "/") { return command(line) }
        if let (target, text) = addressed(line, knownPeers: knownPeers) {
            guard !text.isEmpty else { return .invalid(hint: "\(target): needs a message after the colon") }
            return .unicast(target: target, text: text)
        }
        return .broadcast(text: line)
    }

    /// The longest known name that the line starts with, followed by `:` and then a space
    /// or the end of the line.
    static func addressed(_ line: String, knownPeers: [String]) -> (String, String)? {
        let bytes = Array(line.utf8)
        var best: (name: String, count: Int)?
        for name in knownPeers where !name.isEmpty {
            let n = Array(name.utf8)
            guard bytes.count > n.count, bytes.starts(with: n), bytes[n.count] == UInt8(ascii: ":") else { continue }
            let after = n.count + 1
            guard after == bytes.count || bytes[after] == UInt8(ascii: " ") else { continue }
            if n.count > best?.count ?? -1 { best = (name, n.count) }
        }
        guard let best else { return nil }
        let rest = bytes.dropFirst(best.count + 1).drop { $0 == UInt8(ascii: " ") }
        return (best.name, String(decoding: rest, as: UTF8.self))
    }

    private static func command(_ line: String) -> ChatInput {
        let body = line.dropFirst()
        let name = String(body.prefix { $0 != " " && $0 != "\t" })
        let rest = String(body.dropFirst(name.count)).trimmingWhitespace()
        let words = rest.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let spec = ChatCommandSpec.named(name) else {
            return .invalid(hint: "unknown command /\(name) — /help lists the commands (start with // to send a line beginning with /)")
        }
        func usage() -> ChatInput { .invalid(hint: "usage: \(spec.usage) — \(spec.summary)") }
        switch spec.name {
        case "help": return words.isEmpty ? .help : usage()
        case "rooms": return words.isEmpty ? .rooms : usage()
        case "peers": return words.isEmpty ? .peers : usage()
        case "rotate": return words.isEmpty ? .rotate : usage()
        case "quit": return words.isEmpty ? .quit : usage()
        case "room": return words.count == 1 ? .room(words[0]) : usage()
        case "verify":
            switch words.count {
            case 0: return .verify(peer: nil)
            case 1: return .verify(peer: words[0])
            default: return usage()
            }
        case "trust":
            switch words.count {
            case 1: return .trust(peer: words[0], room: nil)
            case 2: return .trust(peer: words[0], room: words[1])
            default: return usage()
            }
        case "approve": return words.count == 1 ? .approve(requestID: words[0]) : usage()
        case "deny": return words.count == 1 ? .deny(requestID: words[0]) : usage()
        case "msg":
            guard let target = words.first else { return usage() }
            let text = String(rest.dropFirst(target.count)).drop { $0 == " " || $0 == "\t" }
            guard !text.isEmpty else { return usage() }
            return .unicast(target: target, text: String(text))
        default:
            return usage()
        }
    }
}
