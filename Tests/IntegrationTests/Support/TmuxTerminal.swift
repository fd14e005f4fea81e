import Foundation

/// A real terminal for `myc chat`: a private tmux server (its own socket, so nothing of the
/// machine's tmux is touched) running one command in a pane of a fixed size. Tests type
/// keys with `send-keys` and read the screen with `capture-pane`, exactly what a person
/// sees, and where the cursor is.
final class TmuxTerminal: @unchecked Sendable {
    let dir = TempDir()
    var socket: String { dir.file("tmux.sock") }
    /// The command's stderr (logs), for failure messages.
    var stderrFile: String { dir.file("stderr.txt") }
    let width: Int
    let height: Int
    /// Whatever must live as long as the terminal (the home directory of its command).
    var keepAlive: [AnyObject] = []

    static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") }

    /// Starts `myc args…` in the pane with a clean environment plus `env`.
    init(mycArgs args: [String], env: [String: String], width: Int = 120, height: Int = 40) throws {
        self.width = width
        self.height = height
        var environment = ["PATH": "/usr/bin:/bin", "HOME": dir.path, "TERM": "xterm-256color", "LC_ALL": "C.UTF-8"]
        for (k, v) in env { environment[k] = v }
        let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quote($0.value))" }.joined(separator: " ")
        let command = "exec env -i \(assignments) \(Self.quote(Myc.binary)) \(args.map(Self.quote).joined(separator: " ")) 2>\(Self.quote(stderrFile))"
        try tmux(["-f", "/dev/null", "new-session", "-d", "-s", "chat", "-x", String(width), "-y", String(height), command])
        // Keep the pane after the command exits, so a crash stays readable.
        _ = try? tmux(["set-option", "-t", "chat", "remain-on-exit", "on"])
        panePID = Int32(try tmux(["display-message", "-p", "-t", "chat", "#{pane_pid}"])
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// The command's process (tmux execs it in the pane).
    private(set) var panePID: Int32 = 0

    /// Hangs up on the command as a closing terminal would (SIGHUP), waits for it to exit
    /// (SIGKILL after 5 s), then stops the tmux server.
    deinit {
        if panePID > 0, kill(panePID, 0) == 0 {
            kill(panePID, SIGHUP)
            let deadline = Date().addingTimeInterval(5)
            while kill(panePID, 0) == 0, Date() < deadline, !paneDead { Thread.sleep(forTimeInterval: 0.02) }
            if !paneDead, kill(panePID, 0) == 0 { kill(panePID, SIGKILL) }
        }
        _ = try? tmux(["kill-server"])
    }

    /// The command has exited (the pane stays, dead, for `remain-on-exit`).
    var paneDead: Bool {
        (try? tmux(["display-message", "-p", "-t", "chat", "#{pane_dead}"]).trimmingCharacters(in: .whitespacesAndNewlines)) == "1"
    }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// Runs one tmux command. The command that starts the server gets no pipes: the server
    /// would inherit them and hold them open for its whole life.
    @discardableResult
    func tmux(_ args: [String]) throws -> String {
        let process = Process()
        let startsServer = args.contains("new-session")
        if startsServer {
            // Foundation notices a child's exit through a socket the child inherits; the
            // tmux server would inherit it too and the client would never count as exited.
            // Python's subprocess closes every other descriptor before it execs tmux.
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            // It also clears the signal mask: test threads block most signals, and a tmux
            // server (and the command in its pane) would inherit that and never see SIGCHLD,
            // SIGHUP or SIGINT.
            process.arguments = ["python3", "-c",
                                 "import signal, subprocess, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); "
                                     + "sys.exit(subprocess.run(sys.argv[1:]).returncode)",
                                 "/usr/bin/tmux", "-u", "-S", socket] + args
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/tmux")
            process.arguments = ["-u", "-S", socket] + args
        }
        process.environment = ["PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "HOME": dir.path]
        let out = Pipe(), err = Pipe()
        if startsServer {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        } else {
            process.standardOutput = out
            process.standardError = err
        }
        try process.run()
        let data = startsServer ? Data() : out.fileHandleForReading.readDataToEndOfFile()
        let errData = startsServer ? Data() : err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TmuxError(description: "tmux \(args.joined(separator: " ")): \(String(decoding: errData, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Types `text` literally (no key names).
    func type(_ text: String) throws { try tmux(["send-keys", "-t", "chat", "-l", text]) }

    /// Presses named keys: `Enter`, `Tab`, `Left`, `C-c`, `C-d`...
    func press(_ keys: String...) throws { try tmux(["send-keys", "-t", "chat"] + keys) }

    /// The visible screen, one string per row, trailing blanks trimmed.
    func screen() throws -> [String] {
        try tmux(["capture-pane", "-p", "-t", "chat"]).split(separator: "\n", omittingEmptySubsequences: false)
            .map { String($0).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
    }

    /// The whole history of the pane (scrolled-off rows too).
    func transcript() throws -> String { try tmux(["capture-pane", "-p", "-t", "chat", "-S", "-2000"]) }

    /// The cursor (column, row), 0-based.
    func cursor() throws -> (x: Int, y: Int) {
        let parts = try tmux(["display-message", "-p", "-t", "chat", "#{cursor_x} #{cursor_y}"])
            .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ").compactMap { Int($0) }
        return (parts.first ?? -1, parts.last ?? -1)
    }

    /// The last row that is not blank, and its index.
    func lastLine() throws -> (index: Int, text: String) {
        let rows = try screen()
        let index = rows.lastIndex { !$0.isEmpty } ?? 0
        return (index, rows.isEmpty ? "" : rows[index])
    }

    var stderr: String { (try? String(contentsOfFile: stderrFile, encoding: .utf8)) ?? "" }

    /// Polls the screen until `predicate` holds; throws with the screen and stderr if not.
    @discardableResult
    func waitFor(_ what: String, timeout: TimeInterval = 15, _ predicate: ([String]) -> Bool) throws -> [String] {
        let deadline = Date().addingTimeInterval(timeout)
        var rows: [String] = []
        while Date() < deadline {
            rows = try screen()
            if predicate(rows) { return rows }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TmuxError(description: "timed out waiting for \(what); screen:\n\(rows.joined(separator: "\n"))\nstderr:\n\(stderr)")
    }

    /// Waits until some row contains `text`.
    @discardableResult
    func waitFor(text: String, timeout: TimeInterval = 15) throws -> [String] {
        try waitFor(text.debugDescription, timeout: timeout) { $0.contains { $0.contains(text) } }
    }
}

struct TmuxError: Error, CustomStringConvertible {
    let description: String
}
