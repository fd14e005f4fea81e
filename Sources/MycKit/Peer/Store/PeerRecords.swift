import Foundation
import GRDB

// One record type per table, only at the store edge: `SQLitePeerStore` converts them to and
// from the contract types (`Pin`, `BlockedKey`, ...). Strings are stored as BLOBs of their
// UTF-8 bytes (see `PeerMigrations`); `Data(utf8:)` and `.text` convert.

extension Data {
    /// The UTF-8 bytes of `string`, as stored in a BLOB column.
    init(utf8 string: String) { self.init(string.utf8) }
    /// The stored bytes back as a string (always valid: they were written from a `String`).
    var text: String { String(decoding: self, as: UTF8.self) }
}

/// A row of `pin`.
struct PinRecord: Codable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "pin"
    var room: Data
    var name: Data
    var key: Data
    var firstSeenMs: Int64
    var lastSeenMs: Int64
    var seq: Int64

    enum CodingKeys: String, CodingKey {
        case room, name, key, seq
        case firstSeenMs = "first_seen_ms"
        case lastSeenMs = "last_seen_ms"
    }

    enum Columns {
        static let seq = Column(CodingKeys.seq)
    }

    init(_ pin: Pin, seq: Int64) {
        room = Data(utf8: pin.peer.room)
        name = Data(utf8: pin.peer.name)
        key = Data(utf8: pin.key)
        firstSeenMs = pin.firstSeenMs
        lastSeenMs = pin.lastSeenMs
        self.seq = seq
    }

    var pin: Pin {
        Pin(peer: RoomPeer(room: room.text, name: name.text), key: key.text, firstSeenMs: firstSeenMs, lastSeenMs: lastSeenMs)
    }
}

/// A row of `blocked_key`.
struct BlockedKeyRecord: Codable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "blocked_key"
    var room: Data
    var name: Data
    var signPubkey: Data
    var ephEncPubkey: Data
    var ephEncPubkeySig: Data
    var sessionId: Data
    var reason: String
    var blockedAtMs: Int64
    var seq: Int64

    enum CodingKeys: String, CodingKey {
        case room, name, reason, seq
        case signPubkey = "sign_pubkey"
        case ephEncPubkey = "eph_enc_pubkey"
        case ephEncPubkeySig = "eph_enc_pubkey_sig"
        case sessionId = "session_id"
        case blockedAtMs = "blocked_at_ms"
    }

    enum Columns {
        static let seq = Column(CodingKeys.seq)
    }

    init(_ blocked: BlockedKey, seq: Int64) {
        room = Data(utf8: blocked.peer.room)
        name = Data(utf8: blocked.peer.name)
        signPubkey = Data(utf8: blocked.keyInfo.signPublicKey)
        ephEncPubkey = Data(utf8: blocked.keyInfo.ephemeralPublicKey)
        ephEncPubkeySig = Data(utf8: blocked.keyInfo.ephemeralPublicKeySignature)
        sessionId = Data(utf8: blocked.keyInfo.sessionID)
        reason = blocked.reason.rawValue
        blockedAtMs = blocked.blockedAtMs
        self.seq = seq
    }

    var blocked: BlockedKey {
        BlockedKey(
            peer: RoomPeer(room: room.text, name: name.text),
            keyInfo: KeyInfo(
                signPublicKey: signPubkey.text, ephemeralPublicKey: ephEncPubkey.text,
                ephemeralPublicKeySignature: ephEncPubkeySig.text, sessionID: sessionId.text),
            // A reason written by a newer myc reads back as `.other`.
            reason: BlockedKey.Reason(rawValue: reason) ?? .other,
            blockedAtMs: blockedAtMs)
    }
}

/// A row of `sts_failed`.
struct StsFailedRecord: Codable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "sts_failed"
    var room: Data
    var name: Data
    var seq: Int64

    enum Columns {
        static let seq = Column(CodingKeys.seq)
    }

    init(_ peer: RoomPeer, seq: Int64) {
        room = Data(utf8: peer.room)
        name = Data(utf8: peer.name)
        self.seq = seq
    }

    var peer: RoomPeer { RoomPeer(room: room.text, name: name.text) }
}

/// A row of `seen`.
struct SeenRecord: Codable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "seen"
    var room: Data
    var sender: Data
    var msgId: Data
    var atMs: Int64
    var seq: Int64

    enum CodingKeys: String, CodingKey {
        case room, sender, seq
        case msgId = "msg_id"
        case atMs = "at_ms"
    }

    enum Columns {
        static let atMs = Column(CodingKeys.atMs)
        static let seq = Column(CodingKeys.seq)
    }

    init(_ entry: SeenEntry, seq: Int64) {
        room = Data(utf8: entry.peer.room)
        sender = Data(utf8: entry.peer.name)
        msgId = Data(utf8: entry.msgID)
        atMs = entry.atMs
        self.seq = seq
    }

    var entry: SeenEntry { SeenEntry(peer: RoomPeer(room: room.text, name: sender.text), msgID: msgId.text, atMs: atMs) }
}

