import Dispatch
import Logging

/// Runs a `PeerEngine` for a face: the one place where the peer touches the world. It feeds
/// the engine socket events, timers, face commands and outside store changes, one at a time
/// and in arrival order, and carries out the actions that come back.
///
/// An actor: the peer's rate (thousands of messages a second at most) makes a hop per event
/// cheap, and the engine then needs no lock. Link events arrive from event-loop threads and
/// pass through one ordered queue, so a frame is never handled before the `.opened` that
/// precedes it.
public actor PeerRuntime: PeerService {
    enum Input: Sendable {
        case engine(PeerEvent)
        case link(generation: Int, RelayLinkEvent)
        case connectFailed(generation: Int, reason: String)
    }

    private var engine: PeerEngine
    let store: any PeerStore
    let logger: Logger
    private let trustRootsPEM: String?
    /// Writes a rotated identity to the key file (atomically, sealed as before); nil when
    /// the peer has no key file of its own (tests), which makes rotation refuse.
    private let identityWriter: (@Sendable (Identity) throws -> Void)?
    /// Called once when a store write fails; `myc mcp` and `myc chat` print it and exit.
    private let onStoreFailure: (@Sendable (String) -> Void)?
    /// A store write failed: the engine's memory is ahead of the disk, so nothing more may
    /// happen (see `storeFailed`).
    var storeBroken = false
    /// Engine actions waiting for their store writes (group commit; see `perform`).
    var pipeline = PersistPipeline()
    /// The store's own thread: writes run there, one at a time and in order, so the actor
    /// never waits for an fsync. A serial queue rather than a thread pool: nothing to start
    /// or stop, and a runtime that never runs leaves nothing behind.
    let storeQueue = DispatchQueue(label: "myc.peer.store")
    /// `shutdown` and `run` waiting for the pipeline to empty.
    var settledWaiters: [CheckedContinuation<Void, Never>] = []
    /// The watcher's tick found a write in flight; the check runs when it completes.
    var storeCheckDue = false
    private let clock: @Sendable () -> Int64

    var link: RelayLink?
    private var linkGeneration = 0
    var timers: [PeerTimerID: Task<Void, Never>] = [:]
    private var pending: [PeerCommandID: CheckedContinuation<PeerReply, Never>] = [:]
    private var nextCommand: UInt64 = 0
    private var lastStoreToken: Int64?
    var stopped = false

    private let inputs: AsyncStream<Input>
    let inputContinuation: AsyncStream<Input>.Continuation
    public nonisolated let events: AsyncStream<PeerNotification>
    private let eventContinuation: AsyncStream<PeerNotification>.Continuation
    public nonisolated let linkStatus: AsyncStream<PeerLinkStatus>
    let linkStatusContinuation: AsyncStream<PeerLinkStatus>.Continuation
    public nonisolated let deliveries: AsyncStream<DeliveryReport>
    let deliveryContinuation: AsyncStream<DeliveryReport>.Continuation
    public nonisolated let profile: PeerProfile

    static let inboxCap = 500

    public init(engine: PeerEngine, store: any PeerStore, logger: Logger, trustRootsPEM: String? = nil,
                identityWriter: (@Sendable (Identity) throws -> Void)? = nil,
                onStoreFailure: (@Sendable (String) -> Void)? = nil,
                clock: @escaping @Sendable () -> Int64 = RelayRuntime.wallClockMs) {
        self.identityWriter = identityWriter
        self.onStoreFailure = onStoreFailure
        self.engine = engine
        self.store = store
        self.logger = logger
        self.trustRootsPEM = trustRootsPEM
        self.clock = clock
        self.profile = engine.profile
        (inputs, inputContinuation) = AsyncStream.makeStream()
        (events, eventContinuation) = AsyncStream.makeStream()
        (linkStatus, linkStatusContinuation) = AsyncStream.makeStream()
        (deliveries, deliveryContinuation) = AsyncStream.makeStream()
        self.lastStoreToken = try? store.externalChangeToken()
    }

    /// Connects and processes events until `shutdown()`. Run it in its own task.
    public func run() async {
        perform(engine.handle(.start, nowMs: clock()))
        let watcher = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                await self?.checkStore()
            }
        }
        for await input in inputs {
            handle(input)
            if stopped { break }
        }
        watcher.cancel()
        // A graceful stop finishes the writes already accepted and carries out the actions
        // behind them, the close frame included; inputs still queued are not handled. A
        // kill loses what no write had committed yet, and nothing else: every `_ack`, reply
        // or notification that depended on it was still waiting behind it, so the senders
        // retransmit and no host was told of it.
        await settled()
        for task in timers.values { task.cancel() }
        timers.removeAll()
        eventContinuation.finish()
        linkStatusContinuation.finish()
        deliveryContinuation.finish()
    }

    /// Graceful stop: the engine closes the link with 1000 and stops reconnecting. Returns
    /// once the writes already accepted are on disk and the actions behind them, that close
    /// included, are carried out (`run` waits for the same before it returns).
    public func shutdown() async {
        perform(engine.handle(.shutdown, nowMs: clock()))
        stopped = true
        inputContinuation.yield(.engine(.timerFired(.heartbeat)))  // wake the loop so it ends
        inputContinuation.finish()
        await settled()
    }

    // MARK: PeerService

    public func send(_ request: SendRequest) async -> SendOutcome {
        guard case let .send(outcome) = await command(.send(request)) else { preconditionFailure("engine answered send with another reply") }
        return outcome
    }

    public func broadcast(_ request: BroadcastRequest) async -> BroadcastOutcome {
        guard case let .broadcast(outcome) = await command(.broadcast(request)) else { preconditionFailure("engine answered broadcast with another reply") }
        return outcome
    }

    /// Drains on the store thread, after the writes already handed to it, so the actor never
    /// waits for the disk. It sees every message notified before the call (its inbox entry
    /// was on disk before the notification left) and perhaps a few whose notification is
    /// still on its way: those are on disk too, and the inbox never promised to exclude them.
    public func receive(max: Int, peek: Bool) async -> InboxDrain {
        let store = store
        let result = await withCheckedContinuation { continuation in
            storeQueue.async {
                continuation.resume(returning: Result { try store.drainInbox(max: max, peek: peek) })
            }
        }
        switch result {
        case let .success(drain):
            return drain
        case let .failure(error):
            logger.error("cannot read the inbox", metadata: ["error": "\(error)"])
            return InboxDrain(entries: [], dropped: 0)
        }
    }

    public func peers() async -> PeersSnapshot {
        guard case var .peers(snapshot) = await command(.peers) else { preconditionFailure("engine answered peers with another reply") }
        // The reply waited for the writes before it, so the count covers every message
        // notified so far (a read: it does not wait for a write in flight).
        snapshot.inboxPending = (try? store.inboxCount()) ?? 0
        return snapshot
    }

    public func rooms() async -> RoomsOutcome {
        guard case let .rooms(outcome) = await command(.rooms) else { preconditionFailure("engine answered rooms with another reply") }
        return outcome
    }

    public func trust(peer: String, room: String?, confirm: Bool) async -> TrustOutcome {
        guard case let .trust(outcome) = await command(.trust(peer: peer, room: room, confirm: confirm)) else {
            preconditionFailure("engine answered trust with another reply")
        }
        return outcome
    }

    public func verify(peer: String?, room: String?) async -> VerifyOutcome {
        guard case let .verify(outcome) = await command(.verify(peer: peer, room: room)) else {
            preconditionFailure("engine answered verify with another reply")
        }
        return outcome
    }

    public func requestPermission(_ request: PermissionRequest) async {
        _ = await command(.permissionRequest(request))
    }

    /// §5.14 in the order that never strands a peer: draw the new identity, write the key
    /// file, and only then announce and switch (see `PeerEngine+Rotation`). Nothing
    /// suspends between the three steps, so no other event slips in.
    public func rotateKey(confirm: Bool) async -> RotateOutcome {
        guard confirm else { return .confirmationNeeded(fingerprint: engine.profile.fingerprint) }
        guard let identityWriter else {
            return .failed(reason: "this peer runs without a key file, so a new identity could not be kept; nothing changed")
        }
        let plan: RotationPlan
        do {
            plan = try engine.prepareRotation(nowMs: clock())
        } catch {
            return .failed(reason: error.description)
        }
        do {
            try identityWriter(plan.identity)
        } catch {
            logger.error("key rotation aborted: cannot write the key file", metadata: ["error": "\(error)"])
            return .failed(reason: "cannot write the key file (\(error)); the identity is unchanged")
        }
        guard case let .rotate(outcome) = await command(.commitRotation(plan)) else { preconditionFailure("engine answered rotate with another reply") }
        return outcome
    }

    private func command(_ command: PeerCommand) async -> PeerReply {
        nextCommand += 1
        let id = PeerCommandID(nextCommand)
        return await withCheckedContinuation { continuation in
            pending[id] = continuation
            perform(engine.handle(.command(id, command), nowMs: clock()))
        }
    }

    // MARK: Inputs

    private func handle(_ input: Input) {
        guard !storeBroken else { return }
        let now = clock()
        switch input {
        case let .engine(event):
            perform(engine.handle(event, nowMs: now))
        case let .link(generation, event):
            guard generation == linkGeneration else {
                // A link we already gave up on: make sure it is gone, tell the engine nothing.
                if case let .opened(stale) = event { stale.close(code: CloseCode.normal.rawValue, reason: "superseded") }
                return
            }
            switch event {
            case let .opened(newLink):
                link = newLink
                perform(engine.handle(.linkOpened, nowMs: now))
            case let .text(bytes):
                perform(engine.handle(.linkText(bytes), nowMs: now))
            case .activity:
                perform(engine.handle(.linkActivity, nowMs: now))
            case let .closed(code, reason):
                link = nil
                perform(engine.handle(.linkClosed(code: code, reason: reason), nowMs: now))
            }
        case let .connectFailed(generation, reason):
            guard generation == linkGeneration else { return }
            link = nil
            perform(engine.handle(.linkClosed(code: nil, reason: reason), nowMs: now))
        }
    }

    // MARK: Carrying out actions (see PeerRuntime+Actions)

    func connect(_ url: String) {
        linkGeneration += 1
        let generation = linkGeneration
        let queue = inputContinuation
        let roots = trustRootsPEM
        if let old = link {
            old.close(code: CloseCode.normal.rawValue, reason: "reconnecting")
            link = nil
        }
        Task {
            do {
                let parsed = try RelayURL(url)
                try await RelayLink.connect(to: parsed, trustRootsPEM: roots) { event in
                    queue.yield(.link(generation: generation, event))
                }
            } catch {
                queue.yield(.connectFailed(generation: generation, reason: "\(error)"))
            }
        }
    }

    func arm(_ id: PeerTimerID, atMs: Int64) {
        timers.removeValue(forKey: id)?.cancel()
        let delay = max(0, atMs - clock())
        let queue = inputContinuation
        timers[id] = Task {
            try? await Task.sleep(for: .milliseconds(delay))
            guard !Task.isCancelled else { return }
            queue.yield(.engine(.timerFired(id)))
        }
    }

    /// Fail-stop. The engine has already committed in memory what the failed write was to
    /// record (a dedup entry, an inbox entry, an outbox entry), and the actions after it
    /// (an `_ack`, a first transmission) promise that it is on disk. Going on would ack a
    /// message that a restart forgets, so the runtime stops here, before any of them: the
    /// link closes, nothing more is handled, and the face is told to exit. On restart the
    /// engine starts from what is really on disk and the senders retransmit.
    func storeFailed(_ error: any Error, changes: Int) {
        storeBroken = true
        stopped = true
        let message = "cannot write the peer state database (\(error)); stopped before acknowledging anything "
            + "that is not on disk. Free space or fix permissions on its directory, then restart: unacknowledged "
            + "messages are retransmitted by their senders."
        logger.critical("peer store write failed; stopping", metadata: ["error": "\(error)", "changes": "\(changes)"])
        link?.close(code: CloseCode.normal.rawValue, reason: "store failure")
        link = nil
        for task in timers.values { task.cancel() }
        timers.removeAll()
        inputContinuation.finish()
        resumeSettledWaiters()
        onStoreFailure?(message)
    }

    func deliver(_ notification: PeerNotification) {
        eventContinuation.yield(notification)
    }

    func resume(_ id: PeerCommandID, with reply: PeerReply) {
        pending.removeValue(forKey: id)?.resume(returning: reply)
    }

    func log(_ event: PeerLogEvent) {
        let level: Logger.Level = switch event.level {
        case .debug: .debug
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        }
        var metadata = Logger.Metadata()
        for (k, v) in event.metadata { metadata[k] = .string(v) }
        logger.log(level: level, "\(event.line ?? event.message)", metadata: metadata)
    }

    /// The watcher's tick. While a write is in flight the disk is between two of our
    /// batches and a snapshot might or might not include the one being written, so the
    /// check waits for it to complete (`batchWritten` runs it then).
    private func checkStore() {
        guard !storeBroken else { return }
        if pipeline.isWriting {
            storeCheckDue = true
        } else {
            reloadIfChangedOutside()
        }
    }

    /// Adopts what another process (`myc trust`) wrote. Call only with no write in flight.
    /// The engine's memory is the disk plus the changes still waiting in the pipeline, which
    /// will land after the outside change; the engine replaces its trust state wholesale
    /// with the snapshot, so those changes are laid over it first, or a pin made a moment
    /// ago would vanish from memory while its write still reaches the disk.
    func reloadIfChangedOutside() {
        assert(!pipeline.isWriting, "a snapshot read during a write may or may not hold it")
        guard let token = try? store.externalChangeToken() else { return }
        defer { lastStoreToken = token }
        guard let last = lastStoreToken, last != token else { return }
        do {
            let onDisk = try store.loadSnapshot(nowMs: clock())
            let pending = pipeline.unwrittenChanges
            var snapshot = onDisk
            if !pending.isEmpty {
                let overlay = InMemoryPeerStore(onDisk)
                overlay.apply(pending)
                snapshot = overlay.loadSnapshot(nowMs: clock())
            }
            perform(engine.handle(.storeChanged(snapshot), nowMs: clock()))
        } catch {
            logger.error("cannot reload the peer store after an outside change", metadata: ["error": "\(error)"])
        }
    }
}
