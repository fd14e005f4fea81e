/// What a face (`myc mcp`, `myc chat`) asks of a running peer, and what it hears back.
/// The peer runtime implements it over `PeerEngine`; a face only renders these values and
/// turns user intent into calls. Nothing here is MCP- or terminal-specific.
public protocol PeerService: Sendable {
    /// `myc_send`: one unicast (§5.12, §5.16).
    func send(_ request: SendRequest) async -> SendOutcome
    /// `myc_broadcast`: N tracked unicasts, one per identity (§5.16).
    func broadcast(_ request: BroadcastRequest) async -> BroadcastOutcome
    /// `myc_recv`: the oldest `max` inbox entries, removed unless `peek`.
    func receive(max: Int, peek: Bool) async -> InboxDrain
    /// `myc_peers`: the live view of every joined room.
    func peers() async -> PeersSnapshot
    /// `myc_rooms`: asks the relay (`list_rooms`), waits up to 5 s.
    func rooms() async -> RoomsOutcome
    /// `myc_trust`: show (without `confirm`) or accept (with) a blocked key.
    func trust(peer: String, room: String?, confirm: Bool) async -> TrustOutcome
    /// `myc_verify`: fingerprints for out-of-band comparison; own when `peer` is nil.
    func verify(peer: String?, room: String?) async -> VerifyOutcome
    /// The host's `notifications/claude/channel/permission_request` (§5.17).
    func requestPermission(_ request: PermissionRequest) async
    /// `myc_rotate_key` and chat's `/rotate` (§5.14): without `confirm`, only the warning
    /// and the current fingerprint; with it, a new identity announced to every known peer.
    func rotateKey(confirm: Bool) async -> RotateOutcome
    /// Everything the face should show as it happens: deliveries, events, permission
    /// verdicts. One stream per runtime; the face iterates it for its whole life.
    var events: AsyncStream<PeerNotification> { get }
    /// The relay link as a face shows it (chat's banner and "relay lost" lines): one value
    /// per change. Not part of the MCP surface; the reference has no such event.
    var linkStatus: AsyncStream<PeerLinkStatus> { get }
    /// How every tracked send ended (msg_ids as in `SendOutcome`; a chunked message's parts
    /// as `<id>#<n>`), live sends included. Not part of the MCP surface.
    var deliveries: AsyncStream<DeliveryReport> { get }
    /// This peer's name, rooms and fingerprint (for instructions, prompts, banners).
    var profile: PeerProfile { get }
}

public struct PeerProfile: Sendable, Equatable {
    public var name: String
    public var rooms: [String]
    public var fingerprint: String

    public init(name: String, rooms: [String], fingerprint: String) {
        self.name = name
        self.rooms = rooms
        self.fingerprint = fingerprint
    }
}

public struct SendRequest: Sendable, Equatable {
    public var target: String
    public var text: String
    /// The raw `type` argument (filtered by `SendTypeFilter`); nil when absent.
    public var type: JSONValue?
    public var requestID: String?
    public var room: String?

    public init(target: String, text: String, type: JSONValue? = nil, requestID: String? = nil, room: String? = nil) {
        self.target = target
        self.text = text
        self.type = type
        self.requestID = requestID
        self.room = room
    }
}

public struct BroadcastRequest: Sendable, Equatable {
    public var text: String
    public var type: JSONValue?
    public var room: String?
    public var includeOffline: Bool

    public init(text: String, type: JSONValue? = nil, room: String? = nil, includeOffline: Bool = false) {
        self.text = text
        self.type = type
        self.room = room
        self.includeOffline = includeOffline
    }
}

/// The result of one unicast, as §6.2 describes its markers.
public enum SendOutcome: Sendable, Equatable {
    /// 🔒 over a live session (PFS); `newPin` adds 🆕.
    case sentLive(target: String, room: String, msgID: String, newPin: Bool, chunks: Int)
    /// 📮 sealed to the target's identity key and queued by the relay (no PFS).
    case sentOffline(target: String, room: String, msgID: String, chunks: Int)
    /// ⏳ the relay is unreachable: kept in the outbox, sent when the link returns.
    case queuedLocally(target: String, room: String, msgID: String, chunks: Int)
    /// 🔴 BLOCKED: key change or STS failure; `myc_trust` after verification.
    case blocked(target: String, room: String)
    /// 🔴 never seen: first contact needs both peers online.
    case unknownPeer(target: String)
    case invalidType(reason: String)
    case tooLarge(bytes: Int, limit: Int)
    case outboxFull(limit: Int)
    /// The `room` argument names a room this peer has not joined (we refuse instead of
    /// silently falling back, §8.21).
    case notAMember(room: String, joined: [String])
}

public struct BroadcastOutcome: Sendable, Equatable {
    public enum Failure: Sendable, Equatable {
        case invalidType(reason: String)
        case notAMember(room: String, joined: [String])
    }
    /// One entry per copy sent (or refused), in order.
    public var results: [SendOutcome]
    public var failure: Failure?

    public init(results: [SendOutcome], failure: Failure? = nil) {
        self.results = results
        self.failure = failure
    }
}

/// A delivered message or an event, as it goes to the inbox and to the face (§6.3–§6.5).
public struct PeerNotification: Sendable, Equatable {
    public enum Kind: String, Sendable { case message, event }
    /// Milliseconds since the epoch.
    public var ts: Int64
    public var kind: Kind
    public var content: String
    /// §6.3 meta, keys in order; values are strings, numbers or booleans. Keys use only
    /// letters, digits and `_` (Claude Code drops others).
    public var meta: JSONObject
    /// Set for a `_perm_verdict` from an allowed approver: goes to the host as
    /// `notifications/claude/channel/permission`, never to the inbox.
    public var permissionVerdict: PermissionVerdict?

