/// Everything `PeerEngine` needs to know about itself, fixed for the life of the process
/// (PROTOCOL.md §5.1). The runtime builds it from flags and `MYC_*` variables.
public struct PeerEngineConfig: Sendable {
    /// `MYC_PEER`: this peer's name (1–64 UTF-16 units, no U+0000).
    public var name: String
    /// `ROOMS`: already normalised (`AuthFrame.normalizeRooms`): trimmed, non-empty,
    /// de-duplicated by code units, at most 8. `rooms[0]` is the default room.
    public var rooms: [String]
    /// The long-term Ed25519 identity.
    public var identity: SigningKeyPair
    /// The key file's `prev` record after a rotation; sent as `rotation` in every `auth`.
    public var rotation: RotationRecord?
    /// `MYC_RELAY`: the failover list, tried in order with backoff (§5.15).
    public var relayURLs: [String]
    /// `MYC_RELAY_FINGERPRINT`, normalised (`Fingerprint.pinSet`). Empty: relay unchecked.
    public var relayPins: Set<String>
    /// `MYC_TOKEN`; `nil` once this identity is bound in every room (no token is sent).
    public var token: String?
    /// `MYC_OFFLINE_MAX_AGE_S` in milliseconds: offline freshness window (gate O4), and
    /// the base of the dedup retention and of the deferred-send ack timeout.
    public var offlineMaxAgeMs: Int64
    /// `MYC_MAX_MSG_BYTES`: largest logical message sent or reassembled.
    public var maxLogicalBytes: Int
    /// Peers whose `_perm_verdict` may answer our permission requests (§5.17). Empty:
    /// any peer we sent the request to. Names compare by bytes.
    public var approvers: [String]

    public init(
        name: String, rooms: [String], identity: SigningKeyPair, rotation: RotationRecord? = nil,
        relayURLs: [String], relayPins: Set<String> = [], token: String? = nil,
        offlineMaxAgeMs: Int64 = PeerConstants.defaultOfflineMaxAgeMs,
        maxLogicalBytes: Int = PeerConstants.defaultMaxLogicalBytes,
        approvers: [String] = []
    ) {
        self.name = name
        self.rooms = rooms.isEmpty ? [PeerConstants.defaultRoom] : rooms
        self.identity = identity
        self.rotation = rotation
        self.relayURLs = relayURLs
        self.relayPins = relayPins
        self.token = token
        self.offlineMaxAgeMs = offlineMaxAgeMs
        self.maxLogicalBytes = maxLogicalBytes
        self.approvers = approvers
    }

    /// The joined room whose name has exactly these bytes, as spelled in `rooms`.
    /// Never Swift `==`: canonically equivalent spellings are different rooms to the relay.
    func joinedRoom(_ text: String) -> String? {
        rooms.first { $0.utf8.elementsEqual(text.utf8) }
    }

    /// Index of a joined room (byte comparison).
    func roomIndex(_ text: String) -> Int? {
        rooms.firstIndex { $0.utf8.elementsEqual(text.utf8) }
    }

    /// Whether `other` is this peer's own name (byte comparison).
    func isSelf(_ other: String) -> Bool {
        name.utf8.elementsEqual(other.utf8)
    }
}
