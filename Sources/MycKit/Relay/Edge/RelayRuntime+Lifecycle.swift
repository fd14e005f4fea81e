import Logging
import NIOCore
import NIOPosix

/// Time-driven work: the core's ticks, noticing allow-list changes made by another process
/// (`myc allow`), and the graceful shutdown of §4.10.
extension RelayRuntime {
    /// Ticks the core every `interval` and checks the store for outside changes every
    /// `storePollInterval`. Returns the tasks so shutdown can cancel them.
    func startTimers(on loop: any EventLoop, tickInterval: TimeAmount = .milliseconds(25),
                     storePollInterval: TimeAmount = .milliseconds(500)) -> [RepeatedTask] {
        let ticker = loop.scheduleRepeatedTask(initialDelay: tickInterval, delay: tickInterval) { [self] _ in
            let due = core.withLock { clock() >= $0.nextDeadlineMs }
            if due { step { $0.tick(nowMs: $1) } }
        }
        let watcher = loop.scheduleRepeatedTask(initialDelay: storePollInterval, delay: storePollInterval) { [self] _ in
            worker.submit { [self] in checkForOutsideChanges() }
        }
        return [ticker, watcher]
    }

    /// On the store thread: if another process wrote, reload the allow-list into the core,
    /// which evicts any live peer whose key is now revoked. Not after a failed write: the
    /// relay is stopping (see `storeFailed`).
    func checkForOutsideChanges() {
        guard !isStoreBroken else { return }
        do {
            let token = try store.externalChangeToken()
            let changed = lastStoreToken.withLock { last -> Bool in
                defer { last = token }
                return last != nil && last != token
            }
            guard changed else { return }
            let snapshot = try store.loadAllowList()
            step { $0.reloadAllowList(snapshot, nowMs: $1) }
        } catch {
            logger.error("cannot read the store for outside changes", metadata: ["error": "\(error)"])
        }
    }

    /// §4.10: `relay_shutdown` and close 1001 to everyone, then wait (polling every 100 ms,
    /// at most `grace`) for the sockets to go, then let the store finish its writes.
    public func shutdown(grace: Duration = .seconds(5)) async {
        step { $0.beginShutdown(nowMs: $1) }
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            if socketCount == 0 && core.withLock({ $0.isIdle }) { break }
            try? await Task.sleep(for: .milliseconds(100))
        }
        await worker.shutdown()
    }
}
