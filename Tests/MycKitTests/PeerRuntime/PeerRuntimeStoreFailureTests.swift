import Logging
import Synchronization
import Testing
@testable import MycKit

/// The runtime's fail-stop on a store write failure: nothing that depends on the failed
/// write (an inbox event, an `_ack`, a first transmission) may happen after it.
@Suite("PeerRuntime store failure")
struct PeerRuntimeStoreFailureTests {
    /// Fails every `apply` once `failing` is set.
    final class FlakyStore: PeerStore, @unchecked Sendable {
        let inner = InMemoryPeerStore()
        let failing = Atomic<Bool>(false)
        struct DiskFull: Error, CustomStringConvertible { var description: String { "database or disk is full" } }
        func loadSnapshot(nowMs: Int64) throws -> PeerStateSnapshot { inner.loadSnapshot(nowMs: nowMs) }
        func apply(_ changes: [PeerStoreChange]) throws {
            if failing.load(ordering: .sequentiallyConsistent) { throw DiskFull() }
            inner.apply(changes)
        }
        func externalChangeToken() throws -> Int64 { 0 }
        func appendInbox(_ entry: PeerNotification, cap: Int) throws { try apply([.appendInbox(entry, cap: cap)]) }
        func drainInbox(max: Int, peek: Bool) throws -> InboxDrain { inner.drainInbox(max: max, peek: peek) }
        func inboxCount() throws -> Int { inner.inboxCount() }
    }

    @Test func aFailedWriteStopsEverythingAfterItAndTellsTheFaceOnce() async throws {
        let store = FlakyStore()
        let reasons = Mutex<[String]>([])
        let engine = PeerEngine(config: PE.config("alice", PE.alice), snapshot: PeerStateSnapshot())
        let runtime = PeerRuntime(engine: engine, store: store, logger: Logger(label: "test"),
                                  onStoreFailure: { reason in reasons.withLock { $0.append(reason) } })
        let event = PeerNotification(ts: 1, kind: .event, content: "after", meta: ["type": "delivered"])
        let seen = PeerRuntimeStoreFailureTests.SeenEvents(runtime.events)

        await runtime.perform([.persist([.touchPin(RoomPeer(room: "default", name: "bob"), lastSeenMs: 1)]), .notify(event)])
        #expect(await seen.count(atLeast: 1) == 1, "a successful write lets the rest run")

        store.failing.store(true, ordering: .sequentiallyConsistent)
        await runtime.perform([.persist([.touchPin(RoomPeer(room: "default", name: "bob"), lastSeenMs: 2)]), .notify(event)])
        await runtime.perform([.notify(event)])
        await runtime.settled()  // writes run on the store thread; this returns once it failed
        #expect(await runtime.storeBroken)
        #expect(reasons.withLock { $0.count } == 1)
        #expect(reasons.withLock { $0.first?.contains("database or disk is full") == true })
        #expect(reasons.withLock { $0.first?.contains("restart") == true })
        #expect(await seen.count(atLeast: 2, waitingMs: 200) == 1, "nothing after the failed write, nor later")
    }

    /// Counts notifications from a stream in the background.
    actor SeenEvents {
        private var count = 0
        init(_ stream: AsyncStream<PeerNotification>) {
            Task { [weak self] in
                for await _ in stream { await self?.increment() }
            }
        }
        private func increment() { count += 1 }

        /// Waits (up to `waitingMs`) until at least `target` arrived; returns what arrived.
        func count(atLeast target: Int, waitingMs: Int = 2_000) async -> Int {
            var waited = 0
            while count < target, waited < waitingMs {
                try? await Task.sleep(for: .milliseconds(10))
                waited += 10
            }
            return count
        }
    }
}
