#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe file replacement: write a temp file in the same directory with the final
/// mode, fsync it, rename it over the target, fsync the directory. A reader sees the old
/// file or the new one, never half of either — key files must survive `kill -9` and power loss.
public enum AtomicFile {
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let path: String
        public let operation: String
        public let errno: Int32
        public var description: String {
            "\(path): \(operation) failed: \(String(cString: strerror(errno)))"
        }
    }

    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws(Failure) {
        let directory = parentDirectory(of: path)
        try createDirectories(directory)
        let temp = "\(path).tmp-\(getpid())-\(Hex.encode(RandomBytes.generate(4)))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw Failure(path: temp, operation: "create", errno: errno) }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        // The umask may have narrowed the mode, and an existing umask never widens it: set it exactly.
        guard fchmod(fd, mode) == 0 else { let e = errno; close(fd); throw Failure(path: temp, operation: "chmod", errno: e) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBufferPointer { buf in
                Glibc.write(fd, buf.baseAddress! + written, buf.count - written)
            }
            if n < 0 {
                if errno == EINTR { continue }
                let e = errno; close(fd); throw Failure(path: temp, operation: "write", errno: e)
            }
            written += n
        }
        guard fsync(fd) == 0 else { let e = errno; close(fd); throw Failure(path: temp, operation: "fsync", errno: e) }
        guard close(fd) == 0 else { throw Failure(path: temp, operation: "close", errno: errno) }
        guard rename(temp, path) == 0 else { throw Failure(path: path, operation: "rename", errno: errno) }
        ok = true
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }

    public static func write(_ text: String, to path: String, mode: mode_t = 0o600) throws(Failure) {
        try write(Array(text.utf8), to: path, mode: mode)
    }

    /// Reads a whole file. `nil` means it does not exist; every other failure throws, so a
    /// caller can never mistake an unreadable file for a missing one.
    public static func read(_ path: String) throws(Failure) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw Failure(path: path, operation: "open", errno: errno)
        }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBufferPointer { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, operation: "read", errno: errno)
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    /// The permission bits of a file, for tests and for warning about loose key files.
    public static func mode(of path: String) -> mode_t? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return st.st_mode & 0o7777
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = String(path[..<slash])
        return dir.isEmpty ? "/" : dir
    }

    /// `mkdir -p` with 0700 for directories we create (they hold secrets).
    static func createDirectories(_ directory: String) throws(Failure) {
        if exists(directory) { return }
        let parent = parentDirectory(of: directory)
        if parent != directory { try createDirectories(parent) }
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw Failure(path: directory, operation: "mkdir", errno: errno)
        }
    }
}
