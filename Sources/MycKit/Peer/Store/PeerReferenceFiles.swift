/// Pure parsing of the reference peer's state files into contract values (no I/O).
/// Structural damage throws `PeerStoreError` naming the file and the spot; see
/// `PeerReferenceImport` for why it fails closed.
enum ReferenceFileParser {
    /// The replay state of a reference file: dedup entries and windows, in file order.
    struct ReplayState: Equatable {
        var seen: [SeenEntry] = []
        var windows: [ReplayWindowRecord] = []
        /// Dedup keys that do not split into `room\0from\0msg_id`.
        var unscoped = 0
    }

    /// The pins of a TOFU file (§5.4), in file order. `version: 2` selects
    /// `{"version":2,"rooms":{room:{name:entry}}}`; anything else is v1 `{name: entry}`,
    /// copied into every room of `rooms` (a top-level `"version"` that is not an entry is
    /// ignored). Timestamps are ISO-8601 (`toISOString()`); a missing or unreadable one is
    /// `nowMs`, and a missing `last_seen` is `first_seen`.
    static func pins(from bytes: [UInt8], path: String, rooms: [String], nowMs: Int64) throws(PeerStoreError) -> [Pin] {
        func fail(_ reason: String) -> PeerStoreError {
            PeerStoreError(path: path, kind: .cannotImportPins, reason: reason)
        }
        let root: JSONObject
        do {
            root = try JSONParser.parseObject(bytes)
        } catch {
            throw fail("not a JSON object (\(error))")
        }
        var pins: [Pin] = []
        guard root["version"] == .number(2) else {
            for (name, value) in root {
                if name == "version" && value.objectValue == nil { continue }
                let (key, first, last) = try entry(value, at: "[\(name.debugDescription)]", nowMs: nowMs, fail)
                for room in rooms {
                    pins.append(Pin(peer: RoomPeer(room: room, name: name), key: key, firstSeenMs: first, lastSeenMs: last))
                }
            }
            return pins
        }
        let byRoom: JSONObject
        switch root["rooms"] {
        case nil, .null?: return []
        case .object(let object)?: byRoom = object
        case .some: throw fail("\"rooms\" is not an object")
        }
        for (room, names) in byRoom {
            guard let names = names.objectValue else { throw fail("rooms[\(room.debugDescription)] is not an object") }
            for (name, value) in names {
                let (key, first, last) = try entry(
                    value, at: "rooms[\(room.debugDescription)][\(name.debugDescription)]", nowMs: nowMs, fail)
                pins.append(Pin(peer: RoomPeer(room: room, name: name), key: key, firstSeenMs: first, lastSeenMs: last))
            }
        }
        return pins
    }

    /// A replay file (§5.10) with its migrations: `seqs` keys without a NUL are bare names,
    /// scoped to `rooms[0]`; a window that is a bare number `n` is `{last: n, mask: 2^64−1}`;
    /// a missing, null or empty `mask` is 0. A dedup timestamp that is not a number is `nowMs`.
    static func replayState(
        from bytes: [UInt8], path: String, rooms: [String], nowMs: Int64
    ) throws(PeerStoreError) -> ReplayState {
        func fail(_ reason: String) -> PeerStoreError {
            PeerStoreError(path: path, kind: .cannotImportReplayState, reason: reason)
        }
        let root: JSONObject
        do {
            root = try JSONParser.parseObject(bytes)
        } catch {
            throw fail("not a JSON object (\(error))")
        }
        func section(_ name: String) throws(PeerStoreError) -> JSONObject {
            switch root[name] {
            case nil, .null?: return JSONObject()
            case .object(let object)?: return object
            case .some: throw fail("\"\(name)\" is not an object")
            }
        }
        var state = ReplayState()
        for (key, value) in try section("seen") {
            guard let entry = seenEntry(key: key, atMs: milliseconds(value) ?? nowMs) else {
                state.unscoped += 1
                continue
            }
            state.seen.append(entry)
        }
        for (key, sessions) in try section("seqs") {
            let peer: RoomPeer
            if let nul = key.utf8.firstIndex(of: 0) {
                peer = RoomPeer(room: String(key[..<nul]), name: String(key[key.utf8.index(after: nul)...]))
            } else {
                peer = RoomPeer(room: rooms[0], name: key)  // pre-0.3.0 bare name
            }
            let at = "seqs[\(key.debugDescription)]"
            guard let sessions = sessions.objectValue else { throw fail("\(at) is not an object") }
            for (sessionID, window) in sessions {
                let (last, mask) = try self.window(window, at: "\(at)[\(sessionID.debugDescription)]", fail)
                state.windows.append(ReplayWindowRecord(peer: peer, sessionID: sessionID, last: last, mask: mask))
            }
        }
        return state
    }

