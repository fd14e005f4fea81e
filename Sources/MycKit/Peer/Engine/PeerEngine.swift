/// The peer as a pure state machine (PROTOCOL.md §3, §5, §6): events in, `[PeerAction]`
/// out, no I/O, no clock, no randomness of its own. `myc mcp` and `myc chat` both run it
/// through the same runtime, which owns the socket, the store, the timers and the real
/// clock, feeds every input to `handle(_:nowMs:)` and carries out the returned actions in
/// order.
///
/// The work is split by concern, one extension per file:
/// - `Link/`: connection attempts, failover and backoff, the watchdog, shutdown;
///   the handshake (`challenge` → `auth` → `auth_ok`); relay control frames.
/// - `Sessions/`: key processing and TOFU, STS, trust changes from `myc_trust`/the store.
/// - `Inbound/`: the acceptance gates (session path and offline gate), replay, delivery.
/// - `Outbound/`: sends, the outbox and retransmission, acks.
/// - `Commands/`: the face's requests.
/// - `State/`: the plain data the extensions work on (link phases, sessions, trust book,
///   replay guard, outbox, live rooms, chunk buffers), each testable on its own.
///
/// It follows the reference peer, with the wire-compatible fixes of §8: handshake frames
/// only in their handshake phase and relay control only from `_relay` (§8.1); frames for a
/// room we have not joined are rejected, not re-homed (§8.8); unknown reserved types are
/// dropped on the session path and control frames are replay-checked (§8.9); the outbox
/// is resent on reconnect and session establishment whatever timers are armed (§8.13);
/// pongs and other socket activity feed the watchdog (§8.14); `last_seen` is written at
/// most once a minute (§8.16); `myc_send` refuses a room it has not joined and concurrent
/// `myc_rooms` calls are all answered (§8.21).
public struct PeerEngine: Sendable {
    var config: PeerEngineConfig
    var random: any PeerRandomSource
    /// `idCurve` (§5.3): opens offline envelopes.
    var identityCurve: BoxKeyPair?
    var fingerprint: Fingerprint

    /// The time of the event being handled.
    var now: Int64 = 0
    var link: LinkState = .idle
    /// Reconnect attempt counter (reset by `auth_ok` and `relay_shutdown`).
    var attempt = 0
    /// Position in the relay list; `relayURLs[relayIndex % count]` is used.
    var relayIndex = 0
    var generation = 0
    var lastActivityMs: Int64 = 0
    /// `.linkStatus(.connected)` went out for the current link; its loss is announced once.
    var linkAnnounced = false
    /// A loss (or a refusal) was announced and no connection since: stay quiet.
    var lossAnnounced = false

    var trust: TrustBook
    var sessions: [RoomPeer: PeerSession] = [:]
    var live: LiveRooms
    var replay: ReplayGuard
    var outbox = Outbox()
    var chunks: ChunkReassembler
    /// Initiator side: `_sts_init` sent, `_sts_reply` awaited.
    var stsPending = Set<RoomPeer>()
    var timers: [PeerTimerID: Int64] = [:]
    var msgIDs: MessageIDGenerator
    /// `myc_rooms` calls waiting for the relay's `rooms` reply.
    var roomsWaiters: [PeerCommandID] = []
    /// Our `_perm_req`s by request id: who was asked (verdicts from others are ignored).
    var permissionRequests = OrderedMap<ExactString, Set<RoomPeer>>()
    static let permissionRequestMemory = 64

    /// Actions of the event being handled.
    var actions: [PeerAction] = []

    public init(config: PeerEngineConfig, snapshot: PeerStateSnapshot, random: any PeerRandomSource = SystemPeerRandom()) {
        self.config = config
        self.random = random
        self.identityCurve = try? config.identity.curve25519()
        self.fingerprint = config.identity.publicKey.fingerprint
        self.trust = TrustBook(snapshot: snapshot)
        self.live = LiveRooms(rooms: config.rooms)
        self.replay = ReplayGuard(seen: snapshot.seen, windows: snapshot.windows)
        self.chunks = ChunkReassembler(maxLogicalBytes: config.maxLogicalBytes)
        self.msgIDs = MessageIDGenerator(peerName: config.name)
        restoreDurableState(snapshot)
    }

    /// The one entry point: applies `event` at wall-clock time `nowMs` (milliseconds since
    /// the epoch) and returns what to do, in order.
    public mutating func handle(_ event: PeerEvent, nowMs: Int64) -> [PeerAction] {
        now = nowMs
        actions = []
        switch event {
        case .start:
            resumeDurableState()
            start()
        case .linkOpened: linkOpened()
        case let .linkText(bytes): linkText(bytes)
        case .linkActivity: lastActivityMs = now
        case let .linkClosed(code, reason): linkClosed(code: code, reason: reason)
        case let .timerFired(id): timerFired(id)
        case let .command(id, command): handleCommand(id, command)
        case let .storeChanged(snapshot): storeChanged(snapshot)
        case .shutdown: shutdown()
        }
        defer { actions = [] }
        return actions
    }

    // MARK: Read-only views

    /// This peer's name, rooms and fingerprint.
    public var profile: PeerProfile {
        PeerProfile(name: config.name, rooms: config.rooms, fingerprint: fingerprint.text)
    }

    /// Whether the link is authenticated (`auth_ok` received, not closed since).
    public var isAuthenticated: Bool { link.isAuthenticated }

    /// Unacknowledged messages.
    public var outboxCount: Int { outbox.count }

    // MARK: Timers

    private mutating func timerFired(_ id: PeerTimerID) {
        // Only timers we armed and have not cancelled count; a late or duplicate fire is
        // ignored, so the runtime never has to be exact about cancellation races.
        guard timers.removeValue(forKey: id) != nil else { return }
        switch id {
        case .reconnect: reconnectDue()
        case .heartbeat: heartbeatDue()
        case .replaySweep: replaySweepDue()
        case .outboxFlush: flushOutbox()
        case let .sessionRetry(peer): retryOutbox(for: peer)
        case let .stsStart(peer): startSts(with: peer)
        case let .stsTimeout(peer): stsTimedOut(peer)
        case let .outbox(msgID): outboxTimerDue(msgID)
        case let .roomsReply(command): roomsWaitExpired(command)
        case let .chunkTimeout(buffer): chunkTimedOut(buffer)
        }
    }

    // MARK: Emitting actions

    mutating func emit(_ action: PeerAction) {
        actions.append(action)
    }

    /// Queues store changes; consecutive ones merge into one `.persist` (one transaction).
    mutating func persist(_ changes: [PeerStoreChange]) {
        guard !changes.isEmpty else { return }
        if case .persist(let previous)? = actions.last {
            actions[actions.count - 1] = .persist(previous + changes)
        } else {
            actions.append(.persist(changes))
        }
    }

    mutating func arm(_ id: PeerTimerID, afterMs delay: Int64) {
        let at = now + delay
        timers[id] = at
        emit(.armTimer(id, atMs: at))
    }

    mutating func cancel(_ id: PeerTimerID) {
        guard timers.removeValue(forKey: id) != nil else { return }
        emit(.cancelTimer(id))
    }

    func isArmed(_ id: PeerTimerID) -> Bool { timers[id] != nil }

    mutating func log(_ level: PeerLogEvent.Level, _ message: String, line: String? = nil, _ metadata: [String: String] = [:]) {
        emit(.log(PeerLogEvent(level, message, line: line, metadata)))
    }

    mutating func reply(_ id: PeerCommandID, _ reply: PeerReply) {
        emit(.reply(id, reply))
    }
}