/// A row of `replay_window`.
struct WindowRecord: Codable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "replay_window"
    var room: Data
    var sender: Data
    var sessionId: Data
    var last: Int64
    /// The UInt64 mask's bit pattern.
    var mask: Int64
    var seq: Int64

    enum CodingKeys: String, CodingKey {
        case room, sender, last, mask, seq
        case sessionId = "session_id"
    }

    enum Columns {
        static let seq = Column(CodingKeys.seq)
    }

    init(_ window: ReplayWindowRecord, seq: Int64) {
        room = Data(utf8: window.peer.room)
        sender = Data(utf8: window.peer.name)
        sessionId = Data(utf8: window.sessionID)
        last = window.last
        mask = Int64(bitPattern: window.mask)
        self.seq = seq
    }

    var window: ReplayWindowRecord {
        ReplayWindowRecord(
            peer: RoomPeer(room: room.text, name: sender.text), sessionID: sessionId.text,
            last: last, mask: UInt64(bitPattern: mask))
    }
}

/// A row of `inbox`.
struct InboxRecord: Codable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "inbox"
    /// Assigned by SQLite on insert (rowid): larger is newer.
    var id: Int64?
    var ts: Int64
    var kind: String
    var content: Data
    /// Compact JSON of the meta object, written by `JSONSerializer`.
    var meta: String

    enum Columns {
        static let id = Column(CodingKeys.id)
    }

    init(_ entry: PeerNotification) {
        id = nil
        ts = entry.ts
        kind = entry.kind.rawValue
        content = Data(utf8: entry.content)
        meta = JSONSerializer.string(of: .object(entry.meta))
    }

    /// The stored entry; a meta text that no longer parses (edited by hand) reads as `{}`.
    var notification: PeerNotification {
        PeerNotification(
            ts: ts, kind: PeerNotification.Kind(rawValue: kind) ?? .event, content: content.text,
            meta: (try? JSONParser.parseObject(meta)) ?? JSONObject())
    }
}

/// A row of `meta`: a named fact about the database.
struct PeerMetaRecord: Codable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "meta"
    var key: String
    var value: String

    /// The inbox's "dropped since the last drain" counter (§6.5).
    static let inboxDroppedKey = "inbox.dropped"
}

/// A row of `outbox`.
struct OutboxEntryRecord: Codable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "outbox"
    var msgId: Data
    var room: Data
    var target: Data
    var type: Data
    var requestId: Data?
    var sealed: Data
    var attempts: Int64
    var wasOffline: Bool
    var sessionOnly: Bool
    var createdAtMs: Int64
    var armedAtMs: Int64
    var seq: Int64

    enum CodingKeys: String, CodingKey {
        case room, target, type, sealed, attempts, seq
        case msgId = "msg_id"
        case requestId = "request_id"
        case wasOffline = "was_offline"
        case sessionOnly = "session_only"
        case createdAtMs = "created_at_ms"
        case armedAtMs = "armed_at_ms"
    }

    enum Columns {
        static let seq = Column(CodingKeys.seq)
    }

    init(_ entry: DurableOutboxEntry, seq: Int64) {
        msgId = Data(utf8: entry.msgID)
        room = Data(utf8: entry.peer.room)
        target = Data(utf8: entry.peer.name)
        type = Data(utf8: entry.type)
        requestId = entry.requestID.map { Data(utf8: $0) }
        sealed = Data(entry.sealedPlaintext)
        attempts = Int64(entry.attempts)
        wasOffline = entry.wasOffline
        sessionOnly = entry.sessionOnly
        createdAtMs = entry.createdAtMs
        armedAtMs = entry.armedAtMs
        self.seq = seq
    }

    var entry: DurableOutboxEntry {
        DurableOutboxEntry(
            msgID: msgId.text, peer: RoomPeer(room: room.text, name: target.text), type: type.text,
            requestID: requestId?.text, sealedPlaintext: [UInt8](sealed), attempts: Int(attempts),
            wasOffline: wasOffline, sessionOnly: sessionOnly, createdAtMs: createdAtMs, armedAtMs: armedAtMs)
    }
}

/// A row of `chunk_part`.
struct ChunkPartRecord: Codable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "chunk_part"
    var room: Data
    var sender: Data
    var logicalId: Data
    var idx: Int64
    var count: Int64
    var sealed: Data
    var openedAtMs: Int64
    var seq: Int64

    enum CodingKeys: String, CodingKey {
        case room, sender, idx, count, sealed, seq
        case logicalId = "logical_id"
        case openedAtMs = "opened_at_ms"
    }

    enum Columns {
        static let room = Column(CodingKeys.room)
        static let sender = Column(CodingKeys.sender)
        static let logicalId = Column(CodingKeys.logicalId)
        static let seq = Column(CodingKeys.seq)
    }

    init(_ part: DurableChunkPart, seq: Int64) {
        room = Data(utf8: part.buffer.peer.room)
        sender = Data(utf8: part.buffer.peer.name)
        logicalId = Data(utf8: part.buffer.logicalID)
        idx = Int64(part.index)
        count = Int64(part.count)
        sealed = Data(part.sealedData)
        openedAtMs = part.openedAtMs
        self.seq = seq
    }

    var part: DurableChunkPart {
        DurableChunkPart(
            buffer: ChunkBufferID(peer: RoomPeer(room: room.text, name: sender.text), logicalID: logicalId.text),
            count: Int(count), index: Int(idx), sealedData: [UInt8](sealed), openedAtMs: openedAtMs)
    }
}
