import Foundation
import MycKit

/// `myc chat` with stdin and stdout as pipes (its non-terminal mode), stdin kept open
/// until `finishInput()`, output captured as it arrives.
final class ChatPipeProcess: @unchecked Sendable {
    let process = Process()
    let home: TempDir
    private let input = Pipe(), output = Pipe(), errors = Pipe()
    private let out = LockedBox<String>(""), err = LockedBox<String>("")

    init(_ name: String, relay: RelayProcess, args: [String] = [], home: TempDir = TempDir()) throws {
        self.home = home
        process.executableURL = URL(fileURLWithPath: Myc.binary)
        process.arguments = ["chat", "--log-level", "notice"] + args
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": home.path, "MYC_RELAY": relay.url, "MYC_PEER": name,
                               "MYC_TOKEN": relay.token, "MYC_KEY_FILE": home.file("keys.json")]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        let out = self.out, err = self.err
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { out.withValue { $0 += String(decoding: data, as: UTF8.self) } }
        }
        errors.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { err.withValue { $0 += String(decoding: data, as: UTF8.self) } }
        }
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        output.fileHandleForReading.readabilityHandler = nil
        errors.fileHandleForReading.readabilityHandler = nil
    }

    var stdout: String { out.value }
    var stderr: String { err.value }
    var stdoutLines: [String] { stdout.split(separator: "\n").map(String.init) }

    func send(_ line: String) { input.fileHandleForWriting.write(Data((line + "\n").utf8)) }

    /// Closes stdin (end of input) and waits for the exit status.
    func finishInput(timeout: TimeInterval = 30) -> Int32? {
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        guard !process.isRunning else { return nil }
        return process.terminationStatus
    }

    /// Polls until `predicate` holds for stdout or stderr.
    func waitFor(_ what: String, timeout: TimeInterval = 15, stderr inStderr: Bool = false, _ predicate: (String) -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if predicate(inStderr ? stderr : stdout) { return }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw MCPTestClientError(description: "timed out waiting for \(what)\nstdout:\n\(stdout)\nstderr:\n\(stderr)")
    }
}
