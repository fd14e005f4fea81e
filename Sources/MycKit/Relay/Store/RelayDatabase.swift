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
        do {
            writer = try SQLiteDatabase.openPool(path: path, label: "myc.relay", migrator: RelayMigrations.migrator)
        } catch {
            throw RelayStoreError(path: path, opening: error)
        }
        self.path = path
    }

    /// An empty, private, in-memory database with the same schema and settings (minus
    /// WAL, which needs a file), for tests.
    public static func inMemory() throws(RelayStoreError) -> SQLiteRelayStore {
        do {
            let queue = try SQLiteDatabase.openInMemory(label: "myc.relay", migrator: RelayMigrations.migrator)
            return SQLiteRelayStore(writer: queue, path: ":memory:")
        } catch {
            throw RelayStoreError(path: ":memory:", opening: error)
        }
    }

    private init(writer: any DatabaseWriter, path: String) {
        self.writer = writer
        self.path = path
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
            try SQLiteDatabase.dataVersion(writer)
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
            throw RelayStoreError(
                path: path, kind: .operationFailed(operation: operation), reason: SQLiteDatabase.reason(error))
        }
    }
}

extension RelayStoreError {
    /// The store's own error for a failure to open `path`.
    init(path: String, opening failure: SQLiteOpenFailure) {
        switch failure.kind {
        case .cannotOpen: self.init(path: path, kind: .cannotOpen, reason: failure.reason)
        case .newerSchema: self.init(path: path, kind: .newerSchema, reason: failure.reason)
        case .readOnly: self.init(path: path, kind: .readOnly, reason: failure.reason)
        }
    }
}
