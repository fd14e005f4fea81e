import GRDB

/// A peer's embedded store: one SQLite database in WAL mode per identity, shared by the
/// running peer (`myc mcp`, `myc chat`) and by `myc trust` in another process.
///
/// All SQL lives in this folder; callers speak `PeerStoreChange` and the intent-named
/// methods below. Opening runs the migrations and fails closed: a damaged, foreign or
/// newer database is a `PeerStoreError`, never an empty store.
public struct SQLitePeerStore: PeerStore, PeerReferenceImportTarget {
    /// The database file (`:memory:` for `inMemory()`), used in error messages.
    public let path: String
    private let writer: any DatabaseWriter

    /// Opens (creating if needed) the database at `path`. Missing parent directories are
    /// created with mode 0700 and a new database file with mode 0600 (its `-wal`/`-shm`
    /// companions inherit that mode from SQLite).
    public init(path: String) throws(PeerStoreError) {
        let path = Paths.expand(path)
        do {
            writer = try SQLiteDatabase.openPool(path: path, label: "myc.peer", migrator: PeerMigrations.migrator)
        } catch {
            throw PeerStoreError(path: path, opening: error)
        }
        self.path = path
    }

    /// An empty, private, in-memory database with the same schema and settings (minus
    /// WAL, which needs a file), for tests.
    public static func inMemory() throws(PeerStoreError) -> SQLitePeerStore {
        do {
            let queue = try SQLiteDatabase.openInMemory(label: "myc.peer", migrator: PeerMigrations.migrator)
            return SQLitePeerStore(writer: queue, path: ":memory:")
        } catch {
            throw PeerStoreError(path: ":memory:", opening: error)
        }
    }

    private init(writer: any DatabaseWriter, path: String) {
        self.writer = writer
        self.path = path
    }

    // MARK: - PeerStore

    /// Everything the engine restores, each list in insertion order. `nowMs` filters
    /// nothing: expiry is the engine's decision (`pruneSeen`).
    public func loadSnapshot(nowMs: Int64) throws(PeerStoreError) -> PeerStateSnapshot {
        try perform("read the peer state") {
            try writer.read { db in try Self.snapshot(db) }
        }
    }

    public func apply(_ changes: [PeerStoreChange]) throws(PeerStoreError) {
        guard !changes.isEmpty else { return }
        try perform("save peer state") {
            try writer.write { db in
                for change in changes { try Self.apply(change, in: db) }
            }
        }
    }

    /// SQLite's `PRAGMA data_version`, read on the pool's *writer* connection: it changes
    /// when any other connection — `myc trust` in another process, or another store
    /// instance — commits, and never for this instance's own commits (they all go through
    /// that same connection), so the peer's own writes do not trigger a reload.
    public func externalChangeToken() throws(PeerStoreError) -> Int64 {
        try perform("check the database for outside changes") {
            try SQLiteDatabase.dataVersion(writer)
        }
    }

    public func appendInbox(_ entry: PeerNotification, cap: Int) throws(PeerStoreError) {
        try perform("save to the inbox") {
            try writer.write { db in try Self.appendInbox(entry, cap: cap, in: db) }
        }
    }

    public func drainInbox(max: Int, peek: Bool) throws(PeerStoreError) -> InboxDrain {
        let operation = peek ? "read the inbox" : "drain the inbox"
        return try perform(operation) {
            try writer.write { db in
                let records = max > 0
                    ? try InboxRecord.order(InboxRecord.Columns.id).limit(max).fetchAll(db)
                    : []
                if peek { return InboxDrain(entries: records.map(\.notification), dropped: 0) }
                _ = try InboxRecord.deleteAll(db, keys: records.compactMap(\.id))
                let dropped = try Self.inboxDropped(db)
                if dropped != 0 { try Self.setInboxDropped(0, db) }
                return InboxDrain(entries: records.map(\.notification), dropped: dropped)
            }
        }
    }

    public func inboxCount() throws(PeerStoreError) -> Int {
        try perform("read the inbox") {
            try writer.read { db in try InboxRecord.fetchCount(db) }
        }
    }

    // MARK: - PeerReferenceImportTarget

    public func hasImported(marker: String) throws(PeerStoreError) -> Bool {
        try perform("read the database's import markers") {
            try writer.read { db in try PeerMetaRecord.exists(db, key: marker) }
        }
    }

    public func importOnce(
        marker: String, value: String, _ changes: (_ current: PeerStateSnapshot) -> [PeerStoreChange]
    ) throws(PeerStoreError) -> Bool {
        try perform("save imported peer state") {
            try writer.write { db in
                if try PeerMetaRecord.exists(db, key: marker) { return false }
                for change in changes(try Self.snapshot(db)) { try Self.apply(change, in: db) }
                try PeerMetaRecord(key: marker, value: value).insert(db)
                return true
            }
        }
    }

    // MARK: - Beyond the protocol

    /// Releases the connections (and checkpoints the WAL). Later calls fail.
    public func close() throws(PeerStoreError) {
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
        try writer.read(PeerMigrations.migrator.appliedMigrations)
    }

    /// The names of the tables and indexes in the schema.
    func schemaObjects() throws -> Set<String> {
        try writer.read { db in
            Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))
        }
    }

    // MARK: - Private

    /// Runs `body`, turning any failure into a `PeerStoreError` that names the file.
    private func perform<T>(_ operation: String, _ body: () throws -> T) throws(PeerStoreError) -> T {
        do {
            return try body()
        } catch let error as PeerStoreError {
            throw error
        } catch {
            throw PeerStoreError(
                path: path, kind: .operationFailed(operation: operation), reason: SQLiteDatabase.reason(error))
        }
    }
}

extension PeerStoreError {
    /// The store's own error for a failure to open `path`.
    init(path: String, opening failure: SQLiteOpenFailure) {
        switch failure.kind {
        case .cannotOpen: self.init(path: path, kind: .cannotOpen, reason: failure.reason)
        case .newerSchema: self.init(path: path, kind: .newerSchema, reason: failure.reason)
        case .readOnly: self.init(path: path, kind: .readOnly, reason: failure.reason)
        }
    }
}
