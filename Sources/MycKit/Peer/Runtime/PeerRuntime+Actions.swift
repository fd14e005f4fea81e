import Dispatch
import Logging

extension PeerRuntime {
    /// Carries out the engine's actions in order, through the group commit (`PersistPipeline`):
    /// a `.persist` is on disk before any action after it runs, an `_ack` never leaves
    /// before the msg_id it promises is committed, and the actor keeps handling inputs while
    /// the disk works. A write that fails stops everything after it (see `storeFailed`).
    ///
    /// Timers are the exception: they are the runtime's copy of the engine's own timer table,
    /// which the engine has already changed, so they follow it at once. Nothing outside sees
    /// them, and a timer that fires early only gives the engine an input whose actions queue
    /// behind the pending writes like any other; a cancel that waited could instead let a
    /// timer the engine no longer has fire.
    func perform(_ actions: [PeerAction]) {
        guard !storeBroken else { return }
        var rest: [PeerAction] = []
        rest.reserveCapacity(actions.count)
        for action in actions {
            switch action {
            case .armTimer, .cancelTimer: carryOut(action)
            default: rest.append(action)
            }
        }
        for action in pipeline.submit(rest) { carryOut(action) }
        writeNextBatch()
    }

    /// Starts the next group commit when no write is in flight: one transaction for every
    /// persist accepted so far, on the store thread.
    private func writeNextBatch() {
        guard !storeBroken, let changes = pipeline.nextBatch() else { return }
        let store = store
        let storeQueue = storeQueue
        Task {
            let result = await withCheckedContinuation { continuation in
                storeQueue.async {
                    continuation.resume(returning: Result<Void, any Error> { try store.apply(changes) })
                }
            }
            self.batchWritten(result, changes: changes.count)
        }
    }

    private func batchWritten(_ result: Result<Void, any Error>, changes: Int) {
        guard !storeBroken else { return }
        if case let .failure(error) = result {
            pipeline.failed()
            storeFailed(error, changes: changes)
            return
        }
        for action in pipeline.written() {
            guard !storeBroken else { return }
            carryOut(action)
        }
        // Between writes the disk holds every completed batch and nothing half-done: the
        // one moment an outside change can be read back consistently (see `checkStore`).
        if storeCheckDue {
            storeCheckDue = false
            reloadIfChangedOutside()
        }
        writeNextBatch()
        if pipeline.isSettled { resumeSettledWaiters() }
    }

    /// Returns once every action accepted so far has been carried out (its writes on disk),
    /// or the store has failed.
    func settled() async {
        guard !pipeline.isSettled, !storeBroken else { return }
        await withCheckedContinuation { settledWaiters.append($0) }
    }

    func resumeSettledWaiters() {
        let waiters = settledWaiters
        settledWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }

    private func carryOut(_ action: PeerAction) {
        switch action {
        case let .connect(url):
            // One that waited for a write while the peer stopped would open a link that no
            // loop reads any more.
            guard !stopped else { return }
            connect(url)
        case let .sendFrame(bytes):
            link?.send(bytes)
        case let .closeLink(code, reason):
            link?.close(code: code, reason: reason)
        case let .armTimer(id, atMs):
            arm(id, atMs: atMs)
        case let .cancelTimer(id):
            timers.removeValue(forKey: id)?.cancel()
        case .persist:
            preconditionFailure("a persist goes through the pipeline")
        case let .notify(notification):
            // Its inbox entry was written by the `.persist` before it (with the dedup
            // commit or outbox removal it belongs to).
            deliver(notification)
        case let .delivery(report):
            deliveryContinuation.yield(report)
        case let .linkStatus(status):
            linkStatusContinuation.yield(status)
        case let .reply(id, reply):
            resume(id, with: reply)
        case let .log(event):
            log(event)
        }
    }
}
