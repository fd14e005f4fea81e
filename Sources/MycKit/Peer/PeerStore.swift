/// Durable peer state, one database per identity: pins (room-scoped TOFU), keys blocked
/// pending trust, the STS-failed set, replay state, the outbox and received chunk parts
/// (their text sealed to this peer's own identity key), and the inbox. `PeerEngine` never
/// touches it; it returns `PeerStoreChange`s that the runtime applies in order. A second
/// process (`myc trust`) writes through the same database; the running peer notices via
/// `externalChangeToken()` and reloads.
public protocol PeerStore: Sendable {
    func loadSnapshot(nowMs: Int64) throws -> PeerStateSnapshot
    /// Applies the changes atomically (one transaction), in order.
    func apply(_ changes: [PeerStoreChange]) throws
    /// Changes whenever another process writes (not for this instance's own writes).
    func externalChangeToken() throws -> Int64

    /// Appends to the inbox, dropping the oldest entry beyond `cap` (and counting the drop).
    func appendInbox(_ entry: PeerNotification, cap: Int) throws
    /// The oldest `max` entries; removed unless `peek`. `dropped` is reported and reset on a
    /// non-peek drain.
    func drainInbox(max: Int, peek: Bool) throws -> InboxDrain
    func inboxCount() throws -> Int
}

/// Everything the engine restores at start (and after an outside change).
public struct PeerStateSnapshot: Sendable, Equatable {
    public var pins: [Pin]
    public var blocked: [BlockedKey]
    public var stsFailed: [RoomPeer]
    public var seen: [SeenEntry]
    public var windows: [ReplayWindowRecord]
    /// Unacknowledged sends, in send order (restored at start; ignored on outside changes).
    public var outbox: [DurableOutboxEntry]
    /// Received parts of chunked messages not yet reassembled, in arrival order.
    public var chunkParts: [DurableChunkPart]

    public init(pins: [Pin] = [], blocked: [BlockedKey] = [], stsFailed: [RoomPeer] = [],
                seen: [SeenEntry] = [], windows: [ReplayWindowRecord] = [],
                outbox: [DurableOutboxEntry] = [], chunkParts: [DurableChunkPart] = []) {
        self.pins = pins
        self.blocked = blocked
        self.stsFailed = stsFailed
        self.seen = seen
        self.windows = windows
        self.outbox = outbox
        self.chunkParts = chunkParts
    }
}

/// One outbox entry at rest (§5.12, made crash-durable): everything needed to retransmit it
/// under the same msg_id after a restart. The plaintext is never stored in clear: it is a
/// `crypto_box_seal` to this peer's own identity-derived Curve25519 key.
public struct DurableOutboxEntry: Sendable, Equatable {
    public var msgID: String
    /// `(room, target)`.
    public var peer: RoomPeer
    public var type: String
    public var requestID: String?
    /// `crypto_box_seal(utf8(plaintext), idCurve.publicKey)`.
    public var sealedPlaintext: [UInt8]
    /// Retransmissions so far, so `RETRY_MAX` holds across restarts.
    public var attempts: Int
    public var wasOffline: Bool
    /// Never sent as an offline envelope (`_perm_req`).
    public var sessionOnly: Bool
    public var createdAtMs: Int64
    /// The last (re)transmission attempt: a restored entry's delivery window runs from here.
    public var armedAtMs: Int64

    public init(msgID: String, peer: RoomPeer, type: String, requestID: String?, sealedPlaintext: [UInt8],
                attempts: Int, wasOffline: Bool, sessionOnly: Bool, createdAtMs: Int64, armedAtMs: Int64) {
        self.msgID = msgID
        self.peer = peer
        self.type = type
        self.requestID = requestID
        self.sealedPlaintext = sealedPlaintext
        self.attempts = attempts
        self.wasOffline = wasOffline
        self.sessionOnly = sessionOnly
        self.createdAtMs = createdAtMs
        self.armedAtMs = armedAtMs
    }
}

/// One received, committed (and acked) part of a chunked message (§5.13), kept until the
/// message is reassembled, dropped or timed out, so a restart between parts loses nothing.
/// The part's bytes are sealed to this peer's own identity key, like the outbox.
public struct DurableChunkPart: Sendable, Equatable {
    public var buffer: ChunkBufferID
    /// `n`: the number of parts of the logical message.
    public var count: Int
    /// `i`, 0-based.
    public var index: Int
    /// `crypto_box_seal(part bytes, idCurve.publicKey)`.
    public var sealedData: [UInt8]
    /// When the buffer was opened (its 120 s timeout runs from here).
    public var openedAtMs: Int64

