/// Tab completion for `myc chat`, without the terminal: what the word under the cursor
/// may become. Words are separated by spaces; prefixes compare by UTF-8 bytes.
public struct ChatCompletion: Sendable, Equatable {
    public var peers: [String]
    public var rooms: [String]
    public var permissionIDs: [String]

    public init(peers: [String], rooms: [String], permissionIDs: [String] = []) {
        self.peers = peers
        self.rooms = rooms
        self.permissionIDs = permissionIDs
    }

    /// `before`: the line up to the start of `word`. At the line start a `/` word completes
    /// to a command and any other word to `name:` (the editor adds the space); after a
    /// command, to what that command takes; elsewhere, to peer names.
    public func candidates(before: String, word: String) -> [String] {
        let leading = before.trimmingWhitespace()
        if leading.isEmpty {
            if word.utf8.first == UInt8(ascii: "/") {
                return Self.matching(ChatCommandSpec.all.map { "/" + $0.name }, word)
            }
            return Self.matching(peers, word).map { $0 + ":" }
        }
        if leading.utf8.first == UInt8(ascii: "/") {
            let words = leading.split(separator: " ").map(String.init)
            guard let spec = ChatCommandSpec.named(String(words[0].dropFirst())) else { return [] }
            switch (spec.completes, words.count) {
            case (.peer, 1): return Self.matching(peers, word)
            case (.room, 1): return Self.matching(rooms, word)
            case (.permission, 1): return Self.matching(permissionIDs, word)
            case (.peer, 2) where spec.name == "trust": return Self.matching(rooms, word)
            default: return []
            }
        }
        return Self.matching(peers, word)
    }

    /// The candidates that start with `prefix` (bytes), without duplicates, in order.
    static func matching(_ all: [String], _ prefix: String) -> [String] {
        var seen: [String] = []
        for candidate in all where candidate.utf8.starts(with: prefix.utf8) {
            if !seen.contains(where: { $0.isExactly(candidate) }) { seen.append(candidate) }
        }
        return seen
    }

    /// The longest byte prefix every candidate shares, cut back to a whole character.
    public static func commonPrefix(_ candidates: [String]) -> String {
        guard var prefix = candidates.first.map({ Array($0.utf8) }) else { return "" }
        for candidate in candidates.dropFirst() {
            let bytes = Array(candidate.utf8)
            var n = 0
            while n < prefix.count, n < bytes.count, prefix[n] == bytes[n] { n += 1 }
            prefix.removeLast(prefix.count - n)
        }
        // Drop a split UTF-8 sequence at the end.
        while let last = prefix.last, last & 0xC0 == 0x80 || last >= 0xC0 {
            let start = prefix.lastIndex { $0 & 0xC0 != 0x80 } ?? 0
            let expected = prefix[start] >= 0xF0 ? 4 : prefix[start] >= 0xE0 ? 3 : prefix[start] >= 0xC0 ? 2 : 1
            if prefix.count - start == expected { break }
            prefix.removeLast(prefix.count - start)
        }
        return String(decoding: prefix, as: UTF8.self)
    }
}
