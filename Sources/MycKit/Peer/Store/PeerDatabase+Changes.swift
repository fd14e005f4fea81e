import Foundation
import GRDB

/// `PeerStoreChange`s as SQL, and the snapshot they build up. Each change is idempotent:
/// replaying a batch after a crash leaves the same state.
extension SQLitePeerStore {
    static func snapshot(_ db: Database) throws -> PeerStateSnapshot {
        PeerStateSnapshot(
            pins: try PinRecord.order(PinRecord.Columns.seq).fetchAll(db).map(\.pin),
            blocked: try BlockedKeyRecord.order(BlockedKeyRecord.Columns.seq).fetchAll(db).map(\.blocked),
            stsFailed: try StsFailedRecord.order(StsFailedRecord.Columns.seq).fetchAll(db).map(\.peer),
            seen: try SeenRecord.order(SeenRecord.Columns.seq).fetchAll(db).map(\.entry),
            windows: try WindowRecord.order(WindowRecord.Columns.seq).fetchAll(db).map(\.window),
            outbox: try OutboxEntryRecord.order(OutboxEntryRecord.Columns.seq).fetchAll(db).map(\.entry),
            chunkParts: try ChunkPartRecord.order(ChunkPartRecord.Columns.seq).fetchAll(db).map(\.part))
    }

    static func apply(_ change: PeerStoreChange, in db: Database) throws {
        switch change {
        case .setPin(let pin):
            // Replacing a pin keeps its position (a JS property assignment in the reference).
            let key = peerKey(pin.peer)
            let seq = try PinRecord.fetchOne(db, key: key)?.seq ?? nextSeq(PinRecord.self, db)
            try PinRecord(pin, seq: seq).save(db)
        case let .touchPin(peer, lastSeenMs):
            if var record = try PinRecord.fetchOne(db, key: peerKey(peer)), record.lastSeenMs != lastSeenMs {
                record.lastSeenMs = lastSeenMs
                try record.update(db)
            }
        case .removePin(let peer):
            _ = try PinRecord.deleteOne(db, key: peerKey(peer))
        case .setBlocked(let blocked):
            let key = peerKey(blocked.peer)
            let seq = try BlockedKeyRecord.fetchOne(db, key: key)?.seq ?? nextSeq(BlockedKeyRecord.self, db)
            try BlockedKeyRecord(blocked, seq: seq).save(db)
        case .clearBlocked(let peer):
            _ = try BlockedKeyRecord.deleteOne(db, key: peerKey(peer))
        case .addStsFailed(let peer):
            if try !StsFailedRecord.exists(db, key: peerKey(peer)) {
                try StsFailedRecord(peer, seq: nextSeq(StsFailedRecord.self, db)).insert(db)
            }
        case .clearStsFailed(let peer):
            _ = try StsFailedRecord.deleteOne(db, key: peerKey(peer))
        case .addSeen(let entry):
            // An existing key keeps its insertion position (JS `Map.set`), so eviction order
            // does not change when a batch is replayed.
            let key = seenKey(entry)
            let seq = try SeenRecord.fetchOne(db, key: key)?.seq ?? nextSeq(SeenRecord.self, db)
            try SeenRecord(entry, seq: seq).save(db)
        case let .pruneSeen(atOrBeforeMs, keepAtMost):
            _ = try SeenRecord.filter(SeenRecord.Columns.atMs <= atOrBeforeMs).deleteAll(db)
            if keepAtMost <= 0 {
                _ = try SeenRecord.deleteAll(db)
            } else if let cut = try Int64.fetchOne(
                db, SeenRecord.select(SeenRecord.Columns.seq).order(SeenRecord.Columns.seq.desc).limit(1, offset: keepAtMost)) {
                // `cut` is the newest entry beyond the cap: it and everything older go.
                _ = try SeenRecord.filter(SeenRecord.Columns.seq <= cut).deleteAll(db)
            }
        case .setWindow(let window):
            let key: [String: (any DatabaseValueConvertible)?] = [
                "room": Data(utf8: window.peer.room), "sender": Data(utf8: window.peer.name),
                "session_id": Data(utf8: window.sessionID),
            ]
            let seq = try WindowRecord.fetchOne(db, key: key)?.seq ?? nextSeq(WindowRecord.self, db)
            try WindowRecord(window, seq: seq).save(db)
        case .putOutbox(let entry):
            let key = Data(utf8: entry.msgID)
            let seq = try OutboxEntryRecord.fetchOne(db, key: key)?.seq ?? nextSeq(OutboxEntryRecord.self, db)
            try OutboxEntryRecord(entry, seq: seq).save(db)
        case .removeOutbox(let msgID):
            _ = try OutboxEntryRecord.deleteOne(db, key: Data(utf8: msgID))
        case .putChunkPart(let part):
            let key: [String: (any DatabaseValueConvertible)?] = [
                "room": Data(utf8: part.buffer.peer.room), "sender": Data(utf8: part.buffer.peer.name),
                "logical_id": Data(utf8: part.buffer.logicalID), "idx": Int64(part.index),
            ]
            let seq = try ChunkPartRecord.fetchOne(db, key: key)?.seq ?? nextSeq(ChunkPartRecord.self, db)
            try ChunkPartRecord(part, seq: seq).save(db)
        case .removeChunkBuffer(let buffer):
            _ = try ChunkPartRecord
                .filter(ChunkPartRecord.Columns.room == Data(utf8: buffer.peer.room))
                .filter(ChunkPartRecord.Columns.sender == Data(utf8: buffer.peer.name))
                .filter(ChunkPartRecord.Columns.logicalId == Data(utf8: buffer.logicalID))
                .deleteAll(db)
        case let .appendInbox(entry, cap):
            try appendInbox(entry, cap: cap, in: db)
        }
    }

