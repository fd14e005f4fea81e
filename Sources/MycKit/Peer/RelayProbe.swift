import Logging
import Synchronization

/// Connects to a relay, reads its `challenge`, and hangs up: what `myc fingerprint --relay`
/// needs to show an operator the relay's proven identity. No auth is sent.
public enum RelayProbe {
    public enum Failure: Error, CustomStringConvertible {
        case invalidURL(String)
        case connection(String, String)
        case noChallenge(String)
        case malformed(String, String)
        case timedOut(String)

        public var description: String {
            switch self {
            case let .invalidURL(url): return "\(url): not a relay URL (expected ws://host:port or wss://host:port)"
            case let .connection(url, reason): return "\(url): cannot connect: \(reason)"
            case let .noChallenge(url): return "\(url): the server closed without sending a challenge (is it a Mycelium relay?)"
            case let .malformed(url, reason): return "\(url): first frame is not a valid challenge: \(reason)"
            case let .timedOut(url): return "\(url): no challenge within the time limit"
            }
        }
    }

    /// Opens a `RelayLink` (the peer's own client), waits for the first frame, hangs up.
    public static func fetchChallenge(
        url: String, timeout: Duration = .seconds(10), trustRootsPEM: String? = nil, logger: Logger
    ) async throws(Failure) -> ChallengeFrame {
        let parsed: RelayURL
        do { parsed = try RelayURL(url) } catch { throw .invalidURL(url) }
        let first = FirstFrame()
        let link: RelayLink
        do {
            link = try await RelayLink.connect(to: parsed, trustRootsPEM: trustRootsPEM) { event in
                switch event {
                case let .text(bytes): first.set(.frame(bytes))
                case .closed: first.set(.closed)
                case .opened, .activity: break
                }
            }
        } catch {
            throw .connection(url, "\(error)")
        }
        defer { link.close(code: CloseCode.normal.rawValue, reason: "probe done") }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            switch first.value {
            case let .frame(bytes)?:
                do {
                    return try ChallengeFrame(object: JSONParser.parseObject(bytes))
                } catch {
                    throw .malformed(url, "\(error)")
                }
            case .closed?:
                throw .noChallenge(url)
            case nil:
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        throw .timedOut(url)
    }

    /// The first thing that happened on the probe's link (set once, from an event loop).
    private final class FirstFrame: Sendable {
        enum Outcome: Sendable { case frame([UInt8]), closed }
        private let state = Mutex<Outcome?>(nil)
        func set(_ outcome: Outcome) { state.withLock { if $0 == nil { $0 = outcome } } }
        var value: Outcome? { state.withLock { $0 } }
    }
}
