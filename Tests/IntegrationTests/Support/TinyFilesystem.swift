import Foundation

/// A small tmpfs of its own for the disk-failure tests: it can be filled to ENOSPC and
/// remounted read-only (EROFS), which no chmod can do to root. Needs CAP_SYS_ADMIN (root in
/// the CI container); `available` says whether mounting works here.
final class TinyFilesystem {
    let path: String
    private let base = TempDir()
    private var filler = 0

    static let available: Bool = {
        guard getuid() == 0 else { return false }
        let probe = TempDir()
        let ok = (try? Myc.runShell("mount -t tmpfs -o size=64k tmpfs '\(probe.path)' && umount '\(probe.path)'").status) == 0
        return ok
    }()

    init(sizeKiB: Int) throws {
        path = base.path + "/fs"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let result = try Myc.runShell("mount -t tmpfs -o size=\(sizeKiB)k,mode=0700 tmpfs '\(path)'")
        guard result.status == 0 else { throw MCPTestClientError(description: "mount tmpfs: \(result.stderr)") }
    }

    deinit { _ = try? Myc.runShell("umount -l '\(path)'") }

    func file(_ name: String) -> String { path + "/" + name }

    func remount(readOnly: Bool) throws {
        let result = try Myc.runShell("mount -o remount,\(readOnly ? "ro" : "rw") '\(path)'")
        guard result.status == 0 else { throw MCPTestClientError(description: "remount: \(result.stderr)") }
    }

    /// Writes filler files until the filesystem is full (ENOSPC).
    func fill() throws {
        filler += 1
        _ = try Myc.runShell("dd if=/dev/zero of='\(path)/filler-\(filler)' bs=4k 2>/dev/null; sync")
        let probe = try Myc.runShell("head -c 8192 /dev/zero > '\(path)/probe'; rm -f '\(path)/probe'")
        guard probe.stderr.contains("No space left") else {
            throw MCPTestClientError(description: "fill did not fill: \(probe.stdout) \(probe.stderr)")
        }
    }

    /// Removes every filler file.
    func free() throws {
        _ = try Myc.runShell("rm -f '\(path)'/filler-*")
    }
}

/// `PRAGMA integrity_check` through the sqlite3 command-line tool (independent of our code).
func sqliteIntegrity(_ database: String) throws -> String {
    try Myc.runShell("sqlite3 '\(database)' 'PRAGMA integrity_check;'").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}

func sqliteQuery(_ database: String, _ sql: String) throws -> String {
    try Myc.runShell("sqlite3 '\(database)' \"\(sql)\"").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}
