import Foundation

/// Runs the real `myc` binary built by SwiftPM, the way a user or CI would.
enum Myc {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // IntegrationTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// `MYC_BIN` overrides; otherwise the debug build next to the tests.
    static let binary: String = {
        if let override = ProcessInfo.processInfo.environment["MYC_BIN"] { return override }
        return packageRoot.appendingPathComponent(".build/debug/myc").path
    }()

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs a shell command line (for `timeout` and friends) with the same clean environment.
    static func runShell(_ command: String, env: [String: String] = [:]) throws -> Result {
        try run(["-c", command], env: env, executable: "/bin/sh")
    }

    /// Runs `myc args…` to completion with a clean environment plus `env`, so no setting
    /// of the machine running the tests leaks in. `HOME` points at a throwaway directory
    /// unless given.
    static func run(_ args: [String], env: [String: String] = [:], stdin: String? = nil,
                    cwd: String? = nil, executable: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable ?? binary)
        process.arguments = args
        var environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        for (k, v) in env { environment[k] = v }
        process.environment = environment
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes fully before waiting, so a chatty child can never block on a full pipe.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// A temporary directory removed when the value is released.
final class TempDir {
    let path: String
    init() {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("myc-it-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }
}

/// SHA-512 through Python's hashlib: an implementation independent of our libsodium layer,
/// so a fingerprint bug cannot agree with itself.
func independentFingerprint(publicKeyBase64: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", """
        import base64, hashlib, sys
        h = hashlib.sha512(base64.b64decode(sys.argv[1], validate=True)).hexdigest()[:32]
        print(":".join(h[i:i+4] for i in range(0, 32, 4)))
        """, publicKeyBase64]
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}
