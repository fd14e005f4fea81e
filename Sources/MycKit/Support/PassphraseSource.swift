#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a key-file passphrase comes from: a file, an interactive prompt, or the
/// environment variable, in that order of precedence. The value is never logged.
public enum PassphraseSource {
    public enum Failure: Error, CustomStringConvertible {
        case unreadableFile(String, String)
        case emptyFile(String)
        case noTerminal
        case mismatch
        case empty

        public var description: String {
            switch self {
            case let .unreadableFile(path, reason): return "\(path): cannot read passphrase file: \(reason)"
            case let .emptyFile(path): return "\(path): passphrase file is empty"
            case .noTerminal: return "--passphrase needs a terminal to prompt on; use --passphrase-file or the environment variable instead"
            case .mismatch: return "the two passphrases do not match; nothing was written"
            case .empty: return "an empty passphrase protects nothing; nothing was written"
            }
        }
    }

    /// Reads the first line of a passphrase file (a trailing newline is not part of it).
    public static func fromFile(_ path: String) throws(Failure) -> String {
        let bytes: [UInt8]
        do {
            guard let read = try AtomicFile.read(Paths.expand(path)) else {
                throw Failure.unreadableFile(path, "no such file")
            }
            bytes = read
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .unreadableFile(path, "\(error)")
        }
        var text = String(decoding: bytes, as: UTF8.self)
        if let newline = text.firstIndex(where: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            text = String(text[..<newline])
        }
        guard !text.isEmpty else { throw .emptyFile(path) }
        return text
    }

    /// Prompts on the controlling terminal with echo off. With `confirm`, asks twice.
    public static func prompt(_ message: String, confirm: Bool) throws(Failure) -> String {
        let first = try readNoEcho(message)
        guard !first.isEmpty else { throw .empty }
        if confirm {
            let second = try readNoEcho("Repeat passphrase: ")
            guard first == second else { throw .mismatch }
        }
        return first
    }

    private static func readNoEcho(_ message: String) throws(Failure) -> String {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw .noTerminal }
        defer { close(fd) }
        var original = termios()
        guard tcgetattr(fd, &original) == 0 else { throw .noTerminal }
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        silent.c_lflag |= tcflag_t(ICANON)
        // Echo goes off before the prompt shows, so nothing typed after the prompt can echo
        // or be flushed away.
        tcsetattr(fd, TCSAFLUSH, &silent)
        _ = message.withCString { write(fd, $0, strlen($0)) }
        defer {
            tcsetattr(fd, TCSAFLUSH, &original)
            _ = write(fd, "\n", 1)
        }
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1 {
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { break }
            line.append(byte)
        }
        return String(decoding: line, as: UTF8.self)
    }
}
