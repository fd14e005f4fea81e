import Foundation
import GRDB
import Testing
@testable import MycKit

/// What only the SQLite peer store does: schema, files, WAL, durability, other processes.
@Suite struct PeerStoreSQLiteTests {
    @Test func freshDatabaseIsMigratedToTheLatestVersion() throws {
        let dir = TempDir()
        let store = try SQLitePeerStore(path: dir.file("peer.state.db"))
        #expect(try store.appliedMigrations() == ["v1", "v2-durable-outbox"])
        let expected: Set<String> = [
            "pin", "pin_on_seq", "blocked_key", "blocked_key_on_seq", "sts_failed", "sts_failed_on_seq",
            "seen", "seen_on_seq", "seen_on_at_ms", "replay_window", "replay_window_on_seq",
            "inbox", "meta", "grdb_migrations", "outbox", "outbox_on_seq", "chunk_part", "chunk_part_on_seq",
        ]
        #expect(try store.schemaObjects() == expected)
        #expect(try SQLitePeerStore.inMemory().schemaObjects() == expected)
    }

    @Test func fileDatabaseUsesWALWithFullSync() throws {
        let dir = TempDir()
        let store = try SQLitePeerStore(path: dir.file("peer.state.db"))
        #expect(try store.journalMode() == "wal")
        #expect(try store.synchronousSetting() == 2)
    }

    @Test func createsParentDirectories0700AndFiles0600() throws {
        let dir = TempDir()
        let path = dir.file("a/b/peer.state.db")
        let store = try SQLitePeerStore(path: path)
        try store.apply([.setPin(pin("r", "a", "K"))])
        #expect(try fileMode(dir.file("a")) == 0o700)
        #expect(try fileMode(dir.file("a/b")) == 0o700)
        #expect(try fileMode(path) == 0o600)
        #expect(try fileMode(path + "-wal") == 0o600)
        #expect(try fileMode(path + "-shm") == 0o600)
    }

    @Test func everythingSurvivesCloseAndReopen() throws {
        let dir = TempDir()
        let path = dir.file("peer.state.db")
        let first = try SQLitePeerStore(path: path)
        let state = PeerStateSnapshot(
            pins: [pin("r", "b", "KB"), pin("r", kelvin, "KK")], blocked: [blockedKey("r", "c", "KC", reason: .stsFailed)],
            stsFailed: [roomPeer("r", "c")], seen: [seen("r", "b", "m\u{0}1", at: 9)],
            windows: [window("r", "b", "s", last: 70, mask: 1 << 63 | 1)],
            outbox: [outboxEntry("m\u{0}2", to: "b", sealed: [0, 1, 2], attempts: 3)],
            chunkParts: [chunkPart("r", kelvin, "L", index: 1, of: 2, sealed: [9, 0, 9])])
        try first.apply([.setPin(state.pins[0]), .setPin(state.pins[1]), .setBlocked(state.blocked[0]),
                         .addStsFailed(state.stsFailed[0]), .addSeen(state.seen[0]), .setWindow(state.windows[0]),
                         .putOutbox(state.outbox[0]), .putChunkPart(state.chunkParts[0])])
        for i in 1...3 { try first.appendInbox(message(Int64(i), "m\(i)"), cap: 2) }
        try first.close()
        #expect(throws: PeerStoreError.self) { try first.loadSnapshot(nowMs: 0) }

        let second = try SQLitePeerStore(path: path)
        #expect(try second.loadSnapshot(nowMs: 0) == state)
        #expect(try second.drainInbox(max: 10, peek: false) == InboxDrain(entries: [message(2, "m2"), message(3, "m3")], dropped: 1))
        #expect(try second.appliedMigrations() == ["v1", "v2-durable-outbox"])
    }

    /// Stands in for a SIGKILL test: once `apply` returns, the change is committed (another,
    /// independent connection sees it) even though this store was never closed.
    @Test func aChangeIsCommittedBeforeApplyReturns() throws {
        let dir = TempDir()
        let path = dir.file("peer.state.db")
        let peer = try SQLitePeerStore(path: path)
        try peer.apply([.addSeen(seen("r", "a", "m", at: 1))])
        #expect(try SQLitePeerStore(path: path).loadSnapshot(nowMs: 0).seen == [seen("r", "a", "m", at: 1)])
        _ = peer
    }

    /// `myc trust` in another process writes; the running peer's token moves, its own writes don't.
    @Test func tokenChangesWhenAnotherInstanceWrites() throws {
        let dir = TempDir()
        let path = dir.file("peer.state.db")
        let peer = try SQLitePeerStore(path: path)
        let trust = try SQLitePeerStore(path: path)
        let before = try peer.externalChangeToken()
        try peer.apply([.setBlocked(blockedKey("r", "bob", "K2")), .addSeen(seen("r", "bob", "m", at: 1))])
        try peer.appendInbox(message(1, "hi"), cap: 500)
        _ = try peer.drainInbox(max: 1, peek: false)
        #expect(try peer.externalChangeToken() == before)

        try trust.apply(TrustDecision.changes(trusting: blockedKey("r", "bob", "K2"), nowMs: 5))
        let after = try peer.externalChangeToken()
        #expect(after != before)
        #expect(try peer.loadSnapshot(nowMs: 0).pins == [pin("r", "bob", "K2", first: 5, last: 5)])
        #expect(try peer.loadSnapshot(nowMs: 0).blocked.isEmpty)
        #expect(try peer.externalChangeToken() == after)
        let trustBefore = try trust.externalChangeToken()
        try peer.apply([.touchPin(roomPeer("r", "bob"), lastSeenMs: 9)])
        #expect(try trust.externalChangeToken() != trustBefore)
    }

