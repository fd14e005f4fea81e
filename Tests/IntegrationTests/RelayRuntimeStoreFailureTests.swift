import Foundation
import Logging
import MycKit
import Synchronization
import Testing

/// The relay runtime's fail-stop on a store write failure, in process: a real
/// `RelayRuntime` behind a real WebSocket server on loopback, protocol clients over real
/// sockets, and a store that fails on demand. The `onStoreFailure` hook stands in for the
/// process exit, so the test can check that nothing depending on the failed write (an
/// `auth_ok` for an unsaved binding, a `queued` reply for an unsaved frame) is sent, and
/// that nothing leaves the store thread afterwards.
@Suite(.serialized) struct RelayRuntimeStoreFailureTests {
    /// Fails every `apply` while `failing` is set; otherwise an in-memory store.
    final class FlakyStore: RelayStore {
        let inner = InMemoryRelayStore()
        let failing = Atomic<Bool>(false)
        struct DiskFull: Error, CustomStringConvertible { var description: String { "database or disk is full" } }
        func loadAllowList() throws -> AllowListSnapshot { inner.loadAllowList() }
        func loadQueue(nowMs: Int64) throws -> [QueuedFrame] { inner.loadQueue(nowMs: nowMs) }
        func apply(_ changes: [StoreChange]) throws {
            if failing.load(ordering: .sequentiallyConsistent) { throw DiskFull() }
            inner.apply(changes)
        }
        func externalChangeToken() throws -> Int64 { 0 }
    }