    /// The lines of a replay WAL: the file as text, trimmed, split on `\n`, empty lines
    /// dropped; each line a dedup key seen at `nowMs`. Never fails: the reference appends
    /// raw msg_ids, so a line may be a fragment of one (those are counted as unscoped).
    static func walEntries(from bytes: [UInt8], nowMs: Int64) -> (seen: [SeenEntry], unscoped: Int) {
        let text = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
        var seen: [SeenEntry] = [], unscoped = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if let entry = seenEntry(key: String(line), atMs: nowMs) { seen.append(entry) } else { unscoped += 1 }
        }
        return (seen, unscoped)
    }

    // MARK: - Private

    /// `room\0from\0msg_id` (the msg_id may itself hold NULs); nil with fewer than two NULs.
    private static func seenEntry(key: String, atMs: Int64) -> SeenEntry? {
        let utf8 = key.utf8
        guard let first = utf8.firstIndex(of: 0),
              let second = utf8[utf8.index(after: first)...].firstIndex(of: 0) else { return nil }
        let room = String(key[..<first])
        let from = String(key[utf8.index(after: first)..<second])
        let msgID = String(key[utf8.index(after: second)...])
        return SeenEntry(peer: RoomPeer(room: room, name: from), msgID: msgID, atMs: atMs)
    }

    private static func entry(
        _ value: JSONValue, at location: String, nowMs: Int64, _ fail: (String) -> PeerStoreError
    ) throws(PeerStoreError) -> (key: String, firstSeenMs: Int64, lastSeenMs: Int64) {
        guard let object = value.objectValue else { throw fail("\(location) is not an object") }
        guard let key = object["sign_pubkey"]?.stringValue, !key.isEmpty else {
            throw fail("\(location).sign_pubkey is missing or not a string")
        }
        let first = timestamp(object["first_seen"]) ?? nowMs
        let last = timestamp(object["last_seen"]) ?? first
        return (key, first, last)
    }

    private static func timestamp(_ value: JSONValue?) -> Int64? {
        guard let value else { return nil }
        if let text = value.stringValue { return ISOTimestamp.milliseconds(from: text) }
        return milliseconds(value)
    }

    private static func window(
        _ value: JSONValue, at location: String, _ fail: (String) -> PeerStoreError
    ) throws(PeerStoreError) -> (last: Int64, mask: UInt64) {
        if case .number = value {
            guard let last = value.integerValue else { throw fail("\(location) is not an integer") }
            return (last, UInt64.max)  // pre-per-session-mask window: everything at or below `last` seen
        }
        guard let object = value.objectValue else { throw fail("\(location) is neither a number nor an object") }
        guard let last = object["last"]?.integerValue else { throw fail("\(location).last is missing or not an integer") }
        switch object["mask"] {
        case nil, .null?:
            return (last, 0)
        case .string(let hex)?:
            guard let mask = parseMask(hex) else { throw fail("\(location).mask is not hexadecimal") }
            return (last, mask)
        case .some:
            throw fail("\(location).mask is not a string")
        }
    }

    /// Hex digits (either case; `""` is 0) → the low 64 bits, which is all a window keeps.
    static func parseMask(_ hex: String) -> UInt64? {
        var mask: UInt64 = 0
        for byte in hex.utf8 {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            mask = mask << 4 | UInt64(digit)
        }
        return mask
    }

    /// A finite JSON number as whole milliseconds (toward zero), clamped to Int64.
    private static func milliseconds(_ value: JSONValue) -> Int64? {
        guard let number = value.numberValue, number.isFinite else { return nil }
        if number >= 9.2e18 { return Int64.max }
        if number <= -9.2e18 { return Int64.min }
        return Int64(number.rounded(.towardZero))
    }
}
