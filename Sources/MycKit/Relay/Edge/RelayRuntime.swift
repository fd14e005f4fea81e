import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Runs `RelayCore` behind the WebSocket server: turns socket events into core calls and
/// carries out the actions that come back.
///
/// The core sits behind a `Mutex`, not an actor: every routed frame passes through it, and
/// an actor hop per frame would cost more than the routing itself. The critical section is
/// pure computation: no I/O and no awaits happen under the lock, and socket writes are made
/// after it is released (a write can synchronously close a socket, which re-enters here).
///
/// Ordering: actions up to the first `persist` run at once; the `persist` and everything
/// after it go to the store thread, submitted while the lock is held, so the store applies
/// changes in exactly the core's order and a reply that depends on a change (a `queued`
/// reply, `auth_ok` after a new binding, an admin answer) is sent only once it is on disk.
///
/// A failed store write is fail-stop (see `storeFailed`): nothing more leaves the store
/// thread, and `onStoreFailure` ends the process.
public final class RelayRuntime: WebSocketServerDelegate {
    let core: Mutex<RelayCore>
    let sockets = Mutex<[ConnectionID: (socket: WebSocketConnection, ip: String)]>([:])
    let connectionsPerIP = Mutex<[String: Int]>([:])
    let store: any RelayStore
    let worker = StoreWorker()
    let policy: RelayHTTPPolicy
    let logger: Logger
    let clock: @Sendable () -> Int64
    let lastStoreToken = Mutex<Int64?>(nil)
    /// Sees every text frame in and out (`myc demo`); nil in a normal relay.
    let wireTap: RelayWireTap?
    /// Called once, on the store thread, when a store write fails; `myc relay` prints it
    /// and exits 74 (`StoreFailureExit`). Tests observe it instead.
    private let onStoreFailure: (@Sendable (String) -> Void)?
    /// A store write failed: the core's memory is ahead of the disk, so no deferred action
    /// may run any more (see `storeFailed`). Set on the store thread; atomic so any thread
    /// may read it.
    let storeBroken = Atomic<Bool>(false)

    public init(core: RelayCore, store: any RelayStore, policy: RelayHTTPPolicy, logger: Logger,
                clock: @escaping @Sendable () -> Int64 = RelayRuntime.wallClockMs, wireTap: RelayWireTap? = nil,
                onStoreFailure: (@Sendable (String) -> Void)? = nil) {
        self.wireTap = wireTap
        self.onStoreFailure = onStoreFailure
        self.core = Mutex(core)
        self.store = store
        self.policy = policy
        self.logger = logger
        self.clock = clock
        self.lastStoreToken.withLock { $0 = try? store.externalChangeToken() }
    }

    @Sendable public static func wallClockMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    // MARK: Driving the core

    /// Runs one core step and carries out its actions; `completion` runs after the last one
    /// (after the store write, when there is one).
    func step(_ body: (inout RelayCore, Int64) -> [RelayAction], completion: (@Sendable () -> Void)? = nil) {
        var deferredToWorker = false
        let immediate: [RelayAction] = core.withLock { core in
            let actions = body(&core, clock())
            guard let firstPersist = actions.firstIndex(where: { if case .persist = $0 { true } else { false } }) else {
                return actions
            }
            let deferred = Array(actions[firstPersist...])
            deferredToWorker = true
            worker.submit { [self] in
                for action in deferred {
                    // Everything after a `persist` depends on it (and on every earlier one).
                    guard !isStoreBroken else { return }
                    perform(action)
                }
                // Not after a failure either: an admin answer would claim a change that
                // is not on disk (the process is exiting; the HTTP client sees the reset).
                guard !isStoreBroken else { return }
                completion?()
            }
            return Array(actions[..<firstPersist])
        }
        for action in immediate { perform(action) }
        if !deferredToWorker { completion?() }
    }

    private func perform(_ action: RelayAction) {
        switch action {
        case let .send(id, bytes):
            guard let socket = socket(id) else { return }
            wireTap?(RelayWireFrame(direction: .toPeer, connection: id.rawValue, bytes: bytes))
            if !socket.sendText(bytes) { step { $0.sendFailed(connection: id, nowMs: $1) } }
        case let .forward(delivery):
            guard let socket = socket(delivery.target) else { return }
            wireTap?(RelayWireFrame(direction: .toPeer, connection: delivery.target.rawValue, bytes: delivery.bytes))
            if !socket.sendText(delivery.bytes) { step { $0.forwardDropped(delivery, nowMs: $1) } }
        case let .close(id, code, reason):
            socket(id)?.close(code: code.rawValue, reason: reason)
        case let .ping(id):
            socket(id)?.ping()
        case let .persist(changes):
            do {
                try store.apply(changes)
            } catch {
                storeFailed(error, changes: changes.count)
            }
        case let .log(event):
            log(event)
        }
    }

    var isStoreBroken: Bool { storeBroken.load(ordering: .acquiring) }

    /// Fail-stop. The core has already committed in memory what the failed write was to
    /// record (a binding, a revocation, a queued frame), and the actions after it (`auth_ok`,
    /// a `queued` reply, an admin answer) promise that it is on disk. Going on would confirm
    /// state that a restart forgets, so the relay stops before any of them: the broken flag
    /// stops every later store-thread job, and `onStoreFailure` ends the process. On restart
    /// the core starts from what is really on disk; peers reconnect and resend what was never
    /// confirmed (a peer's durable outbox keeps a frame until it is delivered or queued).
    private func storeFailed(_ error: any Error, changes: Int) {
        guard storeBroken.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        // The error names the file, the operation and SQLite's reason, never SQL or frames.
        logger.critical("store write failed", metadata: ["error": "\(error)", "changes": "\(changes)"])
        onStoreFailure?("cannot write the relay database (\(error)); stopped before confirming anything that is "
            + "not on disk. Free disk space or fix the permissions of the database and its directory, then restart "
            + "(systemd's Restart=on-failure does): peers resend what was not confirmed.")
    }

    private func socket(_ id: ConnectionID) -> WebSocketConnection? {
        sockets.withLock { $0[id]?.socket }
    }

    private func log(_ event: RelayLogEvent) {
        let level: Logger.Level = switch event.level {
        case .debug: .debug
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        }
        var metadata = Logger.Metadata()
        for (k, v) in event.metadata { metadata[k] = .string(v) }
        logger.log(level: level, "\(event.message)", metadata: metadata)
    }
}
