import Dispatch
import Logging
import Synchronization
import Testing
@testable import MycKit

/// The runtime driving the group commit against a store whose writes the test holds on
/// disk as long as it likes: nothing after a persist happens before its write returns, the
/// actor keeps accepting inputs meanwhile, and what it accepted goes into one write.
@Suite("PeerRuntime group commit")
struct PeerRuntimeGroupCommitTests {
    /// Records every `apply` and blocks it (on the store thread) until the test opens it.
    final class GatedStore: PeerStore, @unchecked Sendable {
        let inner = InMemoryPeerStore()
        let applies = Mutex<[[PeerStoreChange]]>([])
        private let gate = DispatchSemaphore(value: 0)

        func loadSnapshot(nowMs: Int64) throws -> PeerStateSnapshot { inner.loadSnapshot(nowMs: nowMs) }
        func apply(_ changes: [PeerStoreChange]) throws {
            applies.withLock { $0.append(changes) }
            gate.wait()
            inner.apply(changes)
        }
        func externalChangeToken() throws -> Int64 { 0 }
        func appendInbox(_ entry: PeerNotification, cap: Int) throws { try apply([.appendInbox(entry, cap: cap)]) }
        func drainInbox(max: Int, peek: Bool) throws -> InboxDrain { inner.drainInbox(max: max, peek: peek) }
        func inboxCount() throws -> Int { inner.inboxCount() }

        /// Lets one write finish.
        func complete() { gate.signal() }

        /// Waits (up to 2 s) until `count` writes have started.
        func started(_ count: Int) async -> Bool {
            for _ in 0..<200 {
                if applies.withLock({ $0.count }) >= count { return true }
                try? await Task.sleep(for: .milliseconds(10))
            }
            return false
        }
    }

    /// Notification contents in arrival order.
    actor Arrivals {
        private(set) var contents: [String] = []
        init(_ stream: AsyncStream<PeerNotification>) {
            Task { [weak self] in
                for await event in stream { await self?.append(event.content) }
            }
        }
        private func append(_ content: String) { contents.append(content) }

        /// Waits (up to 2 s) until `count` arrived; returns what arrived.
        func waitFor(_ count: Int, ms: Int = 2_000) async -> [String] {
            var waited = 0
            while contents.count < count, waited < ms {
                try? await Task.sleep(for: .milliseconds(10))
                waited += 10
            }
            return contents
        }
    }

    static func note(_ content: String) -> PeerAction {
        .notify(PeerNotification(ts: 1, kind: .event, content: content, meta: ["type": "delivered"]))
    }

    static func touch(_ n: Int64) -> PeerStoreChange { .touchPin(RoomPeer(room: "default", name: "bob"), lastSeenMs: n) }

    @Test func actionsWaitForTheWriteBeforeThemAndLaterPersistsShareOneWrite() async throws {
        let store = GatedStore()
        let engine = PeerEngine(config: PE.config("alice", PE.alice), snapshot: PeerStateSnapshot())
        let runtime = PeerRuntime(engine: engine, store: store, logger: Logger(label: "test"))
        let arrivals = Arrivals(runtime.events)

        await runtime.perform([Self.note("first"), .persist([Self.touch(1)]), Self.note("after 1")])
        #expect(await store.started(1))
        #expect(await arrivals.waitFor(1) == ["first"], "what precedes the persist does not wait")

        // The actor is free while the write is held: these are accepted (each `perform`
        // returns) but nothing of them may run before the first write is on disk.
        await runtime.perform([Self.note("no persist of its own")])
        await runtime.perform([.persist([Self.touch(2)]), Self.note("after 2")])
        await runtime.perform([.persist([Self.touch(3), Self.touch(4)]), Self.note("after 3+4")])
        #expect(await arrivals.waitFor(2, ms: 200) == ["first"])
        #expect(store.applies.withLock { $0.count } == 1, "one write at a time")

        store.complete()
        #expect(await store.started(2))
        #expect(store.applies.withLock { $0 } == [[Self.touch(1)], [Self.touch(2), Self.touch(3), Self.touch(4)]],
                "everything accepted during the first write, in one apply, in order")
        #expect(await arrivals.waitFor(3) == ["first", "after 1", "no persist of its own"])
        #expect(await arrivals.waitFor(4, ms: 200).count == 3, "the rest waits for the second write")

        store.complete()
        await runtime.settled()
        #expect(await arrivals.waitFor(5) == ["first", "after 1", "no persist of its own", "after 2", "after 3+4"])
    }
}