    /// Appends to the inbox and drops the oldest entries beyond `cap` (counting them).
    static func appendInbox(_ entry: PeerNotification, cap: Int, in db: Database) throws {
        try InboxRecord(entry).insert(db)
        let excess = try InboxRecord.fetchCount(db) - max(cap, 0)
        guard excess > 0 else { return }
        let oldest = try Int64.fetchAll(
            db, InboxRecord.select(InboxRecord.Columns.id).order(InboxRecord.Columns.id).limit(excess))
        _ = try InboxRecord.deleteAll(db, keys: oldest)
        try setInboxDropped(inboxDropped(db) + oldest.count, db)
    }

    /// The dropped counter of the inbox (0 when never set).
    static func inboxDropped(_ db: Database) throws -> Int {
        let value = try PeerMetaRecord.fetchOne(db, key: PeerMetaRecord.inboxDroppedKey)?.value
        return value.flatMap { Int($0) } ?? 0
    }

    static func setInboxDropped(_ count: Int, _ db: Database) throws {
        try PeerMetaRecord(key: PeerMetaRecord.inboxDroppedKey, value: String(count)).save(db)
    }

    // MARK: - Private

    private static func peerKey(_ peer: RoomPeer) -> [String: (any DatabaseValueConvertible)?] {
        ["room": Data(utf8: peer.room), "name": Data(utf8: peer.name)]
    }

    private static func seenKey(_ entry: SeenEntry) -> [String: (any DatabaseValueConvertible)?] {
        ["room": Data(utf8: entry.peer.room), "sender": Data(utf8: entry.peer.name), "msg_id": Data(utf8: entry.msgID)]
    }

    /// The next insertion-order number of a table with a `seq` column.
    private static func nextSeq<Record: TableRecord>(_: Record.Type, _ db: Database) throws -> Int64 {
        (try Record.select(max(Column("seq")), as: Int64.self).fetchOne(db) ?? 0) + 1
    }
}
