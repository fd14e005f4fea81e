#if canImport(Glibc)
import Glibc
#endif

/// A failure the user can act on; the message says what went wrong and what to try.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Writes to stdout/stderr with `write(2)`: the C `stderr` global is shared mutable state
/// that Swift 6 strict concurrency refuses to touch.
enum Console {
    static func out(_ text: String) { emit(1, text + "\n") }
    static func err(_ text: String) { emit(2, text + "\n") }

    private static func emit(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            bytes = bytes.dropFirst(n)
        }
    }
}
