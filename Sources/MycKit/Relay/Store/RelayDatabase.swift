#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GRDB

/// The relay's embedded store: one SQLite database in WAL mode, shared by the running
/// relay and by `myc allow` in another process.
///
/// All SQL lives in this folder; callers speak `StoreChange` and the intent-named methods
/// below. Opening runs the migrations and fails closed: a damaged, foreign or newer
/// database is a `RelayStoreError`, never an empty store.
public struct SQLiteRelayStore: RelayStore, ReferenceImportTarget {
    /// The database file (`:memory:` for `inMemory()`), used in error messages.
    public let path: String
    private let writer: any DatabaseWriter

    /// Opens (creating if needed) the database at `path`. Missing parent directories are
    /// created with mode 0700 and a new database file with mode 0600 (its `-wal`/`-shm`
    /// companions inherit that mode from SQLite).
    public init(path: String) throws(RelayStoreError) {
        let path = Paths.expand(path)
        let pool: DatabasePool
        do {
            try Self.createFileIfMissing(path)
            pool = try DatabasePool(path: path, configuration: Self.makeConfiguration())
        } catch {
            throw RelayStoreError(path: path, kind: .cannotOpen, reason: Self.reason(error))
        }
        try self.init(writer: pool, path: path)
    }

    /// An empty, private, in-memory database with the same schema and settings (minus
    /// WAL, which needs a file), for tests.
    public static func inMemory() throws(RelayStoreError) -> SQLiteRelayStore {
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(configuration: makeConfiguration())
        } catch {
            throw RelayStoreError(path: ":memory:", kind: .cannotOpen, reason: reason(error))
        }
        return try SQLiteRelayStore(writer: queue, path: ":memory:")
    }

    private init(writer: any DatabaseWriter, path: String) throws(RelayStoreError) {
        self.writer = writer
        self.path = path
        let migrator = RelayMigrations.migrator
        do {
            // Durability. A `queued` reply promises the frame is on disk, and a revocation
            // must never silently roll back. In WAL mode NORMAL (what GRDB sets when it
            // opens a pool, hence this override afterwards) already survives a crash or
            // SIGKILL of this process: the commit is in the WAL, in the OS page cache,
            // before `apply` returns. But a power loss or kernel panic could then drop the
            // last commits. FULL fsyncs the WAL on every commit, so a returned `apply`
            // survives power loss too. Cost: one fsync per `apply`, and the relay applies
            // only offline-queue and allow-list changes, never routed frames. Only the
            // writer connection commits, so it is the one that needs the setting.
            // (On macOS, surviving power loss would also need `PRAGMA fullfsync`.)
            try writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            if try writer.read(migrator.hasBeenSuperseded) {
                let applied = try writer.read(migrator.appliedIdentifiers).sorted().joined(separator: ", ")
                throw RelayStoreError(path: path, kind: .newerSchema, reason: "migrations: \(applied)")
            }
            do {
                try migrator.migrate(writer)
            } catch {
                // Another process (the relay and `myc allow` starting together) may have
                // created the schema between our check and our write; that is success.
                guard try writer.read(migrator.hasCompletedMigrations) else { throw error }
            }
        } catch let error as RelayStoreError {
            throw error
        } catch {
            throw RelayStoreError(path: path, kind: .cannotOpen, reason: Self.reason(error))
        }
    }

    /// The settings every connection gets (writer and readers alike).
    static func makeConfiguration() -> GRDB.Configuration {
        var config = GRDB.Configuration()
        config.label = "myc.relay"
        // `myc allow` and the relay write the same file: wait for the other's transaction
        // instead of failing with SQLITE_BUSY.
        config.busyMode = .timeout(5)
        return config
    }

    // MARK: - RelayStore

    public func loadAllowList() throws(RelayStoreError) -> AllowListSnapshot {
        try perform("read the allow-list") {
            try writer.read { db in
                AllowListSnapshot(
                    bindings: try BindingRecord.order(BindingRecord.Columns.seq).fetchAll(db).map(\.binding),
                    legacy: try LegacyKeyRecord.order(LegacyKeyRecord.Columns.seq).fetchAll(db).map(\.roomKey),
                    revoked: try RevokedKeyRecord.order(RevokedKeyRecord.Columns.seq).fetchAll(db).map(\.roomKey)
                )
            }
        }
    }

    public func loadQueue(nowMs: Int64) throws(RelayStoreError) -> [QueuedFrame] {
        try perform("read the offline queue") {
            try writer.read { db in
                try QueuedFrameRecord
                    .filter(QueuedFrameRecord.Columns.expiresAtMs > nowMs)
                    .order(QueuedFrameRecord.Columns.id)
                    .fetchAll(db)
                    .map(\.frame)
            }
        }
    }

    public func apply(_ changes: [StoreChange]) throws(RelayStoreError) {
        guard !changes.isEmpty else { return }
        try perform("save relay state") {
            try writer.write { db in
                for change in changes { try Self.apply(change, in: db) }
            }
        }
    }

    /// SQLite's `PRAGMA data_version`, read on the pool's *writer* connection: it changes
    /// when any other connection — another process such as `myc allow`, or another store
    /// instance — commits, and never for commits made by this instance (they all go
    /// through that same connection), so the relay's own writes do not trigger a reload.
    public func externalChangeToken() throws(RelayStoreError) -> Int64 {
        try perform("check the database for outside changes") {
            try writer.writeWithoutTransaction { db in
                try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0
            }
        }
    }

    // MARK: - Beyond the protocol

    /// The largest queued frame id ever stored and not yet deleted, expired or not. The
    /// core must seed its id counter above this, not above `loadQueue`'s result: an
    /// expired frame not yet swept still occupies its id.
    public func largestQueuedFrameId() throws(RelayStoreError) -> Int64? {
        try perform("read the offline queue") {
            try writer.read { db in
                try QueuedFrameRecord.select(max(QueuedFrameRecord.Columns.id), as: Int64.self).fetchOne(db)
            }
        }
    }

    /// Releases the connections (and checkpoints the WAL). Later calls fail.
    public func close() throws(RelayStoreError) {
        try perform("close the database") { try writer.close() }
    }

    /// `PRAGMA journal_mode` as SQLite answers it (`wal` for a file database).
    func journalMode() throws -> String {
        try writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// `PRAGMA synchronous` on the writer (2 = FULL).
    func synchronousSetting() throws -> Int {
        try writer.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// The names of the applied migrations, oldest first.
    func appliedMigrations() throws -> [String] {
        try writer.read(RelayMigrations.migrator.appliedMigrations)
    }

    /// The names of the tables and indexes in the schema.
    func schemaObjects() throws -> Set<String> {
        try writer.read { db in
            Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))
        }
    }

    // MARK: - ReferenceImportTarget

    public func hasImported(marker: String) throws(RelayStoreError) -> Bool {
        try perform("read the database's import markers") {
            try writer.read { db in try MetaRecord.exists(db, key: marker) }
        }
    }

    public func importOnce(
        marker: String, value: String, _ changes: (_ firstFreeQueueId: Int64) -> [StoreChange]
    ) throws(RelayStoreError) -> Bool {
        try perform("save imported relay state") {
            try writer.write { db in
                if try MetaRecord.exists(db, key: marker) { return false }
                let largest = try QueuedFrameRecord.select(max(QueuedFrameRecord.Columns.id), as: Int64.self).fetchOne(db)
                for change in changes((largest ?? 0) + 1) { try Self.apply(change, in: db) }
                try MetaRecord(key: marker, value: value).insert(db)
                return true
            }
        }
    }

    // MARK: - Private

    /// One `StoreChange` as SQL. Each is idempotent (see the contract).
    private static func apply(_ change: StoreChange, in db: Database) throws {
        switch change {
        case let .bind(room, name, key):
            if var existing = try BindingRecord.fetchOne(db, key: ["room": room, "name": name]) {
                // `bindings[room][name] = key` on an existing name keeps its position.
                if existing.key != key {
                    existing.key = key
                    try existing.update(db)
                }
            } else {
                try BindingRecord(room: room, name: name, key: key, seq: nextSeq(BindingRecord.self, db)).insert(db)
            }
        case let .unbind(room, name):
            _ = try BindingRecord.deleteOne(db, key: ["room": room, "name": name])
        case let .addLegacy(room, key):
            if try !LegacyKeyRecord.exists(db, key: ["room": room, "key": key]) {
                try LegacyKeyRecord(room: room, key: key, seq: nextSeq(LegacyKeyRecord.self, db)).insert(db)
            }
        case let .removeLegacy(room, key):
            _ = try LegacyKeyRecord.deleteOne(db, key: ["room": room, "key": key])
        case let .revoke(room, key):
            if try !RevokedKeyRecord.exists(db, key: ["room": room, "key": key]) {
                try RevokedKeyRecord(room: room, key: key, seq: nextSeq(RevokedKeyRecord.self, db)).insert(db)
            }
        case let .unrevoke(room, key):
            _ = try RevokedKeyRecord.deleteOne(db, key: ["room": room, "key": key])
        case .enqueue(let frame):
            // Replace, not ignore: replaying is harmless either way, but an id reused after
            // a restart must win over a stale (expired, not yet swept) row.
            try QueuedFrameRecord(frame).insert(db, onConflict: .replace)
        case .dequeue(let ids):
            _ = try QueuedFrameRecord.deleteAll(db, keys: ids)
        case .expireQueue(let nowMs):
            _ = try QueuedFrameRecord.filter(QueuedFrameRecord.Columns.expiresAtMs <= nowMs).deleteAll(db)
        }
    }

    /// The next insertion-order number of a table with a `seq` column.
    private static func nextSeq<Record: TableRecord>(_: Record.Type, _ db: Database) throws -> Int64 {
        (try Record.select(max(Column("seq")), as: Int64.self).fetchOne(db) ?? 0) + 1
    }

    /// Runs `body`, turning any failure into a `RelayStoreError` that names the file.
    private func perform<T>(_ operation: String, _ body: () throws -> T) throws(RelayStoreError) -> T {
        do {
            return try body()
        } catch let error as RelayStoreError {
            throw error
        } catch {
            throw RelayStoreError(path: path, kind: .operationFailed(operation: operation), reason: Self.reason(error))
        }
    }

    /// A one-line reason without SQL text or statement arguments (they may hold frames).
    static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            let message = error.message ?? "unknown error"
            return "\(message) (SQLite code \(error.extendedResultCode.rawValue))"
        }
        if let error = error as? AtomicFile.Failure { return error.description }
        return "\(error)"
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
        defer { _ = closeDescriptor(fd) }
        // The umask may have narrowed the mode; set it exactly.
        guard fchmod(fd, 0o600) == 0 else { throw AtomicFile.Failure(path: path, operation: "chmod", errno: errno) }
    }
}

/// `close(2)`, out of reach of `SQLiteRelayStore.close()`'s name.
private func closeDescriptor(_ fd: Int32) -> Int32 { close(fd) }
