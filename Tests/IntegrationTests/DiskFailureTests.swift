import Foundation
import MycKit
import Testing

/// Disk-full and read-only state directories (issue #8, item 2): a clear error, never
/// corruption. The state lives on a tmpfs of its own (`TinyFilesystem`), so ENOSPC and EROFS
/// are real kernel errors, even for root.
@Suite(.serialized, .enabled(if: TinyFilesystem.available, "needs root to mount a tmpfs"))
struct DiskFailureTests {
    @Test func relayOnAReadOnlyStateDirectoryExitsWithAClearError() throws {
        let fs = try TinyFilesystem(sizeKiB: 1024)
        try fs.remount(readOnly: true)
        let result = try Myc.run(["relay", "--host", "127.0.0.1", "--port", "0", "--db", fs.file("relay.db"),
                                  "--key-file", fs.file("relay-keys.json")], env: ["RELAY_TOKEN": "t"])
        #expect(result.status == 1, "exit status 1, not a crash: \(result.status)")
        #expect(result.stderr.hasPrefix("Error: \(fs.file("relay-keys.json"))"), "\(result.stderr)")
        #expect(result.stderr.contains("Read-only file system"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count <= 2, "one clear line, no backtrace: \(result.stderr)")
    }

    @Test func peerOnAReadOnlyStateDirectoryExitsWithAClearErrorAndLosesNothing() throws {
        let relay = try RelayProcess()
        let fs = try TinyFilesystem(sizeKiB: 2048)
        let bobHome = TempDir()
        let env = ["MYC_KEY_FILE": fs.file("bob.json")]
        let alice = try MCPPeer("alice", relay: relay.url)
        var bob = try MCPPeer("bob", relay: relay.url, home: bobHome, env: env)
        try alice.waitForVerifiedSession(with: "bob")
        _ = try alice.call("myc_send", ["target": "bob", "text": "kept across the read-only episode"])
        _ = try bob.waitForMessage(from: "alice", content: "kept across the read-only episode")
        bob.stop()

        try fs.remount(readOnly: true)
        let refused = try MCPTestClient(args: ["mcp"], env: ["MYC_PEER": "bob", "MYC_RELAY": relay.url, "MYC_ROOM": "default",
                                                            "MYC_KEY_FILE": fs.file("bob.json"), "HOME": bobHome.path])
        let status = refused.closeAndWait(timeout: 15)
        #expect(status == 1, "exit status 1: \(String(describing: status))")
        #expect(refused.stderr.contains("Error: \(fs.file("bob.state.db")): cannot open the peer state database"), "\(refused.stderr)")
        #expect(refused.protocolViolations.isEmpty, "stdout stays clean for the MCP host")

        // Back to read-write: the database is intact and the message is still in the inbox.
        try fs.remount(readOnly: false)
        #expect(try sqliteIntegrity(fs.file("bob.state.db")) == "ok")
        bob = try MCPPeer("bob", relay: relay.url, home: bobHome, env: env)
        let inbox = try bob.call("myc_recv")
        #expect(inbox.contains("kept across the read-only episode"), "\(inbox)")
        alice.stop()
        bob.stop()
    }