    /// Keeps every log record, to check the critical line and that no frame content is logged.
    struct CapturingLogHandler: LogHandler {
        let records: LockedBox<[(level: Logger.Level, message: String, metadata: Logger.Metadata)]>
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?,
                 source: String, file: String, function: String, line: UInt) {
            records.withValue { $0.append((level, message.description, self.metadata.merging(metadata ?? [:]) { $1 })) }
        }
    }

    /// A relay runtime on a loopback port, its store, what the hook and the log received.
    final class Harness {
        let token = "test-invite-token"
        let store = FlakyStore()
        let failures = LockedBox<[String]>([])
        let logs = LockedBox<[(level: Logger.Level, message: String, metadata: Logger.Metadata)]>([])
        let runtime: RelayRuntime
        let server: WebSocketServer

        init() async throws {
            let now = RelayRuntime.wallClockMs()
            let core = RelayCore(identity: .generate(), limits: RelayLimits(), token: token,
                                 allowList: AllowListSnapshot(), queue: [], nowMs: now)
            let logs = self.logs
            let failures = self.failures
            runtime = RelayRuntime(
                core: core, store: store,
                policy: RelayHTTPPolicy(adminToken: nil, healthToken: nil, requireTLS: false, trustedProxy: false,
                                        maxConnectionsPerIP: 10),
                logger: Logger(label: "test") { _ in CapturingLogHandler(records: logs) },
                onStoreFailure: { reason in failures.withValue { $0.append(reason) } })
            server = try await WebSocketServer.start(configuration: .init(host: "127.0.0.1", port: 0), delegate: runtime)
        }

        var url: String { "ws://127.0.0.1:\(server.localPort)" }

        func stop(_ clients: [ProtocolTestClient]) async {
            for client in clients { await client.close() }
            await runtime.shutdown(grace: .milliseconds(500))
            await server.stopAccepting()
        }

        /// Waits (up to 5 s) until the hook ran; returns how often it ran.
        func failureCount() async -> Int {
            let deadline = ContinuousClock.now + .seconds(5)
            while failures.value.isEmpty, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
            return failures.value.count
        }
    }

    func frame(to target: String, id: String, payload: String) -> JSONObject {
        ["type": "info", "room": "default", "target": .string(target), "msg_id": .string(id), "payload": .string(payload)]
    }

    @Test func aFailedBindingWriteSendsNoAuthOk() async throws {
        let relay = try await Harness()
        // While the store works, a new name is bound and answered.
        let carol = ProtocolTestClient(url: relay.url, name: "carol")
        #expect(try await carol.connectAndAuth(token: relay.token)["type"]?.stringValue == "auth_ok")

        // The disk fills up: alice's binding cannot be saved, so she must not hear `auth_ok`.
        relay.store.failing.store(true, ordering: .sequentiallyConsistent)
        let alice = ProtocolTestClient(url: relay.url, name: "alice")
        try await alice.open()
        let challenge = try #require(await alice.next(type: "challenge"))
        try await alice.send(alice.authFrame(for: challenge, token: relay.token))
        #expect(await relay.failureCount() == 1, "the fail-stop hook runs once")
        let answer = await alice.next(timeout: .seconds(1))
        #expect(answer?["type"]?.stringValue != "auth_ok", "no auth_ok for a binding that is not on disk: \(String(describing: answer))")
        #expect(!relay.store.inner.loadAllowList().bindings.contains { $0.name == "alice" })
        #expect(relay.store.inner.loadAllowList().bindings.contains { $0.name == "carol" })

        let reason = try #require(relay.failures.value.first)
        #expect(reason.contains("cannot write the relay database"), "\(reason)")
        #expect(reason.contains("database or disk is full"), "the cause is named: \(reason)")
        #expect(reason.contains("restart"), "says what to do: \(reason)")
        let critical = relay.logs.value.filter { $0.level == .critical }
        #expect(critical.count == 1)
        #expect(critical.first?.message == "store write failed")
        #expect(critical.first?.metadata["error"]?.description.contains("database or disk is full") == true)
        await relay.stop([carol, alice])
    }

    @Test func aFailedQueueWriteSendsNoQueuedReplyAndNothingAfterIt() async throws {
        let relay = try await Harness()
        let alice = ProtocolTestClient(url: relay.url, name: "alice")
        let bob = ProtocolTestClient(url: relay.url, name: "bob")
        #expect(try await alice.connectAndAuth(token: relay.token)["type"]?.stringValue == "auth_ok")
        #expect(try await bob.connectAndAuth(token: relay.token)["type"]?.stringValue == "auth_ok")
        await bob.close()
        #expect(await alice.next(type: "peer_left") != nil)

        // Control: with a working store, a frame for offline bob is queued and confirmed.
        try await alice.send(frame(to: "bob", id: "alice-1", payload: "secret-payload-1"))
        #expect(await alice.next(type: "queued")?["msg_id"]?.stringValue == "alice-1")

        // The write of alice-2 fails: no `queued` for it (her outbox keeps it and resends).
        relay.store.failing.store(true, ordering: .sequentiallyConsistent)
        try await alice.send(frame(to: "bob", id: "alice-2", payload: "secret-payload-2"))
        #expect(await relay.failureCount() == 1)
        // Even once the disk works again, nothing more leaves the store thread: the core's
        // memory (alice-2 queued) is ahead of the disk, only a restart may go on.
        relay.store.failing.store(false, ordering: .sequentiallyConsistent)
        try await alice.send(frame(to: "bob", id: "alice-3", payload: "secret-payload-3"))
        var seen: [JSONObject] = []
        while let next = await alice.next(timeout: .seconds(1)) { seen.append(next) }
        #expect(!seen.contains { $0["type"]?.stringValue == "queued" }, "no queued reply after the failure: \(seen)")
        #expect(relay.store.inner.loadQueue(nowMs: 0).count == 1, "only alice-1 is on disk")
        #expect(relay.failures.value.count == 1, "the hook runs once")

        // The log names the failure, never a frame's content.
        let critical = relay.logs.value.filter { $0.level == .critical }
        #expect(critical.map(\.message) == ["store write failed"])
        let logged = relay.logs.value.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
        #expect(!logged.contains("secret-payload"), "frame contents never reach the log")
        await relay.stop([alice])
    }
}
