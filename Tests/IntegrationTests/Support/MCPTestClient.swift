import Foundation
import MycKit

/// A hand-written MCP client for `myc mcp` over the child's stdin/stdout: newline-
/// delimited JSON-RPC 2.0, written against the MCP spec and §6 rather than the SDK, so it
/// holds the server to the wire. Every stdout line must be one valid JSON-RPC message;
/// anything else is recorded in `protocolViolations` (tests assert it stays empty).
final class MCPTestClient: @unchecked Sendable {
    let process = Process()
    private let stdinPipe = Pipe()
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()
    private let buffer = LockedBox<[UInt8]>([])
    private let messages = LockedBox<[JSONObject]>([])
    private let violations = LockedBox<[String]>([])
    private let errText = LockedBox<String>("")
    private let nextID = LockedBox<Int>(100)

    /// Starts `myc args…` with a clean environment plus `env`. `preload` lines are written
    /// to stdin *before* the child starts, so they wait there while it boots.
    init(args: [String] = ["mcp", "--fake-peer"], env: [String: String] = [:], preload: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: Myc.binary)
        process.arguments = args
        var environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        for (k, v) in env { environment[k] = v }
        process.environment = environment
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        let buffer = self.buffer, messages = self.messages, violations = self.violations, errText = self.errText
        stdoutPipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else { return }
            let lines: [[UInt8]] = buffer.withValue { pending in
                pending += data
                var complete: [[UInt8]] = []
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    complete.append(Array(pending[..<newline]))
                    pending.removeSubrange(...newline)
                }
                return complete
            }
            for line in lines {
                switch MCPTestClient.validate(line) {
                case .success(let object): messages.withValue { $0.append(object) }
                case .failure(let reason): violations.withValue { $0.append(reason.description) }
                }
            }
        }
        stderrPipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else { return }
            errText.withValue { $0 += String(decoding: data, as: UTF8.self) }
        }
        for line in preload { stdinPipe.fileHandleForWriting.write(Data((line + "\n").utf8)) }
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        stdoutPipe.fileHandleForReading.readabilityHandler = nil
        stderrPipe.fileHandleForReading.readabilityHandler = nil
    }

    // MARK: What came back

    /// Every stdout line that was not one JSON-RPC 2.0 message.
    var protocolViolations: [String] { violations.value + trailingPartialLine }
    var stderr: String { errText.value }
    var received: [JSONObject] { messages.value }
    /// Server → client notifications so far.
    var notifications: [JSONObject] { received.filter { $0["id"] == nil } }

    /// Bytes after the last newline count as a violation once the child has exited.
    private var trailingPartialLine: [String] {
        let rest = buffer.value
        guard !process.isRunning, !rest.isEmpty else { return [] }
        return ["unterminated line: \(String(decoding: rest, as: UTF8.self))"]
    }

    /// A JSON-RPC 2.0 request, notification or response, as a JSON object on one line.
    static func validate(_ line: [UInt8]) -> Result<JSONObject, ViolationError> {
        let text = String(decoding: line, as: UTF8.self)
        guard let object = try? JSONParser.parseObject(line) else { return .failure(ViolationError("not a JSON object: \(text)")) }
        guard object["jsonrpc"] == "2.0" else { return .failure(ViolationError("jsonrpc is not \"2.0\": \(text)")) }
        let hasMethod = object["method"]?.stringValue != nil
        let hasID = object["id"].map { $0.stringValue != nil || $0.numberValue != nil } ?? false
        let isResponse = hasID && !hasMethod && ((object["result"] != nil) != (object["error"]?.objectValue != nil))
        if hasMethod || isResponse { return .success(object) }
        return .failure(ViolationError("neither a request, a notification nor a response: \(text)"))
    }

    struct ViolationError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: Sending

    func sendLine(_ line: String) {
        stdinPipe.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    func send(_ message: JSONObject) {
        sendLine(JSONSerializer.string(of: .object(message)))
    }

    /// A notification from the host (no id).
    func notify(_ method: String, params: JSONObject? = nil) {
        var message: JSONObject = ["jsonrpc": "2.0", "method": .string(method)]
        if let params { message["params"] = .object(params) }
        send(message)
    }

    /// Sends a request and waits for the response with its id (result or error object).
    func request(_ method: String, params: JSONObject? = nil, timeout: TimeInterval = 10) throws -> JSONObject {
        let id = nextID.withValue { $0 += 1; return $0 }
        var message: JSONObject = ["jsonrpc": "2.0", "id": .number(Double(id)), "method": .string(method)]
        if let params { message["params"] = .object(params) }
        send(message)
        return try waitForResponse(id: .number(Double(id)), timeout: timeout)
    }

    func waitForResponse(id: JSONValue, timeout: TimeInterval = 10) throws -> JSONObject {
        try waitFor("response \(id)", timeout: timeout) { $0["id"] == id && $0["method"] == nil }
    }

    /// The first received message matching `predicate`.
    func waitFor(_ what: String, timeout: TimeInterval = 10, _ predicate: (JSONObject) -> Bool) throws -> JSONObject {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let hit = messages.value.first(where: predicate) { return hit }
            if let bad = violations.value.first {
                throw MCPTestClientError(description: "stdout carried non-JSON-RPC while waiting for \(what): \(bad.prefix(300))")
            }
            if !process.isRunning, messages.value.first(where: predicate) == nil { break }
            Thread.sleep(forTimeInterval: 0.005)
        }
        throw MCPTestClientError(description: "timed out waiting for \(what); stderr: \(stderr)")
    }

    /// The first notification with `method` (and matching `predicate`).
    func waitForNotification(_ method: String, timeout: TimeInterval = 10,
                             where predicate: (JSONObject) -> Bool = { _ in true }) throws -> JSONObject {
        try waitFor("notification \(method)", timeout: timeout) {
            $0["id"] == nil && $0["method"]?.stringValue == method && predicate($0["params"]?.objectValue ?? JSONObject())
        }
    }

    // MARK: MCP conveniences

    /// `initialize` as Claude Code sends it: `capabilities.experimental` holds objects.
    static func initializeMessage(id: Int = 1) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"initialize","params":{"protocolVersion":"2025-06-18","#
            + #""capabilities":{"roots":{},"experimental":{"claude/channel":{},"claude/channel/permission":{}}},"#
            + #""clientInfo":{"name":"claude-code","version":"2.1.0"}}}"#
    }

    /// Runs the handshake; returns the `initialize` result.
    @discardableResult
    func initialize() throws -> JSONObject {
        sendLine(Self.initializeMessage())
        let response = try waitForResponse(id: 1)
        notify("notifications/initialized")
        guard let result = response["result"]?.objectValue else {
            throw MCPTestClientError(description: "initialize failed: \(response)")
        }
        return result
    }

    func listTools() throws -> [JSONObject] {
        let response = try request("tools/list")
        return response["result"]?.objectValue?["tools"]?.arrayValue?.compactMap(\.objectValue) ?? []
    }

    /// `tools/call`; the text of the first content item and `isError`. A JSON-RPC error
    /// throws `MCPTestClientError`.
    func callTool(_ name: String, _ arguments: JSONObject = [:]) throws -> (text: String, isError: Bool) {
        let response = try request("tools/call", params: ["name": .string(name), "arguments": .object(arguments)])
        guard let result = response["result"]?.objectValue else {
            throw MCPTestClientError(description: "tools/call \(name) failed: \(response)")
        }
        let first = result["content"]?.arrayValue?.first?.objectValue
        guard first?["type"] == "text", let text = first?["text"]?.stringValue else {
            throw MCPTestClientError(description: "tools/call \(name): no text content: \(result)")
        }
        return (text, result["isError"] == true)
    }

    /// Closes stdin (the host went away) and waits for the exit status.
    func closeAndWait(timeout: TimeInterval = 10) -> Int32? {
        try? stdinPipe.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        guard !process.isRunning else { return nil }
        // Let the readability handler drain what is left in the pipe.
        Thread.sleep(forTimeInterval: 0.05)
        return process.terminationStatus
    }
}

struct MCPTestClientError: Error, CustomStringConvertible {
    let description: String
}
