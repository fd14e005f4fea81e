import GRDB

// One record type per table. They exist only at the store edge: `SQLiteRelayStore`
// converts them to and from the contract types (`AllowListSnapshot`, `QueuedFrame`), so
// neither the core nor the runtime ever sees GRDB.

/// A row of `binding`: `name` in `room` is bound to signing key `key`.
struct BindingRecord: Codable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "binding"
    var room: String
    var name: String
    var key: String
    /// Insertion order; a rebind of an existing name keeps its position, like a JS property.
    var seq: Int64

    enum Columns {
        static let room = Column(CodingKeys.room)
        static let name = Column(CodingKeys.name)
        static let key = Column(CodingKeys.key)
        static let seq = Column(CodingKeys.seq)
    }

    var binding: AllowListSnapshot.Binding { .init(room: room, name: name, key: key) }
}

/// A row of `legacy_key`: a key admitted by a v1 allow-list, not yet bound to a name.
struct LegacyKeyRecord: Codable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "legacy_key"
    var room: String
    var key: String
    var seq: Int64

    enum Columns {
        static let room = Column(CodingKeys.room)
        static let key = Column(CodingKeys.key)
        static let seq = Column(CodingKeys.seq)
    }

    var roomKey: AllowListSnapshot.RoomKey { .init(room: room, key: key) }
}

/// A row of `revoked_key`: a key refused in `room`.
struct RevokedKeyRecord: Codable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "revoked_key"
    var room: String
    var key: String
    var seq: Int64

    enum Columns {
        static let room = Column(CodingKeys.room)
        static let key = Column(CodingKeys.key)
        static let seq = Column(CodingKeys.seq)
    }

    var roomKey: AllowListSnapshot.RoomKey { .init(room: room, key: key) }
}

/// A row of `queued_frame`: one frame waiting for an offline target.
struct QueuedFrameRecord: Codable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "queued_frame"
    var id: Int64
    var room: String
    var target: String
    var sender: String
    var data: String
    var size: Int
    var expiresAtMs: Int64

    enum CodingKeys: String, CodingKey {
        case id, room, target, sender, data, size
        case expiresAtMs = "expires_at_ms"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let room = Column(CodingKeys.room)
        static let target = Column(CodingKeys.target)
        static let expiresAtMs = Column(CodingKeys.expiresAtMs)
    }

    init(_ frame: QueuedFrame) {
        id = frame.id
        room = frame.room
        target = frame.target
        sender = frame.sender
        data = frame.data
        size = frame.size
        expiresAtMs = frame.expiresAtMs
    }

    var frame: QueuedFrame {
        QueuedFrame(id: id, room: room, target: target, sender: sender, data: data, size: size, expiresAtMs: expiresAtMs)
    }
}

/// A row of `meta`: a named fact about the database (e.g. an import marker).
struct MetaRecord: Codable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "meta"
    var key: String
    var value: String

    enum Columns {
        static let key = Column(CodingKeys.key)
    }
}
