#if canImport(Glibc)
import Glibc
#endif
import MycKit

/// The relay under test, run as a child process (`myc relay`) on 127.0.0.1 with a free
/// port, a throwaway HOME/database/key, and limits raised so that only the relay's own
/// work bounds the figures: rate limit 10⁷ frames/min (the relay's maximum), 10⁵ connections per IP and per room.
struct RelayChild: Sendable {
    static let token = "bench-token"

    let pid: pid_t
    let port: Int
    let binary: String
    let directory: String

    /// The relay under test: the one at `url` when given (no child), else a `myc relay`
    /// started here from `myc` (see `locateBinary`), announced on stderr with `label`.
    static func target(url: String?, myc: String?, label: String) async throws -> (address: RelayAddress, child: RelayChild?) {
        if let url { return (try RelayAddress.parse(url), nil) }
        let binary = try locateBinary(explicit: myc)
        Console.err("\(label)starting relay: \(binary)")
        let child = try await start(binary: binary)
        return (RelayAddress(host: "127.0.0.1", port: child.port, path: "/"), child)
    }

    /// `--myc PATH`, else the `myc` next to this executable (same build configuration),
    /// else `.build/release/myc`, else `.build/debug/myc`.
    static func locateBinary(explicit: String?) throws -> String {
        if let explicit {
            guard access(explicit, X_OK) == 0 else { throw BenchError("--myc \(explicit): not an executable file") }
            return explicit
        }
        var candidates: [String] = []
        if let exe = selfExecutable(), let slash = exe.lastIndex(of: "/") {
            candidates.append(String(exe[..<slash]) + "/myc")
        }
        candidates += [".build/release/myc", ".build/debug/myc"]
        for path in candidates where access(path, X_OK) == 0 { return path }
        throw BenchError("no myc binary found (tried \(candidates.joined(separator: ", "))); run `swift build` or pass --myc PATH")
    }

    /// Spawns the relay and waits (≤ 30 s) for its `relay listening` log line.
    /// `directory` reuses the state of a relay stopped with `stop(keepDirectory: true)` (a
    /// restart); `environment` adds or overrides `NAME=value` entries (later ones win).
    static func start(binary: String, directory existing: String? = nil, environment extra: [String] = []) async throws -> RelayChild {
        let directory = try existing ?? makeTempDirectory()
        let log = directory + "/relay.log"
        let args = [binary, "relay", "--host", "127.0.0.1", "--port", "0",
                    "--db", directory + "/relay.db", "--key-file", directory + "/k.json"]
        // A clean environment: nothing from the caller's RELAY_*/MYC_* leaks into the run.
        var env = ["HOME=" + directory, "RELAY_TOKEN=" + token, "RELAY_RATE_LIMIT=10000000",
                   "RELAY_MAX_IP_CONNS=100000", "RELAY_MAX_PEERS=100000"]
        if let path = getenv("PATH") { env.append("PATH=" + String(cString: path)) }
        for entry in extra {
            let name = entry.prefix { $0 != "=" }
            env.removeAll { $0.prefix { $0 != "=" } == name }
            env.append(entry)
        }
        let pid = try spawn(args, env: env, output: log)
        let deadline = MonotonicClock.nowNs() + MonotonicClock.seconds(30)
        while MonotonicClock.nowNs() < deadline {
            if let port = listeningPort(in: log) {
                return RelayChild(pid: pid, port: port, binary: binary, directory: directory)
            }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                let tail = (try? AtomicFile.read(log)).flatMap { $0 }.map { String(decoding: $0.suffix(2000), as: UTF8.self) } ?? ""
                removeDirectory(directory)
                throw BenchError("relay exited during startup (status \(status)):\n\(tail)")
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        RelayChild(pid: pid, port: 0, binary: binary, directory: directory).stop()
        throw BenchError("relay did not log `relay listening` within 30 s (log: \(log))")
    }

    /// SIGTERM (graceful shutdown, ≤ 5 s by the protocol), then SIGKILL; removes the temp dir.
    func stop(keepDirectory: Bool = false) {
        kill(pid, SIGTERM)
        let deadline = MonotonicClock.nowNs() + MonotonicClock.seconds(7)
        var status: Int32 = 0
        var reaped = false
        while MonotonicClock.nowNs() < deadline {
            if waitpid(pid, &status, WNOHANG) == pid { reaped = true; break }
            usleep(20_000)
        }
        if !reaped {
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
        }
        if !keepDirectory { Self.removeDirectory(directory) }
    }

    // MARK: - Helpers

    /// The port from `{"msg":"relay listening",...,"port":"NNNN"}`.
    private static func listeningPort(in log: String) -> Int? {
        guard let bytes = (try? AtomicFile.read(log)).flatMap({ $0 }) else { return nil }
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            guard let object = try? JSONParser.parseObject(line),
                  object["msg"]?.stringValue == "relay listening" else { continue }
            if let text = object["port"]?.stringValue, let port = Int(text), port > 0 { return port }
            if let number = object["port"]?.numberValue, number > 0 { return Int(number) }
        }
        return nil
    }

    private static func spawn(_ args: [String], env: [String], output: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = args.map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid = pid_t()
        let rc = posix_spawn(&pid, args[0], &actions, nil, argv, envp)
        guard rc == 0 else { throw BenchError("cannot start \(args[0]): \(String(cString: strerror(rc)))") }
        return pid
    }

    static func makeTempDirectory() throws -> String {
        var template = Array("/tmp/myc-bench-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) != nil }
        guard made else { throw BenchError("mkdtemp failed: \(String(cString: strerror(errno)))") }
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Removes the flat temp directory the relay wrote (database, WAL, key, log).
    static func removeDirectory(_ path: String) {
        guard let dir = opendir(path) else { return }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(dir)
        for name in names { unlink(path + "/" + name) }
        rmdir(path)
    }

    private static func selfExecutable() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
