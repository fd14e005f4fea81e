/// Builders for every frame the relay sends to a peer (PROTOCOL.md §3.5–§3.7, §4.2, §4.5,
/// §4.6, §4.10), except `challenge`, which is `ChallengeFrame`.
///
/// Each returns the ordered object; `RelayFrames.bytes(_:)` gives the wire text. Keys come
/// in the order of the spec's examples — `type`, `from`, then `proto` (auth_ok v2), then
/// `payload`, then `msg_id` and `ttl_s` — so output is stable byte for byte.
public enum RelayFrames {
    /// The `from` of every relay control frame (§1.6).
    public static let relayName = "_relay"

    /// The wire text of a built frame (`JSON.stringify`).
    public static func bytes(_ frame: JSONObject) -> [UInt8] {
        JSONSerializer.bytes(of: .object(frame))
    }

    // MARK: Handshake (§3.5, §3.7)

    /// One room of an `auth_ok` key map, members in join order (the authenticating peer included).
    public struct RoomKeys: Sendable, Equatable {
        public var room: String
        public var members: [Member]

        public struct Member: Sendable, Equatable {
            public var name: String
            public var keyInfo: KeyInfo
            public init(name: String, keyInfo: KeyInfo) {
                self.name = name
                self.keyInfo = keyInfo
            }
        }

        public init(room: String, members: [Member]) {
            self.room = room
            self.members = members
        }

        /// `{<name>: keyinfo, ...}`.
        public var keyInfoMap: JSONObject {
            KeyInfo.map(members.lazy.map { (name: $0.name, keyInfo: $0.keyInfo) })
        }
    }

    /// v2 `auth_ok`, sent when the auth carried a non-empty `rooms` array or `proto >= 2`:
    /// `{"type":"auth_ok","from":"_relay","proto":2,"payload":{"peer","rooms":[...],"peers":{<room>:{<name>:keyinfo}}}}`.
    public static func authOK(peer: String, rooms: [RoomKeys]) -> JSONObject {
        var peers = JSONObject()
        for room in rooms { peers[room.room] = .object(room.keyInfoMap) }
        let payload: JSONObject = [
            "peer": .string(peer),
            "rooms": .array(rooms.map { .string($0.room) }),
            "peers": .object(peers),
        ]
        return [
            "type": "auth_ok",
            "from": .string(relayName),
            "proto": .number(Double(WireProtocol.version)),
            "payload": .object(payload),
        ]
    }

    /// Legacy `auth_ok` (no `rooms` array and no `proto >= 2` in the auth):
    /// `{"type":"auth_ok","from":"_relay","payload":{"peer","room","peers":{<name>:keyinfo}}}`.
    public static func legacyAuthOK(peer: String, room: RoomKeys) -> JSONObject {
        let payload: JSONObject = [
            "peer": .string(peer),
            "room": .string(room.room),
            "peers": .object(room.keyInfoMap),
        ]
        return ["type": "auth_ok", "from": .string(relayName), "payload": .object(payload)]
    }

    /// `{"type":"auth_error","from":"_relay","payload":"<reason>"}`, always followed by a close.
    public static func authError(_ reason: String) -> JSONObject {
        ["type": "auth_error", "from": .string(relayName), "payload": .string(reason)]
    }

    /// Why a connection is being evicted (`evicted.payload`).
    public enum EvictionReason: String, Sendable {
        /// The same identity authenticated on another connection (close 4020).
        case superseded
        /// An admin revoked the key (close 4022).
        case revoked
    }

    /// `{"type":"evicted","from":"_relay","payload":"superseded"|"revoked"}`.
    public static func evicted(_ reason: EvictionReason) -> JSONObject {
        ["type": "evicted", "from": .string(relayName), "payload": .string(reason.rawValue)]
    }

    // MARK: Status frames to the sender (§4.5)

    /// `{"type":"error","from":"_relay","payload":"<payload>","msg_id":<id>}`. `msgID` is
    /// copied as is (any JSON value, `null` included); `nil` leaves the key out, as
    /// `JSON.stringify` drops an `undefined` member. Payload texts: `RelayStatusPayload`.
    public static func error(_ payload: String, msgID: JSONValue? = nil) -> JSONObject {
        var frame: JSONObject = ["type": "error", "from": .string(relayName), "payload": .string(payload)]
        if let msgID { frame["msg_id"] = msgID }
        return frame
    }

    /// `{"type":"queued","from":"_relay","payload":"<target> offline","msg_id":<id>,"ttl_s":<ttl>}`.
    public static func queued(target: String, msgID: JSONValue, ttlSeconds: Int64) -> JSONObject {
        [
            "type": "queued",
            "from": .string(relayName),
            "payload": .string(RelayStatusPayload.offline(target)),
            "msg_id": msgID,
            "ttl_s": .number(Double(ttlSeconds)),
        ]
    }

    // MARK: Membership (§4.6)

    /// To every other member of `room` when `peer` joins it:
    /// `{"type":"peer_joined","from":"_relay","payload":{"peer","room","peers":{...},"sign_pubkey","eph_enc_pubkey","eph_enc_pubkey_sig","session_id"}}`.
    /// `peers` is the room's full key map including the joiner.
    public static func peerJoined(peer: String, room: RoomKeys, keyInfo: KeyInfo) -> JSONObject {
        var payload: JSONObject = [
            "peer": .string(peer),
            "room": .string(room.room),
            "peers": .object(room.keyInfoMap),
        ]
        keyInfo.appendFields(to: &payload)
        return ["type": "peer_joined", "from": .string(relayName), "payload": .object(payload)]
    }

    /// To the remaining members of `room` when `peer`'s connection leaves it:
    /// `{"type":"peer_left","from":"_relay","payload":{"peer","room","peers":{<remaining>}}}`.
    public static func peerLeft(peer: String, room: RoomKeys) -> JSONObject {
        let payload: JSONObject = [
            "peer": .string(peer),
            "room": .string(room.room),
            "peers": .object(room.keyInfoMap),
        ]
        return ["type": "peer_left", "from": .string(relayName), "payload": .object(payload)]
    }

    // MARK: Discovery (§4.2)

    /// One entry of a `rooms` reply. `members` is present only for rooms the requester joined.
    public struct RoomListing: Sendable, Equatable {
        public var name: String
        public var peerCount: Int
        public var members: [String]?

        public init(name: String, peerCount: Int, members: [String]?) {
            self.name = name
            self.peerCount = peerCount
            self.members = members
        }

        var object: JSONObject {
            var o: JSONObject = ["name": .string(name), "peers": .number(Double(peerCount))]
            if let members { o["members"] = .array(members.map { .string($0) }) }
            return o
        }
    }

    /// `{"type":"rooms","from":"_relay","payload":{"discovery":<bool>,"rooms":[{"name","peers","members"?}]}}`.
    public static func rooms(discovery: Bool, rooms: [RoomListing]) -> JSONObject {
        let payload: JSONObject = [
            "discovery": .bool(discovery),
            "rooms": .array(rooms.map { .object($0.object) }),
        ]
        return ["type": "rooms", "from": .string(relayName), "payload": .object(payload)]
    }

    // MARK: Shutdown (§4.10)

    /// `{"type":"relay_shutdown","from":"_relay","payload":"restarting"}`, followed by close 1001.
    public static func relayShutdown() -> JSONObject {
        ["type": "relay_shutdown", "from": .string(relayName), "payload": "restarting"]
    }
}
