/// Live room membership: rooms in creation order, members in join order (PROTOCOL.md §4.2,
/// §4.6). A room exists only while it has members; the first join creates it and the last
/// leave forgets it, so a lookup never conjures an empty room (§8.15).
///
/// Within a room a name is held by at most one connection: auth evicts the previous holder
/// before the newcomer joins (§3.4 step 9).
///
/// Rooms and names are `ExactString`s: `"K"` and `"\u{212A}"` are two names, `"é"` and
/// `"e\u{301}"` two rooms, as in the reference.
struct RoomRegistry: Sendable {
    struct Member: Sendable, Equatable {
        var connection: ConnectionID
        var name: ExactString
        var keyInfo: KeyInfo
    }

    /// Per room, its members in join order. An array rather than a map: rooms hold at most
    /// `maxPeersPerRoom` members, a linear name scan is cheaper than hashing at that size,
    /// and `members(of:)` hands out the stored array without copying (broadcast hot path).
    private var rooms = OrderedMap<ExactString, [Member]>()

    /// Room names in creation order.
    var roomNames: [ExactString] { rooms.keys }

    var isEmpty: Bool { rooms.isEmpty }

    /// The live member called `name` in `room`.
    func member(_ name: ExactString, in room: ExactString) -> Member? {
        rooms[room]?.first { $0.name == name }
    }

    /// Connections in `room`.
    func count(in room: ExactString) -> Int {
        rooms[room]?.count ?? 0
    }

    /// Members of `room` in join order.
    func members(of room: ExactString) -> [Member] {
        rooms[room] ?? []
    }

    /// Member names of `room` in join order.
    func memberNames(of room: ExactString) -> [String] {
        members(of: room).map(\.name.string)
    }

    /// The `auth_ok` / `peer_*` key map of `room`, in join order.
    func roomKeys(_ room: ExactString) -> RelayFrames.RoomKeys {
        RelayFrames.RoomKeys(
            room: room.string,
            members: members(of: room).map { RelayFrames.RoomKeys.Member(name: $0.name.string, keyInfo: $0.keyInfo) })
    }

    /// Adds `member` at the end of `room` (replacing a holder of the same name, which the
    /// core never leaves behind), creating the room at the end if needed.
    mutating func join(_ room: ExactString, _ member: Member) {
        let joined: Void? = rooms.withValue(forKey: room) { members in
            members.removeAll { $0.name == member.name }
            members.append(member)
        }
        if joined == nil { rooms[room] = [member] }
    }

    /// Removes `name` from `room` if `connection` still holds it; forgets the room when it
    /// empties. Returns whether anything was removed.
    @discardableResult
    mutating func leave(_ room: ExactString, name: ExactString, connection: ConnectionID) -> Bool {
        let outcome = rooms.withValue(forKey: room) { members -> (removed: Bool, empty: Bool) in
            guard let i = members.firstIndex(where: { $0.name == name && $0.connection == connection }) else {
                return (false, members.isEmpty)
            }
            members.remove(at: i)
            return (true, members.isEmpty)
        }
        guard let outcome else { return false }
        if outcome.empty { rooms.removeValue(forKey: room) }
        return outcome.removed
    }

    /// Forgets everything (shutdown).
    mutating func removeAll() {
        rooms = OrderedMap()
    }
}
