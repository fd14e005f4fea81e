import CEditLine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The chat's line history, persisted next to the identity (`<key file>.chat_history`,
/// mode 0600) so each identity keeps its own. Only lines the session passes to
/// `remember` get here: never answers to `/trust` or `/rotate` questions, and passphrases
/// are never typed into the editor at all (they are read from the terminal with echo off
/// before it starts).
///
/// Used from the editor thread only (libedit's history is global state).
public final class ChatHistory: @unchecked Sendable {
    public let path: String
    static let limit = 1000

    public init(path: String) { self.path = path }

    /// `<key file>.chat_history`.
    public static func path(forKeyFile keyFile: String) -> String { Paths.expand(keyFile) + ".chat_history" }

    /// Loads the file into libedit's history (a missing file is an empty history).
    func load() {
        guard access(path, F_OK) == 0 else { return }
        _ = path.withCString { read_history($0) }
    }

    /// Adds a line and rewrites the file (created 0600 before anything is written to it).
    func add(_ line: String) {
        _ = line.withCString { add_history($0) }
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        fchmod(fd, 0o600)
        close(fd)
        _ = path.withCString { write_history($0) }
        chmod(path, 0o600)
    }
}