    public init(ts: Int64, kind: Kind, content: String, meta: JSONObject, permissionVerdict: PermissionVerdict? = nil) {
        self.ts = ts
        self.kind = kind
        self.content = content
        self.meta = meta
        self.permissionVerdict = permissionVerdict
    }
}

public struct InboxDrain: Sendable, Equatable {
    public var entries: [PeerNotification]
    /// Entries dropped because the inbox was full, since the last drain (reported once).
    public var dropped: Int

    public init(entries: [PeerNotification], dropped: Int) {
        self.entries = entries
        self.dropped = dropped
    }
}

public struct PeersSnapshot: Sendable, Equatable {
    public enum Trust: String, Sendable { case new, pinned }
    public struct Live: Sendable, Equatable {
        public var name: String
        public var trust: Trust
        public var stsVerified: Bool
        /// Live in the room but without a session (blocked or keys pending).
        public var blocked: Bool
        public init(name: String, trust: Trust, stsVerified: Bool, blocked: Bool) {
            self.name = name
            self.trust = trust
            self.stsVerified = stsVerified
            self.blocked = blocked
        }
    }
    public struct Room: Sendable, Equatable {
        public var name: String
        public var live: [Live]
        /// Pinned, not live: reachable by offline envelope.
        public var offlineKnown: [String]
        public init(name: String, live: [Live], offlineKnown: [String]) {
            self.name = name
            self.live = live
            self.offlineKnown = offlineKnown
        }
    }
    public var rooms: [Room]
    /// `name@room` entries waiting for `myc_trust`.
    public var blocked: [String]
    public var inboxPending: Int
    /// nil when connected; else the reconnect attempt number.
    public var disconnectedAttempt: Int?

    public init(rooms: [Room], blocked: [String], inboxPending: Int, disconnectedAttempt: Int?) {
        self.rooms = rooms
        self.blocked = blocked
        self.inboxPending = inboxPending
        self.disconnectedAttempt = disconnectedAttempt
    }
}

public enum RoomsOutcome: Sendable, Equatable {
    public struct Room: Sendable, Equatable {
        public var name: String
        public var peers: Int
        public var members: [String]?
        public var joined: Bool
        public init(name: String, peers: Int, members: [String]?, joined: Bool) {
            self.name = name
            self.peers = peers
            self.members = members
            self.joined = joined
        }
    }
    case listed(rooms: [Room], discovery: Bool)
    case disconnected(attempt: Int)
    case noReply
}

public enum TrustOutcome: Sendable, Equatable {
    case nothingPending(peer: String)
    case ambiguous(peer: String, rooms: [String])
    /// Without `confirm`: the key to check out of band.
    case pending(peer: String, room: String, fingerprint: String)
    case trusted(peer: String, room: String, fingerprint: String)
    case verificationFailed(peer: String, room: String)
}

public enum VerifyOutcome: Sendable, Equatable {
    public struct Pin: Sendable, Equatable {
        public enum Status: String, Sendable { case trusted, newThisSession, offline }
        public var room: String
        public var fingerprint: String
        public var status: Status
        public var stsVerified: Bool
        public init(room: String, fingerprint: String, status: Status, stsVerified: Bool) {
            self.room = room
            self.fingerprint = fingerprint
            self.status = status
            self.stsVerified = stsVerified
        }
    }
    case own(fingerprint: String)
    case pinned(peer: String, pins: [Pin], ownFingerprint: String)
    case blocked(peer: String)
    case noPin(peer: String)
}

public enum RotateOutcome: Sendable, Equatable {
    /// Without `confirm`: rotation is permanent; this is the fingerprint it would replace.
    case confirmationNeeded(fingerprint: String)
    /// Announced over `announcedLive` sessions and `announcedOffline` envelopes, key file
    /// rewritten with `prev`, link re-established with close 4200.
    case rotated(oldFingerprint: String, newFingerprint: String, announcedLive: Int, announcedOffline: Int)
    /// Nothing changed (the key file could not be written, no relay link, ...).
    case failed(reason: String)
}

/// The relay link, for a face to show (never secrets).
public enum PeerLinkStatus: Sendable, Equatable {
    /// `auth_ok` received. `relayFingerprint` is the relay's proven identity when its
    /// challenge carried a valid one; `pinned` says it matched `MYC_RELAY_FINGERPRINT`.
    case connected(url: String, relayFingerprint: String?, pinned: Bool)
    /// The link was lost; reconnect attempt `attempt` is scheduled (failover, backoff).
    case disconnected(reason: String, attempt: Int)
    /// The relay was refused (identity mismatch, auth error): no messages until fixed.
    case refused(reason: String)
}

/// The end of one tracked send (§5.12): its `_ack` arrived from the target, or it failed
/// for good (retry limit, delivery window, unrestorable after a restart).
public struct DeliveryReport: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case acknowledged
        case failed(reason: String)
    }
    public var msgID: String
    /// Target and room.
    public var peer: RoomPeer
    public var outcome: Outcome

    public init(msgID: String, peer: RoomPeer, outcome: Outcome) {
        self.msgID = msgID
        self.peer = peer
        self.outcome = outcome
    }
}
