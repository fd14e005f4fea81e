import Foundation
import MycKit
import Testing

/// Disk-full and read-only state directories (issue #8, item 2): a clear error, never
/// corruption. The state lives on a tmpfs of its own (`TinyFilesystem`), so ENOSPC and EROFS
/// are real kernel errors, even for root.
@Suite(.serialized, .enabled(if: TinyFilesystem.available, "needs root to mount a tmpfs"))
struct DiskFailureTests {
    /// A relay, alice, and bob whose key file, and so state database, live on a 2 MiB tmpfs;
    /// `delivered` already went from alice to bob, so bob's database holds real state.
    private func bobOnTinyFilesystem(delivered: String) throws
        -> (relay: RelayProcess, fs: TinyFilesystem, bobHome: TempDir, env: [String: String], alice: MCPPeer, bob: MCPPeer)
    {
        let relay = try RelayProcess()
        let fs = try TinyFilesystem(sizeKiB: 2048)
        let bobHome = TempDir()
        let env = ["MYC_KEY_FILE": fs.file("bob.json")]
        let alice = try MCPPeer("alice", relay: relay.url)
        let bob = try MCPPeer("bob", relay: relay.url, home: bobHome, env: env)
        try alice.waitForVerifiedSession(with: "bob")
        _ = try alice.call("myc_send", ["target": "bob", "text": .string(delivered)])
        _ = try bob.waitForMessage(from: "alice", content: delivered)
        return (relay, fs, bobHome, env, alice, bob)
    }

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
        let (relay, fs, bobHome, env, alice, firstBob) = try bobOnTinyFilesystem(delivered: "kept across the read-only episode")
        var bob = firstBob
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

