/// The relay's allow-list as a pure value (PROTOCOL.md §4.11.2–§4.11.6): per room, the
/// lasting `name → sign_pubkey` bindings, the legacy (v1) keys not yet bound to a name,
/// and the revoked keys, each in insertion order.
///
/// Every mutation returns the `[StoreChange]` that makes it durable, so the same code
/// serves the running relay (which persists through actions) and `myc allow` (which
/// applies the changes to the store directly).
public struct AllowList: Sendable, Equatable {
    private var bindings = OrderedMap<String, OrderedMap<String, String>>()
    private var legacy = OrderedMap<String, [String]>()
    private var revoked = OrderedMap<String, [String]>()

    public init() {}

    /// Rebuilds the list from the store's snapshot (each list in insertion order).
    public init(snapshot: AllowListSnapshot) {
        for b in snapshot.bindings { setBinding(room: b.room, name: b.name, key: b.key) }
        for entry in snapshot.legacy { legacy[entry.room, default: []].append(entry.key) }
        for entry in snapshot.revoked where !isRevoked(entry.key, in: entry.room) {
            revoked[entry.room, default: []].append(entry.key)
        }
    }

    /// The list as the store holds it.
    public var snapshot: AllowListSnapshot {
        AllowListSnapshot(
            bindings: bindings.elements.flatMap { room, names in
                names.elements.map { AllowListSnapshot.Binding(room: room, name: $0.key, key: $0.value) }
            },
            legacy: legacy.elements.flatMap { room, keys in keys.map { AllowListSnapshot.RoomKey(room: room, key: $0) } },
            revoked: revoked.elements.flatMap { room, keys in keys.map { AllowListSnapshot.RoomKey(room: room, key: $0) } })
    }

    // MARK: Queries

    /// The key bound to `name` in `room`.
    public func key(boundTo name: String, in room: String) -> String? {
        bindings[room]?[name]
    }

    /// Whether `key` is on `room`'s revocation list.
    public func isRevoked(_ key: String, in room: String) -> Bool {
        revoked[room]?.contains(key) ?? false
    }

    /// Rooms with at least one binding, in insertion order.
    public var boundRooms: [String] { bindings.keys }

    public func bindings(in room: String) -> [(name: String, key: String)] {
        bindings[room]?.elements.map { (name: $0.key, key: $0.value) } ?? []
    }

    public func legacyKeys(in room: String) -> [String] { legacy[room] ?? [] }
    public func revokedKeys(in room: String) -> [String] { revoked[room] ?? [] }

    // MARK: §4.11.3 allow status

    /// The allow status of `(room, name, key)`, checked in the reference's order. A legacy
    /// key is migrated on the way (bound to `name`, removed from the legacy list).
    public mutating func status(room: String, name: String, key: String) -> (status: AllowStatus, changes: [StoreChange]) {
        if isRevoked(key, in: room) { return (.revoked, []) }
        if let bound = bindings[room]?[name] {
            return (bound == key ? .bound : .nameConflict, [])
        }
        if bindings[room]?.firstKey(where: { $0 == key }) != nil { return (.keyConflict, []) }
        if legacy[room]?.contains(key) ?? false {
            removeLegacy(room: room, key: key)
            setBinding(room: room, name: name, key: key)
            return (.migrated, [.bind(room: room, name: name, key: key), .removeLegacy(room: room, key: key)])
        }
        return (.unknown, [])
    }

    /// Binds `name → key` in `room` (a new registration after a valid token).
    public mutating func bind(room: String, name: String, key: String) -> [StoreChange] {
        setBinding(room: room, name: name, key: key)
        return [.bind(room: room, name: name, key: key)]
    }

    // MARK: §4.11.4 rotation

    /// Moves `name`'s binding from `previousKey` to `newKey` in each room where it points at
    /// `previousKey`, and replaces `previousKey` in the legacy lists. The caller has already
    /// verified the continuity signature. Re-applying a rotation changes nothing.
    public mutating func applyRotation(rooms: [String], name: String, previousKey: String, newKey: String) -> [StoreChange] {
        guard previousKey != newKey else { return [] }
        var changes: [StoreChange] = []
        for room in rooms {
            if bindings[room]?[name] == previousKey {
                setBinding(room: room, name: name, key: newKey)
                changes.append(.bind(room: room, name: name, key: newKey))
            }
            if var keys = legacy[room], let i = keys.firstIndex(of: previousKey) {
                // The reference saves this only when a binding also moved (§8.21); we always do.
                if keys.contains(newKey) { keys.remove(at: i) } else { keys[i] = newKey }
                keys.removeAll { $0 == previousKey }
                legacy[room] = keys
                changes.append(.removeLegacy(room: room, key: previousKey))
                changes.append(.addLegacy(room: room, key: newKey))
            }
        }
        return changes
    }

    // MARK: §4.11.6 revocation

