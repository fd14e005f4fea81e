import Foundation

/// A real `myc relay` child process on 127.0.0.1 with a random free port and its own state
/// directory. Reads the port from the relay's own "relay listening" log line.
final class RelayProcess: @unchecked Sendable {
    let home: TempDir
    let process = Process()
    private let stdout = Pipe()
    private let stderr = Pipe()
    private let output = LockedBox<String>("")
    private(set) var port = 0
    let token: String
    let extraEnv: [String: String]

    var tls: Bool { process.arguments?.contains("--tls-cert") ?? false }
    /// With TLS the URL names `localhost`: swift-websocket's client sends the URL host as SNI,
    /// and SNI may not be an IP address.
    var url: String { tls ? "wss://localhost:\(port)" : "ws://127.0.0.1:\(port)" }
    var httpBase: String { "\(tls ? "https" : "http")://127.0.0.1:\(port)" }
    /// The relay's fingerprint as it logged it at start.
    var fingerprint: String? {
        logLines.lazy.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .first { $0["msg"] as? String == "relay listening" }?["relay.fp"] as? String
    }
    var database: String { home.file("relay.db") }
    var keyFile: String { home.file("relay-keys.json") }

    /// Starts the relay and waits until it listens. `home` may be reused to restart on the same state.
    init(home: TempDir = TempDir(), token: String = "test-invite-token", env: [String: String] = [:],
         args: [String] = [], port fixedPort: Int = 0) throws {
        self.home = home
        self.token = token
        self.extraEnv = env
        process.executableURL = URL(fileURLWithPath: Myc.binary)
        process.arguments = ["relay", "--host", "127.0.0.1", "--port", String(fixedPort), "--db", home.file("relay.db"),
                             "--key-file", home.file("relay-keys.json")] + args
        var environment = ["PATH": "/usr/bin:/bin", "HOME": home.path, "RELAY_TOKEN": token]
        for (k, v) in env { environment[k] = v }
        process.environment = environment
        process.standardOutput = stdout
        process.standardError = stderr
        let output = self.output
        stdout.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else { return }
            output.withValue { $0 += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let line = logLines.first(where: { $0.contains("relay listening") }),
               let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
               let p = (object["port"] as? String).flatMap(Int.init) {
                port = p
                return
            }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        let err = String(decoding: stderr.fileHandleForReading.availableData, as: UTF8.self)
        throw RelayProcessError(description: "relay did not start: \(output.value) \(err)")
    }

    /// Every JSON log line so far.
    var logLines: [String] {
        output.value.split(separator: "\n").map(String.init)
    }

    /// Everything the relay wrote to stderr; waits for it to exit (stderr stays small: one-time
    /// notices and the fail-stop line, so the pipe never fills while it runs).
    func stderrAfterExit() -> String {
        process.waitUntilExit()
        return String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    func kill9() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func terminate() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit {
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        stdout.fileHandleForReading.readabilityHandler = nil
    }
}

/// A TCP port that was free a moment ago (bind to 0, read it, close): for tests that must
/// restart a relay on the same address.
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return Int(UInt16(bigEndian: addr.sin_port))
}

struct RelayProcessError: Error, CustomStringConvertible {
    let description: String
}

/// Minimal HTTP for the admin tests: one request, status and body back (curl is on every
/// Debian machine and is independent of our code).
func http(_ method: String, _ url: String, headers: [String: String] = [:], body: String? = nil) throws -> (status: Int, body: String) {
    var args = ["-s", "-o", "-", "-w", "\n%{http_code}", "-X", method, url]
    for (k, v) in headers { args += ["-H", "\(k): \(v)"] }
    if let body { args += ["--data-binary", body] }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
    process.arguments = args + ["-k"]
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    let lastNewline = text.lastIndex(of: "\n")!
    return (Int(text[text.index(after: lastNewline)...]) ?? 0, String(text[..<lastNewline]))
}