    public init(buffer: ChunkBufferID, count: Int, index: Int, sealedData: [UInt8], openedAtMs: Int64) {
        self.buffer = buffer
        self.count = count
        self.index = index
        self.sealedData = sealedData
        self.openedAtMs = openedAtMs
    }
}

/// A (room, peer name) pair. Names compare by UTF-8 bytes, never by Swift's canonical
/// equivalence: `"K"` (U+212A) and `"K"` are different peers to the relay, so they are here.
public struct RoomPeer: Hashable, Sendable {
    public var room: String
    public var name: String
    public init(room: String, name: String) {
        self.room = room
        self.name = name
    }
    public static func == (a: RoomPeer, b: RoomPeer) -> Bool {
        a.room.utf8.elementsEqual(b.room.utf8) && a.name.utf8.elementsEqual(b.name.utf8)
    }
    public func hash(into hasher: inout Hasher) {
        for byte in room.utf8 { hasher.combine(byte) }
        hasher.combine(0xFF as UInt8)
        for byte in name.utf8 { hasher.combine(byte) }
    }
}

/// A TOFU pin (§5.4): the identity key first seen for `name` in `room`.
public struct Pin: Sendable, Equatable {
    public var peer: RoomPeer
    /// Base64 Ed25519 public key.
    public var key: String
    public var firstSeenMs: Int64
    public var lastSeenMs: Int64
    public init(peer: RoomPeer, key: String, firstSeenMs: Int64, lastSeenMs: Int64) {
        self.peer = peer
        self.key = key
        self.firstSeenMs = firstSeenMs
        self.lastSeenMs = lastSeenMs
    }
}

/// Keys the relay advertised for a peer that failed key processing (TOFU change, bad
/// ephemeral signature, STS failure): kept so `myc trust` can show and accept them.
public struct BlockedKey: Sendable, Equatable {
    public enum Reason: String, Sendable { case keyChanged = "key_changed", badEphemeralSignature = "bad_eph_sig", stsFailed = "sts_failed", other }
    public var peer: RoomPeer
    public var keyInfo: KeyInfo
    public var reason: Reason
    public var blockedAtMs: Int64
    public init(peer: RoomPeer, keyInfo: KeyInfo, reason: Reason, blockedAtMs: Int64) {
        self.peer = peer
        self.keyInfo = keyInfo
        self.reason = reason
        self.blockedAtMs = blockedAtMs
    }
}

/// A committed msg_id (§5.10 dedup set), scoped to (room, relay-stamped sender).
public struct SeenEntry: Sendable, Equatable {
    public var peer: RoomPeer
    public var msgID: String
    public var atMs: Int64
    public init(peer: RoomPeer, msgID: String, atMs: Int64) {
        self.peer = peer
        self.msgID = msgID
        self.atMs = atMs
    }
}

/// One 64-wide sequence window (§5.10) for (room, sender, session_id).
public struct ReplayWindowRecord: Sendable, Equatable {
    public var peer: RoomPeer
    public var sessionID: String
    public var last: Int64
    public var mask: UInt64
    public init(peer: RoomPeer, sessionID: String, last: Int64, mask: UInt64) {
        self.peer = peer
        self.sessionID = sessionID
        self.last = last
        self.mask = mask
    }
}

/// One durable mutation of peer state; each is idempotent except `appendInbox` (a batch is
/// applied atomically, never replayed).
public enum PeerStoreChange: Sendable, Equatable {
    case setPin(Pin)
    case touchPin(RoomPeer, lastSeenMs: Int64)
    case removePin(RoomPeer)
    case setBlocked(BlockedKey)
    case clearBlocked(RoomPeer)
    case addStsFailed(RoomPeer)
    case clearStsFailed(RoomPeer)
    case addSeen(SeenEntry)
    /// Drops dedup entries seen at or before `atOrBeforeMs`, then the oldest beyond `keepAtMost`.
    case pruneSeen(atOrBeforeMs: Int64, keepAtMost: Int)
    case setWindow(ReplayWindowRecord)
    /// Adds or replaces (keeping its send position) an outbox entry, by msg_id.
    case putOutbox(DurableOutboxEntry)
    case removeOutbox(msgID: String)
    /// Adds a received chunk part (a repeat of the same index replaces it).
    case putChunkPart(DurableChunkPart)
    /// Drops every stored part of one reassembly buffer.
    case removeChunkBuffer(ChunkBufferID)
    /// Appends to the inbox (what `appendInbox(_:cap:)` does), inside the same transaction as
    /// the changes around it: a delivered message lands together with its dedup commit.
    case appendInbox(PeerNotification, cap: Int)
}
