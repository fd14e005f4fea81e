/// Durable relay state: bindings, legacy keys, revocations and the offline queue
/// (ciphertext frames only). `RelayCore` never touches a store; it returns `StoreChange`s
/// that the runtime applies, in order, before it sends anything that depends on them
/// (a `queued` reply goes out only after the frame is on disk).
///
/// A protocol so a shared server database can replace the embedded SQLite one when one
/// relay is no longer enough.
public protocol RelayStore: Sendable {
    /// Everything the allow-list algorithms need, in insertion order.
    func loadAllowList() throws -> AllowListSnapshot
    /// Queued frames with `expiresAt > nowMs`, oldest first (FIFO per queue by `id`).
    func loadQueue(nowMs: Int64) throws -> [QueuedFrame]
    /// Applies the changes atomically (one transaction).
    func apply(_ changes: [StoreChange]) throws
    /// A value that changes whenever another process writes (e.g. `myc allow`), so the
    /// running relay can reload its allow-list without a restart.
    func externalChangeToken() throws -> Int64
}

/// One durable mutation. Each is idempotent, so replaying a batch after a crash is harmless.
///
/// Equality (like that of the other values here) compares rooms, names and keys by their
/// exact bytes, never by Unicode canonical equivalence (see `ExactString`).
public enum StoreChange: Sendable, Equatable {
    case bind(room: String, name: String, key: String)
    case unbind(room: String, name: String)
    case addLegacy(room: String, key: String)
    case removeLegacy(room: String, key: String)
    case revoke(room: String, key: String)
    case unrevoke(room: String, key: String)
    case enqueue(QueuedFrame)
    case dequeue(ids: [Int64])
    /// Deletes queued frames with `expiresAt <= nowMs`.
    case expireQueue(nowMs: Int64)

    public static func == (lhs: StoreChange, rhs: StoreChange) -> Bool {
        switch (lhs, rhs) {
        case let (.bind(r1, n1, k1), .bind(r2, n2, k2)):
            return r1.isExactly(r2) && n1.isExactly(n2) && k1.isExactly(k2)
        case let (.unbind(r1, n1), .unbind(r2, n2)):
            return r1.isExactly(r2) && n1.isExactly(n2)
        case let (.addLegacy(r1, k1), .addLegacy(r2, k2)),
             let (.removeLegacy(r1, k1), .removeLegacy(r2, k2)),
             let (.revoke(r1, k1), .revoke(r2, k2)),
             let (.unrevoke(r1, k1), .unrevoke(r2, k2)):
            return r1.isExactly(r2) && k1.isExactly(k2)
        case let (.enqueue(f1), .enqueue(f2)):
            return f1 == f2
        case let (.dequeue(i1), .dequeue(i2)):
            return i1 == i2
        case let (.expireQueue(t1), .expireQueue(t2)):
            return t1 == t2
        case (.bind, _), (.unbind, _), (.addLegacy, _), (.removeLegacy, _), (.revoke, _), (.unrevoke, _),
             (.enqueue, _), (.dequeue, _), (.expireQueue, _):
            return false
        }
    }
}

/// A frame waiting for an offline target (PROTOCOL.md §4.4).
public struct QueuedFrame: Sendable, Equatable {
    /// Monotonic, assigned by the core (seeded above the largest stored id at startup).
    public var id: Int64
    public var room: String
    public var target: String
    public var sender: String
    /// The re-serialized frame JSON exactly as it will be delivered.
    public var data: String
    /// Queue accounting size. The reference counts UTF-16 units; we count UTF-8 bytes (§8.18).
    public var size: Int
    public var expiresAtMs: Int64

    public init(id: Int64, room: String, target: String, sender: String, data: String, size: Int, expiresAtMs: Int64) {
        self.id = id
        self.room = room
        self.target = target
        self.sender = sender
        self.data = data
        self.size = size
        self.expiresAtMs = expiresAtMs
    }

    /// Byte-exact on every string (see `ExactString`).
    public static func == (lhs: QueuedFrame, rhs: QueuedFrame) -> Bool {
        lhs.id == rhs.id && lhs.size == rhs.size && lhs.expiresAtMs == rhs.expiresAtMs
            && lhs.room.isExactly(rhs.room) && lhs.target.isExactly(rhs.target)
            && lhs.sender.isExactly(rhs.sender) && lhs.data.isExactly(rhs.data)
    }
}

/// The allow-list as stored: each list in insertion order.
public struct AllowListSnapshot: Sendable, Equatable {
    public struct Binding: Sendable, Equatable {
        public var room: String
        public var name: String
        public var key: String
        public init(room: String, name: String, key: String) {
            self.room = room
            self.name = name
            self.key = key
        }

        /// Byte-exact (see `ExactString`).
        public static func == (lhs: Binding, rhs: Binding) -> Bool {
            lhs.room.isExactly(rhs.room) && lhs.name.isExactly(rhs.name) && lhs.key.isExactly(rhs.key)
        }
    }

    public struct RoomKey: Sendable, Equatable {
        public var room: String
        public var key: String
        public init(room: String, key: String) {
            self.room = room
            self.key = key
        }

        /// Byte-exact (see `ExactString`).
        public static func == (lhs: RoomKey, rhs: RoomKey) -> Bool {
            lhs.room.isExactly(rhs.room) && lhs.key.isExactly(rhs.key)
        }
    }

    public var bindings: [Binding]
    public var legacy: [RoomKey]
    public var revoked: [RoomKey]

    public init(bindings: [Binding] = [], legacy: [RoomKey] = [], revoked: [RoomKey] = []) {
        self.bindings = bindings
        self.legacy = legacy
        self.revoked = revoked
    }
}
