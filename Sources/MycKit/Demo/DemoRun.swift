#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import Synchronization

/// `myc demo`: a real relay (`RelayService`, SQLite and all) and two real peers
/// (`PeerBootstrap`/`PeerRuntime`) in this process, on 127.0.0.1 with a free port and a
/// throwaway directory for keys and state. The relay's wire tap records every frame it
/// receives and sends; the peers' event streams record what they read. Nothing is mocked:
/// the frames are the ones any relay would see.
public enum DemoRun {
    public struct Script: Sendable, Equatable {
        public var room = "demo"
        public var first = "alice"
        public var second = "bob"
        /// Sent in turn: the first from `first` to `second`, the next back, and so on.
        public var messages = [
            "Hi bob, the deploy key is in the usual place.",
            "Thanks alice. Rotating it after the release, ok?",
            "Yes. Ping me when the tests are green.",
        ]
        /// How long any one step (start, handshake, a delivery) may take.
        public var stepTimeoutSeconds: Double = 20

        public init() {}
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs the script and returns what was seen. `progress` gets one line per stage.
    public static func run(_ script: Script = Script(), progress: @Sendable (String) -> Void = { _ in }) async throws -> DemoTranscript {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let quiet = Logger(label: "myc.demo") { _ in SwiftLogNoOpLogHandler() }
        let wire = DemoWireLog()
        let token = Base64.encode(RandomBytes.generate(18))

        var relaySettings = RelaySettings()
        relaySettings.host = "127.0.0.1"
        relaySettings.port = 0
        relaySettings.databasePath = directory.file("relay.db")
        relaySettings.keyFile = directory.file("relay-keys.json")
        relaySettings.token = .value(token)
        relaySettings.allowFile = directory.file("no-reference-allow.json")
        relaySettings.queueFile = nil
        progress("starting a relay on 127.0.0.1 (random port, state in a temporary directory)")
        let relay = try await RelayService.start(relaySettings, logger: quiet, notice: { _ in }, wireTap: wire.tap)

        var runtimes: [PeerRuntime] = []
        var tasks: [Task<Void, Never>] = []
        var readers: [DeliveryLog] = []
        func stopAll() async {
            for runtime in runtimes { await runtime.shutdown() }
            for task in tasks { _ = await task.value }
            await relay.shutdown()
        }
        do {
            for name in [script.first, script.second] {
                let config = Configuration(environment: [
                    "MYC_TOKEN": token,
                    // Never import the reference's files from the user's home.
                    "MYC_TOFU_FILE": directory.file("\(name)-no-reference-pins.json"),
                    "MYC_REPLAY_FILE": directory.file("\(name)-no-reference-replay.json"),
                ])
                let flags = PeerSettings.Flags(
                    name: name, rooms: script.room, relay: "ws://127.0.0.1:\(relay.port)",
                    keyFile: directory.file("\(name)-keys.json"), stateDB: directory.file("\(name).state.db"),
                    relayFingerprint: relay.fingerprint.text)
                let runtime = try PeerBootstrap.makeRuntime(try PeerSettings.resolve(flags, config), logger: quiet)
                let reader = DeliveryLog()
                runtimes.append(runtime)
                readers.append(reader)
                tasks.append(Task { await runtime.run() })
                tasks.append(Task { for await event in runtime.events { reader.append(event) } })
            }
            progress("starting \(script.first) and \(script.second) (fresh identities), pinned to the relay's fingerprint")
            let deadline = script.stepTimeoutSeconds
            for (index, runtime) in runtimes.enumerated() {
                let other = index == 0 ? script.second : script.first
                try await poll("\(runtime.profile.name) to see \(other) with a confirmed session", seconds: deadline) {
                    let snapshot = await runtime.peers()
                    return snapshot.rooms.contains { room in
                        room.live.contains { $0.name.utf8.elementsEqual(other.utf8) && $0.stsVerified && !$0.blocked }
                    }
                }
            }
            try await settle(wire)

            var messages: [DemoTranscript.Message] = []
            for (i, text) in script.messages.enumerated() {
                let (s, r) = i % 2 == 0 ? (0, 1) : (1, 0)
                let from = runtimes[s].profile.name, to = runtimes[r].profile.name
                progress("\(from) sends message \(i + 1) to \(to)")
                let first = wire.count
                let already = readers[r].count
                let outcome = await runtimes[s].send(SendRequest(target: to, text: text))
                guard case let .sentLive(_, _, msgID, _, _) = outcome else {
                    throw Failure(description: "\(from) could not send to \(to): \(outcome)")
                }
                let delivered = try await poll("\(to) to read message \(i + 1)", seconds: deadline) { () async -> PeerNotification? in
                    readers[r].messages.dropFirst(already).first { $0.meta["msg_id"]?.stringValue == msgID }
                }
                try await settle(wire)
                messages.append(DemoTranscript.Message(
                    from: from, to: to, text: text, msgID: msgID, read: delivered.content,
                    markers: Self.markers(delivered.meta), firstFrame: first, endFrame: wire.count))
            }
            let peers = runtimes.map { DemoTranscript.Party(name: $0.profile.name, fingerprint: $0.profile.fingerprint) }
            await stopAll()
            return DemoTranscript(
                relayAddress: "127.0.0.1:\(relay.port)", relayFingerprint: relay.fingerprint.text, room: script.room,
                peers: peers, frames: wire.frames, messages: messages)
        } catch {
            await stopAll()
            throw error
        }
    }

