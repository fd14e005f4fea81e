/// The relay's allow-list as a pure value (PROTOCOL.md §4.11.2–§4.11.6): per room, the
/// lasting `name → sign_pubkey` bindings, the legacy (v1) keys not yet bound to a name,
/// and the revoked keys, each in insertion order.
///
/// Every mutation returns the `[StoreChange]` that makes it durable, so the same code
/// serves the running relay (which persists through actions) and `myc allow` (which
/// applies the changes to the store directly).
public struct AllowList: Sendable, Equatable {
    // Rooms, names and keys are `ExactString`s: `"K"` and `"\u{212A}"` are two names with
    // two bindings, `"é"` and `"e\u{301}"` two rooms, as in the reference (JavaScript
    // compares code units; Swift's `String ==` would fold them together).
    private var bindings = OrderedMap<ExactString, OrderedMap<ExactString, ExactString>>()
    private var legacy = OrderedMap<ExactString, [ExactString]>()
    private var revoked = OrderedMap<ExactString, [ExactString]>()

    public init() {}

    /// Rebuilds the list from the store's snapshot (each list in insertion order).
    public init(snapshot: AllowListSnapshot) {
        for b in snapshot.bindings { setBinding(room: ExactString(b.room), name: ExactString(b.name), key: ExactString(b.key)) }
        for entry in snapshot.legacy { legacy[ExactString(entry.room), default: []].append(ExactString(entry.key)) }
        for entry in snapshot.revoked {
            let room = ExactString(entry.room), key = ExactString(entry.key)
            if !isRevoked(key, in: room) { revoked[room, default: []].append(key) }
        }
    }

    /// The list as the store holds it.
    public var snapshot: AllowListSnapshot {
        AllowListSnapshot(
            bindings: bindings.elements.flatMap { room, names in
                names.elements.map { AllowListSnapshot.Binding(room: room.string, name: $0.key.string, key: $0.value.string) }
            },
            legacy: Self.roomKeys(legacy),
            revoked: Self.roomKeys(revoked))
    }

    // MARK: Queries

    /// The key bound to `name` in `room`.
    public func key(boundTo name: String, in room: String) -> String? {
        key(boundTo: ExactString(name), in: ExactString(room))?.string
    }

    func key(boundTo name: ExactString, in room: ExactString) -> ExactString? {
        bindings[room]?[name]
    }

    /// Whether `key` is on `room`'s revocation list.
    public func isRevoked(_ key: String, in room: String) -> Bool {
        isRevoked(ExactString(key), in: ExactString(room))
    }

    func isRevoked(_ key: ExactString, in room: ExactString) -> Bool {
        revoked[room]?.contains(key) ?? false
    }

    /// Rooms with at least one binding, in insertion order.
    public var boundRooms: [String] { bindings.keys.strings }

    public func bindings(in room: String) -> [(name: String, key: String)] {
        bindings[ExactString(room)]?.elements.map { (name: $0.key.string, key: $0.value.string) } ?? []
    }

    public func legacyKeys(in room: String) -> [String] { legacy[ExactString(room)]?.strings ?? [] }
    public func revokedKeys(in room: String) -> [String] { revoked[ExactString(room)]?.strings ?? [] }

    // MARK: §4.11.3 allow status

    /// The allow status of `(room, name, key)`, checked in the reference's order. A legacy
    /// key is migrated on the way (bound to `name`, removed from the legacy list).
    public mutating func status(room: String, name: String, key: String) -> (status: AllowStatus, changes: [StoreChange]) {
        status(room: ExactString(room), name: ExactString(name), key: ExactString(key))
    }

    mutating func status(room: ExactString, name: ExactString, key: ExactString) -> (status: AllowStatus, changes: [StoreChange]) {
        if isRevoked(key, in: room) { return (.revoked, []) }
        if let bound = bindings[room]?[name] {
            return (bound == key ? .bound : .nameConflict, [])
        }
        if bindings[room]?.firstKey(where: { $0 == key }) != nil { return (.keyConflict, []) }
        if legacy[room]?.contains(key) ?? false {
            removeLegacy(room: room, key: key)
            setBinding(room: room, name: name, key: key)
            return (.migrated, [
                .bind(room: room.string, name: name.string, key: key.string),
                .removeLegacy(room: room.string, key: key.string),
            ])
        }
        return (.unknown, [])
    }

    /// Binds `name → key` in `room` (a new registration after a valid token).
    public mutating func bind(room: String, name: String, key: String) -> [StoreChange] {
        bind(room: ExactString(room), name: ExactString(name), key: ExactString(key))
    }

    mutating func bind(room: ExactString, name: ExactString, key: ExactString) -> [StoreChange] {
        setBinding(room: room, name: name, key: key)
        return [.bind(room: room.string, name: name.string, key: key.string)]
    }

    // MARK: §4.11.4 rotation

    /// Moves `name`'s binding from `previousKey` to `newKey` in each room where it points at
    /// `previousKey`, and replaces `previousKey` in the legacy lists. The caller has already
    /// verified the continuity signature. Re-applying a rotation changes nothing.
    public mutating func applyRotation(rooms: [String], name: String, previousKey: String, newKey: String) -> [StoreChange] {
        applyRotation(
            rooms: rooms.map(ExactString.init), name: ExactString(name),
            previousKey: ExactString(previousKey), newKey: ExactString(newKey))
    }

