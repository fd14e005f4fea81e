import Foundation
import MycKit
import Testing

/// `--passphrase` prompts on the terminal with echo off. Driven through a real pseudo-
/// terminal (Python's `pty`), as a person at a shell would type.
@Suite struct PassphrasePromptTests {
    /// Runs `myc args` on a pty, answering each prompt in order; returns everything the
    /// terminal showed and the exit status.
    func onTerminal(_ args: [String], answers: [String], env: [String: String] = [:]) throws -> (screen: String, status: Int32) {
        // Each answer is typed only after its own prompt appeared (the prompt turns echo off
        // with TCSAFLUSH, which discards anything typed earlier); an alarm bounds the run.
        let driver = """
            import os, pty, sys, json, signal
            signal.alarm(30)
            args = json.loads(sys.argv[1]); answers = json.loads(sys.argv[2])
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(args[0], args)
            screen = b""
            seen = 0
            def read_until(marker):
                global screen
                while marker not in screen[seen:]:
                    try:
                        chunk = os.read(fd, 1024)
                    except OSError:
                        return
                    if not chunk:
                        return
                    screen += chunk
            for answer in answers:
                read_until(b": ")
                os.write(fd, answer.encode() + b"\\n")
                screen += b"<typed>"
                seen = len(screen)
            while True:
                try:
                    chunk = os.read(fd, 1024)
                except OSError:
                    break
                if not chunk:
                    break
                screen += chunk
            _, status = os.waitpid(pid, 0)
            sys.stdout.write(screen.decode(errors="replace"))
            sys.exit(os.WEXITSTATUS(status))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let argsJSON = String(decoding: try JSONSerialization.data(withJSONObject: [Myc.binary] + args), as: UTF8.self)
        let answersJSON = String(decoding: try JSONSerialization.data(withJSONObject: answers), as: UTF8.self)
        process.arguments = ["python3", "-c", driver, argsJSON, answersJSON]
        var environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        for (k, v) in env { environment[k] = v }
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: data, as: UTF8.self), process.terminationStatus)
    }

    @Test func keygenPromptsTwiceWithoutEcho() throws {
        let dir = TempDir()
        let path = dir.file("sealed.json")
        let run = try onTerminal(["keygen", "--key-file", path, "--passphrase"], answers: ["tërminal pass", "tërminal pass"])
        #expect(run.status == 0, "\(run.screen)")
        #expect(run.screen.contains("Key-file passphrase: "))
        #expect(run.screen.contains("Repeat passphrase: "))
        #expect(!run.screen.contains("tërminal pass"), "the passphrase is never echoed")
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("\"cipher\""))
        let opened = try Myc.run(["fingerprint", "--key-file", path], env: ["MYC_KEY_PASSPHRASE": "tërminal pass"])
        #expect(opened.status == 0, "\(opened.stderr)")
        let viaPrompt = try onTerminal(["fingerprint", "--key-file", path, "--passphrase"], answers: ["tërminal pass"])
        #expect(viaPrompt.screen.contains(opened.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    @Test func mismatchedRepeatWritesNothing() throws {
        let dir = TempDir()
        let path = dir.file("never.json")
        let run = try onTerminal(["keygen", "--key-file", path, "--passphrase"], answers: ["one", "two"])
        #expect(run.status != 0)
        #expect(run.screen.contains("do not match"))
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