    /// `e2e` and `tofu` and `sig` as a reader would see them next to the text.
    static func markers(_ meta: JSONObject) -> String {
        ["e2e", "sig", "tofu"].compactMap { key in meta[key]?.stringValue.map { "\(key) \($0)" } }.joined(separator: ", ")
    }

    /// Waits until the wire has been quiet for a moment (acks and their echoes are in), or
    /// two seconds at most: only for attributing frames to a message on screen.
    static func settle(_ wire: DemoWireLog) async throws {
        let start = ContinuousClock.now
        var last = wire.count
        var quietSince = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(2) {
            try await Task.sleep(for: .milliseconds(20))
            let now = wire.count
            if now != last {
                last = now
                quietSince = .now
            } else if ContinuousClock.now - quietSince >= .milliseconds(150) {
                return
            }
        }
    }

    static func poll(_ what: String, seconds: Double, _ check: () async -> Bool) async throws {
        _ = try await poll(what, seconds: seconds) { () async -> Bool? in await check() ? true : nil }
    }

    static func poll<T>(_ what: String, seconds: Double, _ check: () async -> T?) async throws -> T {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while true {
            if let value = await check() { return value }
            if ContinuousClock.now >= deadline {
                throw Failure(description: "timed out after \(Int(seconds)) s waiting for \(what)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// What one peer's event stream delivered.
final class DeliveryLog: Sendable {
    private let events = Mutex<[PeerNotification]>([])
    func append(_ event: PeerNotification) { events.withLock { $0.append(event) } }
    var count: Int { events.withLock { $0.filter { $0.kind == .message }.count } }
    var messages: [PeerNotification] { events.withLock { $0.filter { $0.kind == .message } } }
}

/// A private directory (0700) for the demo's keys and databases, removed afterwards.
struct TemporaryDirectory {
    let path: String

    init() throws {
        let base = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((base + "/myc-demo-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw DemoRun.Failure(description: "cannot create a temporary directory in \(base): \(String(cString: strerror(errno)))")
        }
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func file(_ name: String) -> String { path + "/" + name }

    /// Removes the files the demo made (one level: it makes no subdirectories).
    func remove() {
        if let dir = opendir(path) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
                }
                if name != "." && name != ".." { unlink(file(name)) }
            }
            closedir(dir)
        }
        rmdir(path)
    }
}
