#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GRDB
import GRDBSQLite

/// Why `SQLiteDatabase` could not open a database. Each store maps it onto its own error
/// type (`RelayStoreError`, `PeerStoreError`), which names the file and says what to do.
struct SQLiteOpenFailure: Error, Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// Damaged, not a database, not accessible, or the migrations failed.
        case cannotOpen
        /// Migrated by a newer `myc` than this one.
        case newerSchema
        /// Opens, but cannot be written: a read-only file system, or no write permission
        /// on the file or its directory.
        case readOnly
    }

    let kind: Kind
    /// What SQLite or the file system said (for `newerSchema`: the applied migrations).
    let reason: String
}

/// What the relay's and the peers' embedded stores share: opening one SQLite database
/// (WAL mode for a file), shared with another `myc` process (`myc allow` beside the relay,
/// `myc trust` beside a peer), and running its migrations fail-closed.
enum SQLiteDatabase {
    /// Opens (creating if needed) the database at `path`, already expanded, and migrates it.
    /// Missing parent directories are created with mode 0700 and a new database file with
    /// mode 0600 (its `-wal`/`-shm` companions inherit that mode from SQLite).
    static func openPool(
        path: String, label: String, migrator: DatabaseMigrator
    ) throws(SQLiteOpenFailure) -> DatabasePool {
        let pool: DatabasePool
        do {
            try createFileIfMissing(path)
            pool = try DatabasePool(path: path, configuration: configuration(label: label))
        } catch {
            // Without its `-wal`/`-shm` companions, a WAL database on a read-only file
            // system does not even open ("unable to open database file"); say why.
            if let why = unwritable(path) { throw SQLiteOpenFailure(kind: .readOnly, reason: why) }
            throw SQLiteOpenFailure(kind: .cannotOpen, reason: reason(error))
        }
        try refuseReadOnly(pool, path: path)
        try prepare(pool, migrator: migrator)
        return pool
    }

    /// An empty, private, in-memory database with the same schema and settings (minus
    /// WAL, which needs a file), for tests.
    static func openInMemory(label: String, migrator: DatabaseMigrator) throws(SQLiteOpenFailure) -> DatabaseQueue {
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(configuration: configuration(label: label))
        } catch {
            throw SQLiteOpenFailure(kind: .cannotOpen, reason: reason(error))
        }
        try prepare(queue, migrator: migrator)
        return queue
    }

    /// SQLite's `PRAGMA data_version`, read on the *writer* connection: it changes when any
    /// other connection — another process such as `myc allow` or `myc trust`, or another
    /// store instance — commits, and never for commits made through this writer (all of a
    /// store's commits go through that same connection), so a store's own writes do not
    /// trigger a reload.
    static func dataVersion(_ writer: any DatabaseWriter) throws -> Int64 {
        try writer.writeWithoutTransaction { db in
            try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0
        }
    }

    /// A one-line reason without SQL text or statement arguments (they may hold frames or
    /// messages).
    static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            let message = error.message ?? "unknown error"
            return "\(message) (SQLite code \(error.extendedResultCode.rawValue))"
        }
        if let error = error as? AtomicFile.Failure { return error.description }
        return "\(error)"
    }

    /// The settings every connection gets (writer and readers alike).
    private static func configuration(label: String) -> GRDB.Configuration {
        var config = GRDB.Configuration()
        config.label = label
        // The other process writes the same file: wait for its transaction instead of
        // failing with SQLITE_BUSY.
        config.busyMode = .timeout(5)
        return config
    }

    /// Fails unless the writer can write. When SQLite cannot open a file read-write (read-only
    /// file system, no permission) it silently opens it read-only instead, and with the WAL
    /// companions left by an earlier run the database then reads fine: the store would start
    /// and fail only at its first write, after the relay has accepted peers (or a peer has
    /// connected) on state it cannot save. Checked with `sqlite3_db_readonly`: `BEGIN
    /// IMMEDIATE` + `ROLLBACK` succeeds on such a connection (a WAL write lock needs no
    /// write to the file), only the first real write fails.
    private static func refuseReadOnly(_ writer: any DatabaseWriter, path: String) throws(SQLiteOpenFailure) {
        let readOnly = writer.writeWithoutTransaction { db in sqlite3_db_readonly(db.sqliteConnection, "main") == 1 }
        guard readOnly else { return }
        throw SQLiteOpenFailure(kind: .readOnly, reason: unwritable(path) ?? "SQLite opened it read-only")
    }

    /// Why `path` (or its directory, where SQLite keeps the `-wal` and `-shm` files) cannot
    /// be written, as the system says it ("Read-only file system", "Permission denied"), or
    /// nil when nothing is in the way. `access` answers for the real user, root included:
    /// on a read-only mount it says EROFS even to root.
    private static func unwritable(_ path: String) -> String? {
        if access(path, F_OK) == 0, access(path, W_OK) != 0 { return String(cString: strerror(errno)) }
        let directory = AtomicFile.parentDirectory(of: path)
        if access(directory, F_OK) == 0, access(directory, W_OK) != 0 {
            return "its directory \(directory): \(String(cString: strerror(errno)))"
        }
        return nil
    }

    /// Makes the writer durable, refuses a newer schema, and migrates.
    private static func prepare(_ writer: any DatabaseWriter, migrator: DatabaseMigrator) throws(SQLiteOpenFailure) {
        do {
            // Durability. A relay's `queued` reply promises the frame is on disk, and a
            // revocation must never silently roll back; nor may a peer's committed dedup
            // entry or replay window (that would re-open a replay), nor a pin set by
            // `myc trust`. In WAL mode NORMAL (what GRDB sets when it opens a pool, hence
            // this override afterwards) already survives a crash or SIGKILL of this
            // process: the commit is in the WAL, in the OS page cache, before `apply`
            // returns. But a power loss or kernel panic could then drop the last commits.
            // FULL fsyncs the WAL on every commit, so a returned `apply` survives power
            // loss too. Cost: one fsync per `apply`, and the relay applies only
            // offline-queue and allow-list changes, never routed frames. Only the writer
            // connection commits, so it is the one that needs the setting.
            // (On macOS, surviving power loss would also need `PRAGMA fullfsync`.)
            try writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            if try writer.read(migrator.hasBeenSuperseded) {
                let applied = try writer.read(migrator.appliedIdentifiers).sorted().joined(separator: ", ")
                throw SQLiteOpenFailure(kind: .newerSchema, reason: "migrations: \(applied)")
            }
            do {
                try migrator.migrate(writer)
            } catch {
                // Another process (the relay and `myc allow`, or a peer and `myc trust`,
                // starting together) may have created the schema between our check and our
                // write; that is success.
                guard try writer.read(migrator.hasCompletedMigrations) else { throw error }
            }
        } catch let failure as SQLiteOpenFailure {
            throw failure
        } catch {
            throw SQLiteOpenFailure(kind: .cannotOpen, reason: reason(error))
        }
    }

    /// Creates the parent directories (0700) and an empty database file (0600) so SQLite
    /// never creates it with its default 0644. An empty file is a valid empty database.
    private static func createFileIfMissing(_ path: String) throws {
        try AtomicFile.createDirectories(AtomicFile.parentDirectory(of: path))
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            if errno == EEXIST { return }
            throw AtomicFile.Failure(path: path, operation: "create", errno: errno)
        }
        defer { _ = close(fd) }
        // The umask may have narrowed the mode; set it exactly.
        guard fchmod(fd, 0o600) == 0 else { throw AtomicFile.Failure(path: path, operation: "chmod", errno: errno) }
    }
}