    @Test func relayDatabaseFullReportsTheErrorAndStaysIntact() throws {
        let fs = try TinyFilesystem(sizeKiB: 2048)
        let home = TempDir()
        let port = freePort()
        var relay = try RelayProcess(home: home, args: ["--db", fs.file("relay.db")], port: port)
        let bobHome = TempDir()
        let alice = try MCPPeer("alice", relay: relay.url)
        var bob = try MCPPeer("bob", relay: relay.url, home: bobHome)
        try alice.waitForVerifiedSession(with: "bob")
        bob.stop()

        // The relay's disk fills up; alice sends offline envelopes to bob, which must be queued.
        try fs.fill()
        for i in 0..<5 { _ = try alice.call("myc_send", ["target": "bob", "text": .string("while full \(i)")]) }
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline, !relay.logLines.contains(where: { $0.contains("store write failed") }) {
            Thread.sleep(forTimeInterval: 0.1)
        }
        let failure = relay.logLines.first { $0.contains("store write failed") }
        #expect(failure?.contains("\"level\":\"critical\"") == true, "\(relay.logLines.suffix(5))")
        #expect(failure?.contains("database or disk is full") == true, "the cause is named: \(failure ?? "none")")
        #expect(relay.process.isRunning, "the relay keeps serving")

        // Space comes back; the relay restarts on the same database: intact, bindings kept.
        try fs.free()
        relay.terminate()
        #expect(try sqliteIntegrity(fs.file("relay.db")) == "ok")
        #expect(try sqliteQuery(fs.file("relay.db"), "SELECT count(*) FROM binding WHERE name IN ('alice','bob')") == "2")
        relay = try RelayProcess(home: home, args: ["--db", fs.file("relay.db")], port: port)
        // Delivery is still end to end: alice's durable outbox resends what the relay lost.
        bob = try MCPPeer("bob", relay: relay.url, home: bobHome)
        for i in 0..<5 { _ = try bob.waitForMessage(from: "alice", content: "while full \(i)", timeout: 30) }
        Thread.sleep(forTimeInterval: 0.5)
        for i in 0..<5 {
            #expect(bob.messages(from: "alice").filter { $0["content"]?.stringValue == "while full \(i)" }.count == 1)
        }
        alice.stop()
        bob.stop()
        relay.terminate()
    }

    @Test func peerDatabaseFullReportsTheErrorAndStaysIntact() throws {
        let relay = try RelayProcess()
        let fs = try TinyFilesystem(sizeKiB: 2048)
        let bobHome = TempDir()
        let env = ["MYC_KEY_FILE": fs.file("bob.json")]
        let alice = try MCPPeer("alice", relay: relay.url)
        var bob = try MCPPeer("bob", relay: relay.url, home: bobHome, env: env)
        try alice.waitForVerifiedSession(with: "bob")
        _ = try alice.call("myc_send", ["target": "bob", "text": "before the disk filled"])
        _ = try bob.waitForMessage(from: "alice", content: "before the disk filled")

        // bob's disk fills up while alice sends: bob must stop before acknowledging anything
        // it could not store (exit 74, EX_IOERR, with the reason), never ack and forget.
        try fs.fill()
        let big = String(repeating: "x", count: 4000)
        for i in 0..<5 { _ = try alice.call("myc_send", ["target": "bob", "text": .string("while full \(i) " + big)]) }
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline, bob.client.process.isRunning { Thread.sleep(forTimeInterval: 0.1) }
        #expect(!bob.client.process.isRunning, "bob stops when it cannot store")
        #expect(bob.client.process.terminationReason == .exit && bob.client.process.terminationStatus == 74,
                "exit 74 (EX_IOERR), not a crash: \(bob.client.process.terminationStatus)")
        #expect(bob.client.stderr.contains("cannot write the peer state database"), "\(bob.client.stderr.suffix(2000))")
        #expect(bob.client.stderr.contains("database or disk is full"), "the cause is named")
        #expect(bob.client.protocolViolations.isEmpty, "stdout stays clean for the MCP host")
        let shownWhileFull = bob.messages(from: "alice").filter { $0["content"]?.stringValue?.hasPrefix("while full") == true }.count

        // Space comes back: the database is intact, nothing stored before is lost, and what
        // arrived while full is retransmitted by alice and delivered exactly once.
        try fs.free()
        #expect(try sqliteIntegrity(fs.file("bob.state.db")) == "ok")
        bob = try MCPPeer("bob", relay: relay.url, home: bobHome, env: env)
        for i in 0..<5 { _ = try bob.waitForMessage(from: "alice", content: "while full \(i) " + big, timeout: 30) }
        let inbox = try bob.call("myc_recv", ["max": 500])
        #expect(inbox.contains("before the disk filled"), "what was stored before stays: \(inbox.prefix(500))")
        for i in 0..<5 {
            let copies = inbox.components(separatedBy: "while full \(i) ").count - 1
            #expect(copies == 1, "message \(i) stored once after the restart (\(shownWhileFull) shown before bob stopped)")
        }
        alice.stop()
        bob.stop()
    }
}