    /// The real thing: a write by another *process* (the sqlite3 shell) changes the token.
    @Test func tokenChangesWhenAnotherProcessWrites() throws {
        let dir = TempDir()
        let path = dir.file("peer.state.db")
        let peer = try SQLitePeerStore(path: path)
        let before = try peer.externalChangeToken()
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        shell.arguments = [path, "INSERT INTO sts_failed (room, name, seq) VALUES (CAST('r' AS BLOB), CAST('bob' AS BLOB), 1)"]
        try shell.run()
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 0)
        #expect(try peer.externalChangeToken() != before)
        #expect(try peer.loadSnapshot(nowMs: 0).stsFailed == [roomPeer("r", "bob")])
    }

    /// `apply` is one transaction: when a later change fails, the earlier ones are undone.
    @Test func aFailingBatchLeavesNoTrace() throws {
        let dir = TempDir()
        let path = dir.file("peer.state.db")
        let store = try SQLitePeerStore(path: path)
        let saboteur = try DatabaseQueue(path: path)
        try saboteur.write { db in
            try db.execute(sql: """
                CREATE TRIGGER boom BEFORE INSERT ON sts_failed WHEN NEW.name = CAST('BOOM' AS BLOB)
                BEGIN SELECT RAISE(ABORT, 'boom'); END
                """)
        }
        try saboteur.close()
        let error = #expect(throws: PeerStoreError.self) {
            try store.apply([.setPin(pin("r", "a", "K")), .addSeen(seen("r", "a", "m", at: 1)), .addStsFailed(roomPeer("r", "BOOM"))])
        }
        #expect(error?.kind == .operationFailed(operation: "save peer state"))
        #expect(error?.description.hasPrefix("\(path): cannot save peer state: ") == true)
        #expect(try store.loadSnapshot(nowMs: 0) == PeerStateSnapshot())
    }

    @Test func garbageDatabaseFileIsAClearError() throws {
        let dir = TempDir()
        let path = dir.file("peer.state.db")
        try Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: PeerStoreError.self) { try SQLitePeerStore(path: path) }
        #expect(error?.kind == .cannotOpen)
        #expect(error?.description.hasPrefix("\(path): cannot open the peer state database: ") == true)
        #expect(error?.description.contains("not a database") == true)
    }

    @Test func directoryInPlaceOfTheDatabaseIsAClearError() throws {
        let dir = TempDir()
        let path = dir.file("peer.state.db")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        let error = #expect(throws: PeerStoreError.self) { try SQLitePeerStore(path: path) }
        #expect(error?.kind == .cannotOpen)
        #expect(error?.path == path)
    }

    @Test func databaseFromANewerMycIsRefused() throws {
        let dir = TempDir()
        let path = dir.file("peer.state.db")
        try SQLitePeerStore(path: path).close()
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('v99')") }
        try queue.close()
        let error = #expect(throws: PeerStoreError.self) { try SQLitePeerStore(path: path) }
        #expect(error?.kind == .newerSchema)
        #expect(error?.description.contains("upgrade myc") == true)
    }

    @Test func failuresAfterClosingNameTheFileAndTheOperation() throws {
        let dir = TempDir()
        let path = dir.file("peer.state.db")
        let store = try SQLitePeerStore(path: path)
        try store.close()
        let error = #expect(throws: PeerStoreError.self) { try store.appendInbox(message(1, "x"), cap: 5) }
        #expect(error?.kind == .operationFailed(operation: "save to the inbox"))
        #expect(error?.description.hasPrefix("\(path): cannot save to the inbox: ") == true)
    }

    /// Masks are INTEGER bit patterns: bit 63 is a negative number in SQL, and reads back.
    @Test func maskIsStoredAsItsBitPattern() throws {
        let dir = TempDir()
        let path = dir.file("peer.state.db")
        let store = try SQLitePeerStore(path: path)
        try store.apply([.setWindow(window("r", "a", "s", last: 3, mask: 1 << 63))])
        let raw = try DatabaseQueue(path: path).read { db in try Int64.fetchOne(db, sql: "SELECT mask FROM replay_window") }
        #expect(raw == Int64.min)
    }

    @Test func defaultPathSitsNextToTheKeyFile() {
        #expect(SQLitePeerStore.defaultPath(forKeyFile: "/h/.mycelium-keys.json") == "/h/.mycelium-keys.state.db")
        #expect(SQLitePeerStore.defaultPath(forKeyFile: "/h/alice.json") == "/h/alice.state.db")
        #expect(SQLitePeerStore.defaultPath(forKeyFile: "/h/keys") == "/h/keys.state.db")
        #expect(SQLitePeerStore.defaultPath(forKeyFile: "/h/.json") == "/h/.json.state.db")
        #expect(SQLitePeerStore.defaultPath(forKeyFile: "/h.json/keys") == "/h.json/keys.state.db")
        #expect(SQLitePeerStore.defaultPath(forKeyFile: "~/.mycelium-keys.json") == Paths.inHome(".mycelium-keys.state.db"))
    }

    @Test func pathResolutionIsFlagThenEnvironmentThenNextToTheKeyFile() {
        let env = Configuration(environment: ["MYC_STATE_DB": "/env/state.db"])
        let none = Configuration(environment: ["MYC_STATE_DB": ""])
        #expect(SQLitePeerStore.resolvePath(stateDB: "/flag.db", keyFile: "/k/a.json", env) == "/flag.db")
        #expect(SQLitePeerStore.resolvePath(stateDB: nil, keyFile: "/k/a.json", env) == "/env/state.db")
        #expect(SQLitePeerStore.resolvePath(stateDB: nil, keyFile: "/k/a.json", none) == "/k/a.state.db")
        #expect(SQLitePeerStore.resolvePath(stateDB: "~/x.db", keyFile: "/k/a.json", none) == Paths.inHome("x.db"))
    }
}