    mutating func applyRotation(
        rooms: [ExactString], name: ExactString, previousKey: ExactString, newKey: ExactString
    ) -> [StoreChange] {
        guard previousKey != newKey else { return [] }
        var changes: [StoreChange] = []
        for room in rooms {
            if bindings[room]?[name] == previousKey {
                setBinding(room: room, name: name, key: newKey)
                changes.append(.bind(room: room.string, name: name.string, key: newKey.string))
            }
            if var keys = legacy[room], let i = keys.firstIndex(of: previousKey) {
                // The reference saves this only when a binding also moved (§8.21); we always do.
                if keys.contains(newKey) { keys.remove(at: i) } else { keys[i] = newKey }
                keys.removeAll { $0 == previousKey }
                legacy[room] = keys
                changes.append(.removeLegacy(room: room.string, key: previousKey.string))
                changes.append(.addLegacy(room: room.string, key: newKey.string))
            }
        }
        return changes
    }

    // MARK: §4.11.6 revocation

    /// Revokes a binding (by `name`, else by `pubkey`) and/or a legacy key in `room`.
    /// A key that is neither bound nor legacy cannot be blocked ahead of time.
    public mutating func revoke(room: String, name: String?, pubkey: String?) -> RevocationOutcome {
        let room = ExactString(room)
        var key = pubkey.map(ExactString.init)
        var revokedName: ExactString?
        var changes: [StoreChange] = []
        var removed = false
        if let names = bindings[room] {
            if let name = name.map(ExactString.init), let bound = names[name] {
                key = bound
                revokedName = name
            } else if let pubkey = key, let holder = names.firstKey(where: { $0 == pubkey }) {
                revokedName = holder
            }
            if let revokedName {
                bindings.withValue(forKey: room) { $0.removeValue(forKey: revokedName) }
                if bindings[room]?.isEmpty ?? false { bindings.removeValue(forKey: room) }
                changes.append(.unbind(room: room.string, name: revokedName.string))
                removed = true
            }
        }
        if let key, legacy[room]?.contains(key) ?? false {
            removeLegacy(room: room, key: key)
            changes.append(.removeLegacy(room: room.string, key: key.string))
            removed = true
        }
        if removed, let key {
            if !isRevoked(key, in: room) { revoked[room, default: []].append(key) }
            changes.append(.revoke(room: room.string, key: key.string))
        }
        return RevocationOutcome(revoked: removed, revokedName: revokedName?.string, key: key?.string, changes: changes)
    }

    /// Lifts a revocation. It does not restore the binding: the key registers again with the token.
    public mutating func undoRevocation(room: String, pubkey: String?) -> RevocationOutcome {
        let room = ExactString(room)
        guard let pubkey, var keys = revoked[room], keys.contains(ExactString(pubkey)) else {
            return RevocationOutcome(revoked: false, revokedName: nil, key: pubkey, changes: [])
        }
        let key = ExactString(pubkey)
        keys.removeAll { $0 == key }
        revoked[room] = keys.isEmpty ? nil : keys
        return RevocationOutcome(revoked: true, revokedName: nil, key: pubkey, changes: [.unrevoke(room: room.string, key: pubkey)])
    }

    // MARK: File format (§4.11.2)

    /// The v2 allow-list object, as `GET /admin/allowlist` shows it (pretty-print it with
    /// `JSONSerializer.prettyString`): `{"version":2,"bindings":{},"legacy":{},"revoked":{}}`.
    public var jsonObject: JSONObject {
        var b = JSONObject()
        for (room, names) in bindings.elements {
            var m = JSONObject()
            for (name, key) in names.elements { m[name.string] = .string(key.string) }
            b[room.string] = .object(m)
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
                    if let key = key.stringValue {
                        setBinding(room: ExactString(room), name: ExactString(name), key: ExactString(key))
                    }
                }
            }
            Self.readLists(fileObject["legacy"]?.objectValue, into: &legacy)
            Self.readLists(fileObject["revoked"]?.objectValue, into: &revoked)
        } else {
            Self.readLists(fileObject, into: &legacy)
        }
    }

    // MARK: Private

    private mutating func setBinding(room: ExactString, name: ExactString, key: ExactString) {
        if bindings.withValue(forKey: room, { $0[name] = key }) == nil {
            var names = OrderedMap<ExactString, ExactString>()
            names[name] = key
            bindings[room] = names
        }
    }

    private mutating func removeLegacy(room: ExactString, key: ExactString) {
        guard var keys = legacy[room] else { return }
        keys.removeAll { $0 == key }
        legacy[room] = keys.isEmpty ? nil : keys
    }

    private static func roomKeys(_ lists: OrderedMap<ExactString, [ExactString]>) -> [AllowListSnapshot.RoomKey] {
        lists.elements.flatMap { room, keys in keys.map { AllowListSnapshot.RoomKey(room: room.string, key: $0.string) } }
    }

    private static func listObject(_ lists: OrderedMap<ExactString, [ExactString]>) -> JSONObject {
        var o = JSONObject()
        for (room, keys) in lists.elements { o[room.string] = .array(keys.map { .string($0.string) }) }
        return o
    }

    private static func readLists(_ object: JSONObject?, into lists: inout OrderedMap<ExactString, [ExactString]>) {
        for (room, value) in object ?? JSONObject() {
            guard let array = value.arrayValue else { continue }
            let keys = array.compactMap(\.stringValue).map(ExactString.init)
            if !keys.isEmpty { lists[ExactString(room)] = keys }
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
