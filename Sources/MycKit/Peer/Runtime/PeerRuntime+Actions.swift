import Logging

extension PeerRuntime {
    /// Carries out the engine's actions in order. A `.persist` completes (on disk) before
    /// the next action runs, so an `_ack` never leaves before the msg_id it promises is committed.
    /// A `.persist` that fails stops everything after it (see `storeFailed`).
    func perform(_ actions: [PeerAction]) {
        for action in actions {
            guard !storeBroken else { return }
            perform(action)
        }
    }

    private func perform(_ action: PeerAction) {
        switch action {
        case let .connect(url):
            connect(url)
        case let .sendFrame(bytes):
            link?.send(bytes)
        case let .closeLink(code, reason):
            link?.close(code: code, reason: reason)
        case let .armTimer(id, atMs):
            arm(id, atMs: atMs)
        case let .cancelTimer(id):
            timers.removeValue(forKey: id)?.cancel()
        case let .persist(changes):
            do {
                try store.apply(changes)
            } catch {
                storeFailed(error, changes: changes.count)
            }
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
