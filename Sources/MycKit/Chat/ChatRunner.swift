import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `myc chat` over a running `PeerService` until the person (or the end of stdin)
/// says so. The interactive mode drives a `ChatTerminal`; the non-terminal mode reads
/// stdin lines, and at their end waits for pending sends before it returns.
///
/// ```swift
/// let runner = ChatRunner(options: options)
/// let status = await runner.run(service: runtime, terminal: terminal)  // nil terminal: pipe mode
/// ```
public final class ChatRunner: Sendable {
    public struct Options: Sendable {
        /// JSON lines on stdout (non-terminal mode only).
        public var json: Bool
        /// At end of input, how long to wait for deferred sends to be confirmed or fail.
        public var waitSeconds: Int
        /// How long the non-terminal mode waits for the relay before reading stdin.
        public var connectSeconds: Int
        public var style: ChatStyle

        public init(json: Bool = false, waitSeconds: Int = 60, connectSeconds: Int = 15, style: ChatStyle = .plain) {
            self.json = json
            self.waitSeconds = waitSeconds
            self.connectSeconds = connectSeconds
            self.style = style
        }
    }

    /// Exit statuses of the non-terminal mode.
    public enum Status: Int32, Sendable {
        case ok = 0
        /// A send was refused or finally failed.
        case failed = 1
        /// Deferred sends were still unconfirmed when `waitSeconds` ran out.
        case unconfirmed = 2
    }

    let options: Options
    private let terminateSignal: AsyncStream<Void>
    private let terminateContinuation: AsyncStream<Void>.Continuation

    public init(options: Options) {
        self.options = options
        (terminateSignal, terminateContinuation) = AsyncStream.makeStream()
    }

    /// SIGTERM (or SIGINT in the non-terminal mode): leave at once.
    public func terminate() { terminateContinuation.yield() }

    public func run(service: any PeerService, terminal: ChatTerminal?) async -> Status {
        let renderer = ChatRenderer(style: options.style, rooms: service.profile.rooms)
        if let terminal {
            await runInteractive(service: service, terminal: terminal, renderer: renderer)
            return .ok
        }
        return await runPipe(service: service, renderer: renderer)
    }

    private func runInteractive(service: any PeerService, terminal: ChatTerminal, renderer: ChatRenderer) async {
        let session = ChatSession(service: service, display: terminal, renderer: renderer)
        terminal.start()
        await session.start()
        let terminate = terminateSignal
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await n in service.events { await session.handle(n) } }
            group.addTask { for await r in service.deliveries { await session.handle(r) } }
            group.addTask { for await s in service.linkStatus { await session.handle(s) } }
            group.addTask { for await _ in terminate { await session.handle(.terminate); return } }
            for await event in terminal.keyboard {
                await session.handle(event)
            }
            group.cancelAll()
        }
        await terminal.waitUntilClosed()
    }

    private func runPipe(service: any PeerService, renderer: ChatRenderer) async -> Status {
        let display = ChatPipeDisplay(json: options.json)
        let session = ChatSession(service: service, display: display, renderer: renderer)
        await session.start()
        let linked = ChatFlag()
        let terminate = terminateSignal
        // stdin lines and a termination request arrive on one stream, in order.
        let (input, inputContinuation) = AsyncStream.makeStream(of: ChatKeyboardEvent.self)
        return await withTaskGroup(of: Void.self) { group -> Status in
            group.addTask { for await n in service.events { await session.handle(n) } }
            group.addTask { for await r in service.deliveries { await session.handle(r) } }
            group.addTask {
                for await s in service.linkStatus {
                    await session.handle(s)
                    linked.set()
                }
            }
            group.addTask {
                for await _ in terminate {
                    inputContinuation.yield(.terminate)
                    return
                }
            }
            // Lines read before the relay answered would find nobody to send to.
            await waitFor(linked, seconds: options.connectSeconds)
            ChatPipeDisplay.readStdinLines(into: inputContinuation)
            var status = Status.ok
            for await event in input {
                if case .endOfInput = event {
                    status = await drain(session, display: display)
                    break
                }
                await session.handle(event)
                if await session.state == .quitting { break }
            }
            await session.finish()
            group.cancelAll()
            if await session.failures > 0, status == .ok { status = .failed }
            return status
        }
    }

    /// End of input: wait (up to `waitSeconds`) until every send is acknowledged or failed.
    private func drain(_ session: ChatSession, display: ChatPipeDisplay) async -> Status {
        let start = ContinuousClock.now
        let deadline = start + .seconds(options.waitSeconds)
        var announced = false
        while ContinuousClock.now < deadline {
            let unresolved = await session.tracker.unresolved
            if unresolved == 0 { return .ok }
            if !announced, ContinuousClock.now - start > .milliseconds(500) {
                announced = true
                display.status(["waiting for \(unresolved) message(s) to be confirmed (up to \(options.waitSeconds) s)"])
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        let left = await session.tracker.unresolved
        guard left > 0 else { return .ok }
        display.status(["⚠️ \(left) message(s) not confirmed within \(options.waitSeconds) s; they stay in this identity's outbox and are resent when it next runs"])
        return .unconfirmed
    }

    private func waitFor(_ flag: ChatFlag, seconds: Int) async {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !flag.isSet, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// A flag one task sets and another polls.
final class ChatFlag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}
