import ArgumentParser
import MycKit

/// Dynamic shell completion from a peer's state database: the peer names it has pinned or
/// blocked, and their rooms. The shell calls `myc` back with the words typed so far; the
/// database is the one the command would open (`--state-db`, `--key-file` among those
/// words, then `MYC_STATE_DB` / `MYC_KEY_FILE`, then the default). Never prints, never
/// creates anything: no database, or any error, means no suggestions.
enum PeerCompletion {
    static let peerNames = CompletionKind.custom { words, _, prefix in
        candidates(words, prefix: prefix) { snapshot in
            snapshot.pins.map(\.peer.name) + snapshot.blocked.map(\.peer.name)
        }
    }

    static let roomNames = CompletionKind.custom { words, _, prefix in
        candidates(words, prefix: prefix) { snapshot in
            snapshot.pins.map(\.peer.room) + snapshot.blocked.map(\.peer.room)
        }
    }

    static func candidates(_ words: [String], prefix: String, _ pick: (PeerStateSnapshot) -> [String]) -> [String] {
        let config = Configuration.process
        let keyFile = config.path(value(of: "--key-file", in: words), "MYC_KEY_FILE", default: KeyFile.Layout.peer.defaultPath)
        let path = SQLitePeerStore.resolvePath(stateDB: value(of: "--state-db", in: words), keyFile: keyFile, config)
        guard AtomicFile.exists(path), let store = try? SQLitePeerStore(path: path),
              let snapshot = try? store.loadSnapshot(nowMs: TrustCommand.nowMs()) else { return [] }
        return unique(pick(snapshot).filter { $0.utf8.starts(with: prefix.utf8) })
    }

    /// The value given to `flag` (`--flag value` or `--flag=value`); the last one wins, as
    /// in parsing.
    static func value(of flag: String, in words: [String]) -> String? {
        var found: String?
        for (i, word) in words.enumerated() {
            if word == flag, i + 1 < words.count {
                found = words[i + 1]
            } else if word.hasPrefix(flag + "=") {
                found = String(word.dropFirst(flag.count + 1))
            }
        }
        return found
    }

    /// Sorted by bytes, duplicates (by bytes) removed.
    static func unique(_ names: [String]) -> [String] {
        var seen = Set<[UInt8]>()
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.filter { seen.insert(Array($0.utf8)).inserted }
    }
}
