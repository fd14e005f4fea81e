import Foundation
import Logging
import Synchronization

/// `myc chat` when stdin is not a terminal: incoming messages and events go to stdout, one
/// plain line each (continuation lines indented) or one JSON object per line with
/// `--json` (`{"ts","kind","content","meta"}`, meta as §6.3); everything else (banner,
/// send results, command output) goes to stderr, so stdout stays parseable.
public final class ChatPipeDisplay: ChatDisplay, @unchecked Sendable {
    let json: Bool
    private let lock = Mutex(())

    public init(json: Bool) { self.json = json }

    public func incoming(_ notification: PeerNotification, lines: [String]) {
        if json {
            emit(1, [JSONSerializer.string(of: .object(Self.object(notification)))])
        } else {
            emit(1, lines)
        }
    }

    public func status(_ lines: [String]) { emit(2, lines) }
    public func remember(_ line: String) {}
    public func setPrompt(_ prompt: String) {}
    public func setCompletion(_ completion: ChatCompletion) {}
    public func close() {}

    /// One notification as a JSON object: `ts` (ms), `kind`, `content`, `meta`, and for
    /// a permission verdict `verdict`.
    public static func object(_ n: PeerNotification) -> JSONObject {
        var object: JSONObject = ["ts": .number(Double(n.ts)), "kind": .string(n.kind.rawValue),
                                  "content": .string(n.content), "meta": .object(n.meta)]
        if let verdict = n.permissionVerdict { object["verdict"] = .object(verdict.params) }
        return object
    }

    private func emit(_ fd: Int32, _ lines: [String]) {
        guard !lines.isEmpty else { return }
        let text = lines.map { $0 + "\n" }.joined()
        lock.withLock { _ in _ = writeAll(fd, text) }
    }

    /// Lines of a non-terminal stdin, read on a thread of their own (a blocking read must
    /// not hold a cooperative thread), then `.endOfInput`.
    public static func readStdinLines(into continuation: AsyncStream<ChatKeyboardEvent>.Continuation) {
        let thread = Thread {
            while let line = readLine(strippingNewline: true) {
                continuation.yield(.lines([line.hasSuffix("\r") ? String(line.dropLast()) : line]))
            }
            continuation.yield(.endOfInput)
            continuation.finish()
        }
        thread.name = "myc-chat-stdin"
        thread.start()
    }
}

/// Log lines for `myc chat`: to stderr, through `sink` (the terminal prints them above
/// the prompt so they never garble the line being typed).
public struct ChatLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    let label: String
    let sink: @Sendable (String) -> Void

    public init(label: String, level: Logger.Level, sink: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?,
                    source: String, file: String, function: String, line: UInt) {
        var all = metadata
        if let explicit { all.merge(explicit) { $1 } }
        let detail = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        sink(ChatText.sanitize("\(level) \(label): \(message)\(detail)"))
    }
}
