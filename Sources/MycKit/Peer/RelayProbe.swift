import Logging
import NIOCore
import NIOPosix
import NIOSSL
import WSClient

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

    public static func fetchChallenge(
        url: String, timeout: Duration = .seconds(10), trustRootsPEM: String? = nil, logger: Logger
    ) async throws(Failure) -> ChallengeFrame {
        let tls = try tlsConfiguration(url: url, trustRootsPEM: trustRootsPEM)
        guard url.hasPrefix("ws://") || url.hasPrefix("wss://") else { throw .invalidURL(url) }
        let box = ResultBox()
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    _ = try await WebSocketClient.connect(url: url, tlsConfiguration: tls, logger: logger) { inbound, outbound, _ in
                        var iterator = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                        if let message = try await iterator.next() {
                            await box.set(message: message)
                        }
                        try await outbound.close(.normalClosure, reason: nil)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw Failure.timedOut(url)
                }
                _ = try await group.next()
                group.cancelAll()
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            if await box.text == nil { throw .connection(url, "\(error)") }
        }
        guard let text = await box.text else { throw .noChallenge(url) }
        do {
            let object = try JSONParser.parseObject(Array(text.utf8))
            return try ChallengeFrame(object: object)
        } catch {
            throw .malformed(url, "\(error)")
        }
    }

    /// Client TLS settings: the system's roots, or exactly the given CA certificates.
    static func tlsConfiguration(url: String, trustRootsPEM: String?) throws(Failure) -> TLSConfiguration? {
        guard let trustRootsPEM else { return nil }
        var config = TLSConfiguration.makeClientConfiguration()
        do {
            config.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(trustRootsPEM))
        } catch {
            throw .connection(url, "cannot read CA certificates from \(trustRootsPEM): \(error)")
        }
        return config
    }

    private actor ResultBox {
        var text: String?
        func set(message: WebSocketMessage) {
            if case let .text(t) = message { text = t } else { text = "" }
        }
    }
}