    /// Revokes a binding (by `name`, else by `pubkey`) and/or a legacy key in `room`.
    /// A key that is neither bound nor legacy cannot be blocked ahead of time.
    public mutating func revoke(room: String, name: String?, pubkey: String?) -> RevocationOutcome {
        var key = pubkey
        var revokedName: String?
        var changes: [StoreChange] = []
        var removed = false
        if let names = bindings[room] {
            if let name, let bound = names[name] {
                key = bound
                revokedName = name
            } else if let pubkey, let holder = names.firstKey(where: { $0 == pubkey }) {
                revokedName = holder
            }
            if let revokedName {
                bindings.withValue(forKey: room) { $0.removeValue(forKey: revokedName) }
                if bindings[room]?.isEmpty ?? false { bindings.removeValue(forKey: room) }
                changes.append(.unbind(room: room, name: revokedName))
                removed = true
            }
        }
        if let key, legacy[room]?.contains(key) ?? false {
            removeLegacy(room: room, key: key)
            changes.append(.removeLegacy(room: room, key: key))
            removed = true
        }
        if removed, let key {
            if !isRevoked(key, in: room) { revoked[room, default: []].append(key) }
            changes.append(.revoke(room: room, key: key))
        }
        return RevocationOutcome(revoked: removed, revokedName: revokedName, key: key, changes: changes)
    }

    /// Lifts a revocation. It does not restore the binding: the key registers again with the token.
    public mutating func undoRevocation(room: String, pubkey: String?) -> RevocationOutcome {
        guard let pubkey, var keys = revoked[room], keys.contains(pubkey) else {
            return RevocationOutcome(revoked: false, revokedName: nil, key: pubkey, changes: [])
        }
        keys.removeAll { $0 == pubkey }
        revoked[room] = keys.isEmpty ? nil : keys
        return RevocationOutcome(revoked: true, revokedName: nil, key: pubkey, changes: [.unrevoke(room: room, key: pubkey)])
    }

    // MARK: File format (§4.11.2)

    /// The v2 allow-list object, as `GET /admin/allowlist` shows it (pretty-print it with
    /// `JSONSerializer.prettyString`): `{"version":2,"bindings":{},"legacy":{},"revoked":{}}`.
    public var jsonObject: JSONObject {
        var b = JSONObject()
        for (room, names) in bindings.elements {
            var m = JSONObject()
            for (name, key) in names.elements { m[name] = .string(key) }
            b[room] = .object(m)
        }
        return [
            "version": 2,
            "bindings": .object(b),
            "legacy": .object(Self.listObject(legacy)),
            "revoked": .object(Self.listObject(revoked)),
        ]
    }

    /// Reads a reference allow-list file: v2 as is, anything else as v1
    /// (`{"<room>":["<pubkey>",...]}`, non-array values ignored). Non-string entries are skipped.
    public init(fileObject: JSONObject) {
        if fileObject["version"]?.numberValue == 2 {
            for (room, names) in fileObject["bindings"]?.objectValue ?? JSONObject() {
                for (name, key) in names.objectValue ?? JSONObject() {
                    if let key = key.stringValue { setBinding(room: room, name: name, key: key) }
                }
            }
            Self.readLists(fileObject["legacy"]?.objectValue, into: &legacy)
            Self.readLists(fileObject["revoked"]?.objectValue, into: &revoked)
        } else {
            Self.readLists(fileObject, into: &legacy)
        }
    }

    // MARK: Private

    private mutating func setBinding(room: String, name: String, key: String) {
        if bindings.withValue(forKey: room, { $0[name] = key }) == nil {
            var names = OrderedMap<String, String>()
            names[name] = key
            bindings[room] = names
        }
    }

    private mutating func removeLegacy(room: String, key: String) {
        guard var keys = legacy[room] else { return }
        keys.removeAll { $0 == key }
        legacy[room] = keys.isEmpty ? nil : keys
    }

    private static func listObject(_ lists: OrderedMap<String, [String]>) -> JSONObject {
        var o = JSONObject()
        for (room, keys) in lists.elements { o[room] = .array(keys.map { .string($0) }) }
        return o
    }

    private static func readLists(_ object: JSONObject?, into lists: inout OrderedMap<String, [String]>) {
        for (room, value) in object ?? JSONObject() {
            guard let array = value.arrayValue else { continue }
            let keys = array.compactMap(\.stringValue)
            if !keys.isEmpty { lists[room] = keys }
        }
    }
}

/// §4.11.3: where `(room, name, key)` stands.
public enum AllowStatus: Sendable, Equatable {
    /// The key is on the room's revocation list.
    case revoked
    /// The name is bound to this key.
    case bound
    /// The name is bound to another key.
    case nameConflict
    /// Another name is bound to this key.
    case keyConflict
    /// The key was a legacy key and is now bound to this name.
    case migrated
    /// Nothing known: registration needs the token.
    case unknown
}

/// The result of `AllowList.revoke` / `undoRevocation`.
public struct RevocationOutcome: Sendable, Equatable {
    /// `revoked` of the admin reply: something was removed (or, for undo, un-revoked).
    public var revoked: Bool
    /// The name whose binding was removed, if any.
    public var revokedName: String?
    /// The key concerned, when known.
    public var key: String?
    public var changes: [StoreChange]
}
