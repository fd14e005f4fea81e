#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// **A test double, not a peer.** A `PeerService` with canned peers and no network, for
/// exercising `MCPFace` end to end (`myc mcp --fake-peer`) before the real runtime exists.
/// Nothing is encrypted or sent anywhere.
///
/// The world it pretends:
/// - every joined room holds `bob` (pinned, STS verified) and `carol` (new pin), both live;
///   `dave` is pinned but offline; `mallory` is live but BLOCKED (key changed).
/// - `send` to bob or carol answers 🔒 and **echoes** the text back as a delivered message
///   from the target (a channel notification plus an inbox entry); to dave 📮; to mallory
///   🔴BLOCKED; to anyone else 🔴 unknown peer. A `_perm_verdict` send is echoed as the
///   verdict coming back (`permissionVerdict`). Texts over `maxMessageBytes` → ❌ too large.
/// - `requestPermission` records the request and answers at once with a verdict from "bob":
///   `deny` when the tool name contains "rm", else `allow`.
/// - `trust("mallory", confirm: true)` clears the block.
public actor DemoPeerService: PeerService {
    public nonisolated let profile: PeerProfile
    public nonisolated let events: AsyncStream<PeerNotification>
    private let continuation: AsyncStream<PeerNotification>.Continuation
    /// Connected from the start, to a relay without an identity.
    public nonisolated let linkStatus: AsyncStream<PeerLinkStatus>
    /// bob and carol acknowledge every message at once (each part of a chunked one).
    public nonisolated let deliveries: AsyncStream<DeliveryReport>
    private let deliveryContinuation: AsyncStream<DeliveryReport>.Continuation
    private var rotations = 0

    public static let maxMessageBytes = PeerConstants.defaultMaxLogicalBytes
    static let fingerprints = [
        "bob": "b0b0:b0b0:1111:2222:3333:4444:5555:6666",
        "carol": "ca01:ca01:1111:2222:3333:4444:5555:6666",
        "dave": "da7e:da7e:1111:2222:3333:4444:5555:6666",
        "mallory": "bad0:bad0:1111:2222:3333:4444:5555:6666",
    ]

    private var inbox: [PeerNotification] = []
    private var dropped = 0
    private var nextID = 1
    private var malloryBlocked = true
    /// Every permission request the host sent, in order.
    public private(set) var permissionRequests: [PermissionRequest] = []
    private let clock: @Sendable () -> Int64

    public init(name: String, rooms: [String] = [PeerConstants.defaultRoom],
                clock: @escaping @Sendable () -> Int64 = DemoPeerService.wallClockMs) {
        profile = PeerProfile(name: name, rooms: rooms.isEmpty ? [PeerConstants.defaultRoom] : rooms,
                              fingerprint: "de00:de00:0000:1111:2222:3333:4444:5555")
        (events, continuation) = AsyncStream.makeStream(of: PeerNotification.self)
        let (status, statusContinuation) = AsyncStream.makeStream(of: PeerLinkStatus.self)
        statusContinuation.yield(.connected(url: "demo://relay", relayFingerprint: nil, pinned: false))
        linkStatus = status
        (deliveries, deliveryContinuation) = AsyncStream.makeStream(of: DeliveryReport.self)
        self.clock = clock
    }

    /// Milliseconds since the epoch, from the system clock.
    public static let wallClockMs: @Sendable () -> Int64 = {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    // MARK: PeerService

    /// Rotation replaces the demo fingerprint's first group with the rotation count; bob
    /// is live and dave offline, so one announcement of each kind.
    public func rotateKey(confirm: Bool) async -> RotateOutcome {
        let current = demoFingerprint(rotations)
        guard confirm else { return .confirmationNeeded(fingerprint: current) }
        rotations += 1
        return .rotated(oldFingerprint: current, newFingerprint: demoFingerprint(rotations), announcedLive: 1, announcedOffline: 1)
    }

    /// Reported before the send returns, as a fast real ack can be.
    private func acknowledge(_ id: String, target: String, room: String, chunks: Int) {
        let ids = chunks > 1 ? (0..<chunks).map { "\(id)#\($0)" } : [id]
        for part in ids {
            deliveryContinuation.yield(DeliveryReport(msgID: part, peer: RoomPeer(room: room, name: target), outcome: .acknowledged))
        }
    }

    private func demoFingerprint(_ n: Int) -> String {
        n == 0 ? profile.fingerprint : String(format: "%04x", n) + String(profile.fingerprint.dropFirst(4))
    }

    public func send(_ request: SendRequest) async -> SendOutcome {
        let type: String
        switch SendTypeFilter.filter(request.type) {
        case .failure(let rejection): return .invalidType(reason: rejection.description)
        case .success(let t): type = t
        }
        if let room = request.room, !profile.rooms.contains(room) {
            return .notAMember(room: room, joined: profile.rooms)
        }
        let bytes = request.text.utf8.count
        if bytes > Self.maxMessageBytes { return .tooLarge(bytes: bytes, limit: Self.maxMessageBytes) }
        let room = request.room ?? profile.rooms[0]
        let chunks = max(1, (bytes + PeerConstants.chunkLimitBytes - 1) / PeerConstants.chunkLimitBytes)
        switch request.target {
        case "bob", "carol":
            let id = messageID()
            echo(request, type: type, room: room, msgID: id)
            acknowledge(id, target: request.target, room: room, chunks: chunks)
            return .sentLive(target: request.target, room: room, msgID: id, newPin: request.target == "carol",
                             chunks: chunks)
        case "dave":
            return .sentOffline(target: "dave", room: room, msgID: messageID(), chunks: chunks)
        case "mallory" where malloryBlocked:
            return .blocked(target: "mallory", room: room)
        case "mallory":
            return .sentLive(target: "mallory", room: room, msgID: messageID(), newPin: false, chunks: chunks)
        default:
            return .unknownPeer(target: request.target)
        }
    }

    public func broadcast(_ request: BroadcastRequest) async -> BroadcastOutcome {
        if case .failure(let rejection) = SendTypeFilter.filter(request.type) {
            return BroadcastOutcome(results: [], failure: .invalidType(reason: rejection.description))
        }
        if let room = request.room, !profile.rooms.contains(room) {
            return BroadcastOutcome(results: [], failure: .notAMember(room: room, joined: profile.rooms))
        }
        // Each identity once: the first room where it appears.
        let room = request.room ?? profile.rooms[0]
        let (bobID, carolID) = (messageID(), messageID())
        acknowledge(bobID, target: "bob", room: room, chunks: 1)
        acknowledge(carolID, target: "carol", room: room, chunks: 1)
        var results: [SendOutcome] = [
            .sentLive(target: "bob", room: room, msgID: bobID, newPin: false, chunks: 1),
            .sentLive(target: "carol", room: room, msgID: carolID, newPin: true, chunks: 1),
        ]
        if request.includeOffline {
            results.append(.sentOffline(target: "dave", room: room, msgID: messageID(), chunks: 1))
        }
        return BroadcastOutcome(results: results)
    }

    public func receive(max: Int, peek: Bool) async -> InboxDrain {
        let taken = Array(inbox.prefix(max))
        let drain = InboxDrain(entries: taken, dropped: dropped)
        if !peek {
            inbox.removeFirst(taken.count)
            dropped = 0
        }
        return drain
    }

    public func peers() async -> PeersSnapshot {
        let rooms = profile.rooms.map { room in
            PeersSnapshot.Room(name: room, live: [
                .init(name: "bob", trust: .pinned, stsVerified: true, blocked: false),
                .init(name: "carol", trust: .new, stsVerified: false, blocked: false),
                .init(name: "mallory", trust: .pinned, stsVerified: false, blocked: malloryBlocked),
            ], offlineKnown: ["dave"])
        }
        let blocked = malloryBlocked ? profile.rooms.map { "mallory@\($0)" } : []
        return PeersSnapshot(rooms: rooms, blocked: blocked, inboxPending: inbox.count, disconnectedAttempt: nil)
    }

    public func rooms() async -> RoomsOutcome {
        var listed = profile.rooms.map {
            RoomsOutcome.Room(name: $0, peers: 4, members: [profile.name, "bob", "carol", "mallory"], joined: true)
        }
        listed.append(.init(name: "lobby", peers: 2, members: nil, joined: false))
        return .listed(rooms: listed, discovery: true)
    }

    public func trust(peer: String, room: String?, confirm: Bool) async -> TrustOutcome {
        guard peer == "mallory", malloryBlocked else { return .nothingPending(peer: peer) }
        if room == nil, profile.rooms.count > 1 { return .ambiguous(peer: peer, rooms: profile.rooms) }
        let room = room ?? profile.rooms[0]
        let fingerprint = Self.fingerprints["mallory"]!
        guard confirm else { return .pending(peer: peer, room: room, fingerprint: fingerprint) }
        malloryBlocked = false
        return .trusted(peer: peer, room: room, fingerprint: fingerprint)
    }

    public func verify(peer: String?, room: String?) async -> VerifyOutcome {
        guard let peer else { return .own(fingerprint: profile.fingerprint) }
        if peer == "mallory", malloryBlocked { return .blocked(peer: peer) }
        guard let fingerprint = Self.fingerprints[peer] else { return .noPin(peer: peer) }
        let rooms = room.map { [$0] } ?? profile.rooms
        let status: VerifyOutcome.Pin.Status = peer == "dave" ? .offline : peer == "carol" ? .newThisSession : .trusted
        let pins = rooms.map { VerifyOutcome.Pin(room: $0, fingerprint: fingerprint, status: status, stsVerified: peer == "bob") }
        return .pinned(peer: peer, pins: pins, ownFingerprint: profile.fingerprint)
    }

    public func requestPermission(_ request: PermissionRequest) async {
        permissionRequests.append(request)
        let behavior = request.toolName.contains("rm") ? "deny" : "allow"
        continuation.yield(PeerNotification(
            ts: clock(), kind: .message, content: "", meta: [:],
            permissionVerdict: PermissionVerdict(requestID: request.requestID, behavior: behavior)))
    }

    // MARK: Test hooks

    /// Delivers `notification` as if it had arrived from the network: into the inbox
    /// (unless it is a verdict) and out on `events`.
    public func inject(_ notification: PeerNotification) {
        if notification.permissionVerdict == nil { store(notification) }
        continuation.yield(notification)
    }

    /// Ends `events` (the runtime shut down).
    public func finish() { continuation.finish() }

    // MARK: Internals

    private func messageID() -> String {
        defer { nextID += 1 }
        return "demo-\(nextID)"
    }

    /// The target "answers" with the same text: the §6.3 meta of a live delivery.
    private func echo(_ request: SendRequest, type: String, room: String, msgID: String) {
        if type == ControlType.permVerdict.rawValue {
            guard let verdict = PermissionVerdict(plaintext: request.text) else { return }
            continuation.yield(PeerNotification(ts: clock(), kind: .message, content: request.text, meta: [:],
                                                permissionVerdict: verdict))
            return
        }
        var meta: JSONObject = [
            "from_peer": .string(request.target), "type": .string(type), "room": .string(room),
            "msg_id": .string(msgID), "e2e": "encrypted", "sig": "✅",
        ]
        if let id = request.requestID { meta["request_id"] = .string(id) }
        meta["tofu"] = request.target == "carol" ? "🆕" : "🔒"
        inject(PeerNotification(ts: clock(), kind: .message, content: request.text, meta: meta))
    }

    private func store(_ notification: PeerNotification) {
        inbox.append(notification)
        if inbox.count > PeerConstants.inboxCap {
            inbox.removeFirst()
            dropped += 1
        }
    }
}
