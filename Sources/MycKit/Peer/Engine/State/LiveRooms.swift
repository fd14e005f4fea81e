/// Who the relay says is present in each joined room, with the keys it advertised
/// (§3.6 step 4, §5.5 `peer_joined`/`peer_left`). Rooms are indexed by their position in
/// `ROOMS`, never by `String` (two joined rooms may be canonically equivalent).
struct LiveRooms: Sendable {
    private var members: [[String]]
    private var keys: [RoomPeer: KeyInfo] = [:]
    private let rooms: [String]

    init(rooms: [String]) {
        self.rooms = rooms
        self.members = Array(repeating: [], count: rooms.count)
    }

    mutating func clear() {
        members = Array(repeating: [], count: rooms.count)
        keys = [:]
    }

    /// Replaces a room's member list (names other than ours, in the relay's order).
    mutating func replace(roomIndex: Int, with list: [(name: String, keyInfo: KeyInfo)]) {
        let room = rooms[roomIndex]
        for name in members[roomIndex] { keys[RoomPeer(room: room, name: name)] = nil }
        members[roomIndex] = []
        for (name, info) in list {
            let peer = RoomPeer(room: room, name: name)
            if keys[peer] == nil { members[roomIndex].append(name) }
            keys[peer] = info
        }
    }

    mutating func add(_ peer: RoomPeer, roomIndex: Int, keyInfo: KeyInfo) {
        if keys[peer] == nil { members[roomIndex].append(peer.name) }
        keys[peer] = keyInfo
    }

    mutating func remove(_ peer: RoomPeer, roomIndex: Int) {
        guard keys.removeValue(forKey: peer) != nil else { return }
        members[roomIndex].removeAll { $0.isExactly(peer.name) }
    }

    func names(roomIndex: Int) -> [String] { members[roomIndex] }

    func isLive(_ peer: RoomPeer) -> Bool { keys[peer] != nil }

    func keyInfo(_ peer: RoomPeer) -> KeyInfo? { keys[peer] }
}
