/// The pins (and keys blocked pending trust) of a peer's state, as `myc fingerprint --peer`
/// and `--peers` print them: tab-separated lines, or JSON. Pure, so it is tested without a
/// process.
public struct PinListing: Sendable, Equatable {
    public struct PinRow: Sendable, Equatable {
        public var room: String
        public var name: String
        public var publicKey: String
        /// nil when the pinned key is not an Ed25519 public key (a damaged import).
        public var fingerprint: String?
        public var firstSeenMs: Int64
        public var lastSeenMs: Int64
    }

    public struct BlockedRow: Sendable, Equatable {
        public var room: String
        public var name: String
        public var publicKey: String
        public var fingerprint: String?
        public var reason: BlockedKey.Reason
        public var blockedAtMs: Int64
    }

    /// Only this peer's rows (names compared by bytes), or everyone's when nil.
    public let peer: String?
    public var pins: [PinRow]
    public var blocked: [BlockedRow]

    public init(snapshot: PeerStateSnapshot, peer: String?) {
        self.peer = peer
        func wanted(_ name: String) -> Bool { peer.map { name.utf8.elementsEqual($0.utf8) } ?? true }
        pins = snapshot.pins.filter { wanted($0.peer.name) }.map {
            PinRow(room: $0.peer.room, name: $0.peer.name, publicKey: $0.key, fingerprint: Self.fingerprint($0.key),
                   firstSeenMs: $0.firstSeenMs, lastSeenMs: $0.lastSeenMs)
        }
        blocked = snapshot.blocked.filter { wanted($0.peer.name) }.map {
            BlockedRow(room: $0.peer.room, name: $0.peer.name, publicKey: $0.keyInfo.signPublicKey,
                       fingerprint: Self.fingerprint($0.keyInfo.signPublicKey), reason: $0.reason, blockedAtMs: $0.blockedAtMs)
        }
    }

    public var isEmpty: Bool { pins.isEmpty && blocked.isEmpty }

    /// For one peer: `ROOM FINGERPRINT FIRST SEEN LAST SEEN`; for all: `ROOM NAME FINGERPRINT
    /// LAST SEEN`. Then one `BLOCKED` line per key waiting for `myc trust`.
    public var lines: [String] {
        var lines: [String] = []
        if !pins.isEmpty {
            if peer != nil {
                lines.append("ROOM\tFINGERPRINT\tFIRST SEEN\tLAST SEEN")
                for pin in pins {
                    lines.append("\(pin.room)\t\(pin.fingerprint ?? "(invalid key)")\t\(Self.iso(pin.firstSeenMs))\t\(Self.iso(pin.lastSeenMs))")
                }
            } else {
                lines.append("ROOM\tNAME\tFINGERPRINT\tLAST SEEN")
                for pin in pins {
                    lines.append("\(pin.room)\t\(pin.name)\t\(pin.fingerprint ?? "(invalid key)")\t\(Self.iso(pin.lastSeenMs))")
                }
            }
        } else if peer == nil {
            lines.append("(no pinned peers)")
        }
        for key in blocked {
            lines.append("BLOCKED\t\(key.name)@\(key.room)\t\(key.fingerprint ?? "(invalid key)")\t\(key.reason.rawValue)\t"
                + "since \(Self.iso(key.blockedAtMs)) — verify, then `myc trust \(key.name) --room \(key.room)`")
        }
        return lines
    }

    /// `{"pins":[...],"blocked":[...]}`, plus `"peer"` for one peer. Times are ISO-8601
    /// (as in the reference's TOFU file) and milliseconds.
    public var json: JSONObject {
        var object = JSONObject()
        if let peer { object["peer"] = .string(peer) }
        object["pins"] = .array(pins.map { pin in
            .object([
                "room": .string(pin.room), "name": .string(pin.name),
                "fingerprint": pin.fingerprint.map(JSONValue.string) ?? .null, "public_key": .string(pin.publicKey),
                "first_seen": .string(Self.iso(pin.firstSeenMs)), "last_seen": .string(Self.iso(pin.lastSeenMs)),
                "first_seen_ms": .number(Double(pin.firstSeenMs)), "last_seen_ms": .number(Double(pin.lastSeenMs)),
            ])
        })
        object["blocked"] = .array(blocked.map { key in
            .object([
                "room": .string(key.room), "name": .string(key.name),
                "fingerprint": key.fingerprint.map(JSONValue.string) ?? .null, "public_key": .string(key.publicKey),
                "reason": .string(key.reason.rawValue),
                "blocked_at": .string(Self.iso(key.blockedAtMs)), "blocked_at_ms": .number(Double(key.blockedAtMs)),
            ])
        })
        return object
    }

    private static func fingerprint(_ key: String) -> String? {
        (try? SigningPublicKey(base64: key))?.fingerprint.text
    }

    private static func iso(_ ms: Int64) -> String { ISOTimestamp.string(fromMilliseconds: ms) }
}