        // The relay's disk fills up; alice sends offline envelopes to bob. The first one cannot
        // be queued: the relay must stop before confirming it (no `queued` for a frame that is
        // not on disk), exit 74 (EX_IOERR) for systemd's Restart=on-failure, and say why.
        try fs.fill()
        for i in 0..<5 { _ = try alice.call("myc_send", ["target": "bob", "text": .string("while full \(i)")]) }
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline, relay.process.isRunning { Thread.sleep(forTimeInterval: 0.1) }
        #expect(!relay.process.isRunning, "the relay stops when it cannot store")
        if relay.process.isRunning { relay.terminate() }  // already a failure; end it so the checks below report, not hang
        #expect(relay.process.terminationReason == .exit && relay.process.terminationStatus == 74,
                "exit 74 (EX_IOERR), not a crash: \(relay.process.terminationStatus)")
        let stderr = relay.stderrAfterExit()
        let reason = stderr.split(separator: "\n").filter { $0.hasPrefix("myc: ") }
        #expect(reason.count == 1, "one line on stderr: \(stderr)")
        #expect(reason.first?.contains("cannot write the relay database") == true, "\(stderr)")
        #expect(reason.first?.contains(fs.file("relay.db")) == true, "names the file: \(stderr)")
        #expect(reason.first?.contains("database or disk is full") == true, "the cause is named: \(stderr)")
        #expect(reason.first?.contains("Free disk space") == true, "says what to do: \(stderr)")
        let failure = relay.logLines.first { $0.contains("store write failed") }
        #expect(failure?.contains("\"level\":\"critical\"") == true, "\(relay.logLines.suffix(5))")
        #expect(failure?.contains("database or disk is full") == true, "the cause is named: \(failure ?? "none")")
        #expect(!relay.logLines.contains { $0.contains("while full") }, "frame contents never reach the log")

        // Space comes back: the database is intact, bindings kept; the relay restarts on it.
        try fs.free()
        #expect(try sqliteIntegrity(fs.file("relay.db")) == "ok")
        #expect(try sqliteQuery(fs.file("relay.db"), "SELECT count(*) FROM binding WHERE name IN ('alice','bob')") == "2")
        relay = try RelayProcess(home: home, args: ["--db", fs.file("relay.db")], port: port)
        // Delivery is still end to end: alice's durable outbox resends what was never confirmed.
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

    /// A relay restarted on a database it can read but not write (a crash left the WAL
    /// companions, so SQLite opens it read-only instead of failing) must refuse to start,
    /// not accept peers and fail at the first write. Without the companions too.
    @Test func relayOnAReadOnlyDatabaseRefusesToStart() throws {
        let fs = try TinyFilesystem(sizeKiB: 2048)
        let home = TempDir()
        let args = ["--db", fs.file("relay.db"), "--key-file", fs.file("relay-keys.json")]
        let relay = try RelayProcess(home: home, args: args)
        relay.kill9()
        #expect(FileManager.default.fileExists(atPath: fs.file("relay.db-wal")), "the crash left the WAL behind")

        func startOnReadOnly() throws -> Myc.Result {
            try fs.remount(readOnly: true)
            defer { try? fs.remount(readOnly: false) }
            // `timeout`: a relay that does start would otherwise run forever.
            return try Myc.run(["20", Myc.binary, "relay", "--host", "127.0.0.1", "--port", "0"] + args,
                               env: ["RELAY_TOKEN": "t", "HOME": home.path], executable: "/usr/bin/timeout")
        }
        for companions in ["left by the crash", "checkpointed away"] {
            if companions == "checkpointed away" {
                _ = try sqliteQuery(fs.file("relay.db"), "PRAGMA wal_checkpoint(TRUNCATE)")
                #expect(!FileManager.default.fileExists(atPath: fs.file("relay.db-wal")), "closing removed the WAL")
            }
            let result = try startOnReadOnly()
            #expect(result.status == 1, "refused with exit status 1 (\(companions)), not started: \(result.status)")
            #expect(result.stderr.hasPrefix("Error: \(fs.file("relay.db")): cannot open the relay database for writing: "
                                            + "Read-only file system"), "\(companions): \(result.stderr)")
            #expect(result.stderr.contains("remount its file system read-write"), "says what to do: \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count <= 2, "one clear line, no backtrace: \(result.stderr)")
            #expect(!result.stdout.contains("relay listening"), "\(result.stdout)")
        }

        // Writable again: the same files start a relay.
        let again = try RelayProcess(home: home, args: args)
        #expect(again.fingerprint == relay.fingerprint)
        again.terminate()
    }

    /// Both stores refuse a database that SQLite could open only read-only.
    @Test func storesRefuseADatabaseOnAReadOnlyFileSystem() throws {
        let fs = try TinyFilesystem(sizeKiB: 2048)
        try SQLiteRelayStore(path: fs.file("relay.db")).close()
        try SQLitePeerStore(path: fs.file("peer.db")).close()
        // What a crash leaves: the WAL companions, which let SQLite open the file read-only.
        for name in ["relay.db", "peer.db"] {
            let leave = try Myc.runShell("python3 -c \"import os, sqlite3; c = sqlite3.connect('\(fs.file(name))'); "
                                         + "c.execute('SELECT count(*) FROM sqlite_master').fetchall(); os._exit(0)\"")
            #expect(leave.status == 0, "\(leave.stderr)")
            #expect(FileManager.default.fileExists(atPath: fs.file(name + "-wal")))
        }
        try fs.remount(readOnly: true)
        let relayError = #expect(throws: RelayStoreError.self) { try SQLiteRelayStore(path: fs.file("relay.db")) }
        #expect(relayError?.kind == .readOnly)
        #expect(relayError?.description.hasPrefix("\(fs.file("relay.db")): cannot open the relay database for writing: "
                                                  + "Read-only file system") == true, "\(String(describing: relayError))")
        let peerError = #expect(throws: PeerStoreError.self) { try SQLitePeerStore(path: fs.file("peer.db")) }
        #expect(peerError?.kind == .readOnly)
        #expect(peerError?.description.hasPrefix("\(fs.file("peer.db")): cannot open the peer state database for writing: "
                                                 + "Read-only file system") == true, "\(String(describing: peerError))")
        try fs.remount(readOnly: false)
        #expect(throws: Never.self) { try SQLitePeerStore(path: fs.file("peer.db")).close() }
    }

    @Test func peerDatabaseFullReportsTheErrorAndStaysIntact() throws {
        let (relay, fs, bobHome, env, alice, firstBob) = try bobOnTinyFilesystem(delivered: "before the disk filled")
        var bob = firstBob

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
