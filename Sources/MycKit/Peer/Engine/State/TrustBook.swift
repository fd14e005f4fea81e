/// Room-scoped TOFU pins (§5.4), keys blocked pending `myc_trust`, and the STS-failed set:
/// the durable trust state, mirrored in memory. Every mutation returns the store changes
/// that make it durable; the engine emits them as `.persist`.
struct TrustBook: Sendable {
    /// `last_seen` is written at most this often per pin (not on every key check, §8.16).
    static let touchIntervalMs: Int64 = 60_000

    private(set) var pins = OrderedMap<RoomPeer, Pin>()
    private(set) var blocked = OrderedMap<RoomPeer, BlockedKey>()
    private(set) var stsFailed = Set<RoomPeer>()

    init(snapshot: PeerStateSnapshot) {
        adopt(snapshot)
    }

    /// Replaces everything with the stored state (start, or another process wrote).
    mutating func adopt(_ snapshot: PeerStateSnapshot) {
        pins = OrderedMap()
        for pin in snapshot.pins { pins[pin.peer] = pin }
        blocked = OrderedMap()
        for entry in snapshot.blocked { blocked[entry.peer] = entry }
        stsFailed = Set(snapshot.stsFailed)
    }

    enum TofuResult: Equatable {
        case new
        case trusted
        case changed
    }

    /// `tofuCheck(room, name, key)`: pin on first sight, compare afterwards. Keys compare
    /// by their base64 bytes (the relay copies them verbatim).
    mutating func check(_ peer: RoomPeer, key: String, nowMs: Int64) -> (TofuResult, [PeerStoreChange]) {
        guard let pin = pins[peer] else {
            let pin = Pin(peer: peer, key: key, firstSeenMs: nowMs, lastSeenMs: nowMs)
            pins[peer] = pin
            return (.new, [.setPin(pin)])
        }
        guard pin.key.isExactly(key) else { return (.changed, []) }
        return (.trusted, touch(peer, nowMs: nowMs))
    }

    /// Updates `last_seen`, at most once a minute per pin.
    mutating func touch(_ peer: RoomPeer, nowMs: Int64) -> [PeerStoreChange] {
        guard var pin = pins[peer], nowMs - pin.lastSeenMs >= Self.touchIntervalMs else { return [] }
        pin.lastSeenMs = nowMs
        pins[peer] = pin
        return [.touchPin(peer, lastSeenMs: nowMs)]
    }

    /// `tofuOverride`: replaces the pin, `first_seen` reset (myc_trust, key rotation).
    mutating func override(_ peer: RoomPeer, key: String, nowMs: Int64) -> [PeerStoreChange] {
        let pin = Pin(peer: peer, key: key, firstSeenMs: nowMs, lastSeenMs: nowMs)
        pins[peer] = pin
        return [.setPin(pin)]
    }

    func pin(_ peer: RoomPeer) -> Pin? { pins[peer] }

    /// Records keys refused by key processing; nothing to persist if the same keys are
    /// already blocked for the same reason (re-checked at every `auth_ok`).
    mutating func block(_ peer: RoomPeer, keyInfo: KeyInfo, reason: BlockedKey.Reason, nowMs: Int64) -> [PeerStoreChange] {
        if let existing = blocked[peer], existing.keyInfo == keyInfo, existing.reason == reason { return [] }
        let entry = BlockedKey(peer: peer, keyInfo: keyInfo, reason: reason, blockedAtMs: nowMs)
        blocked[peer] = entry
        return [.setBlocked(entry)]
    }

    mutating func unblock(_ peer: RoomPeer) -> [PeerStoreChange] {
        guard blocked.removeValue(forKey: peer) != nil else { return [] }
        return [.clearBlocked(peer)]
    }

    func isBlocked(_ peer: RoomPeer) -> Bool { blocked[peer] != nil }

    mutating func markStsFailed(_ peer: RoomPeer) -> [PeerStoreChange] {
        guard stsFailed.insert(peer).inserted else { return [] }
        return [.addStsFailed(peer)]
    }

    mutating func clearStsFailed(_ peer: RoomPeer) -> [PeerStoreChange] {
        guard stsFailed.remove(peer) != nil else { return [] }
        return [.clearStsFailed(peer)]
    }

    func isStsFailed(_ peer: RoomPeer) -> Bool { stsFailed.contains(peer) }

    /// Pinned names in `room`, in pin order.
    func pinnedNames(in room: String) -> [String] {
        pins.keys.filter { $0.room.isExactly(room) }.map(\.name)
    }
}
