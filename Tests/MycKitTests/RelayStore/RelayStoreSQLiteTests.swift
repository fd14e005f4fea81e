import Foundation
import GRDB
import Testing
@testable import MycKit

/// What only the SQLite store does: schema, files, WAL, durability, other processes.
@Suite struct RelayStoreSQLiteTests {
    @Test func freshDatabaseIsMigratedToV1() throws {
        let dir = TempDir()
        let store = try SQLiteRelayStore(path: dir.file("relay.sqlite"))
        #expect(try store.appliedMigrations() == ["v1"])
        let expected: Set<String> = [
            "binding", "binding_on_room_key", "binding_on_seq",
            "legacy_key", "legacy_key_on_seq", "revoked_key", "revoked_key_on_seq",
            "queued_frame", "queued_frame_on_room_target_id", "queued_frame_on_expires_at_ms",
            "meta", "grdb_migrations",
        ]
        #expect(try store.schemaObjects() == expected)
        let memory = try SQLiteRelayStore.inMemory()
        #expect(try memory.schemaObjects() == expected)
    }

    @Test func fileDatabaseUsesWALWithFullSync() throws {
        let dir = TempDir()
        let store = try SQLiteRelayStore(path: dir.file("relay.sqlite"))
        #expect(try store.journalMode() == "wal")
        #expect(try store.synchronousSetting() == 2)
    }

    @Test func createsParentDirectories0700AndFiles0600() throws {
        let dir = TempDir()
        let path = dir.file("a/b/relay.sqlite")
        let store = try SQLiteRelayStore(path: path)
        try store.apply([.bind(room: "r", name: "a", key: "K")])
        #expect(try fileMode(dir.file("a")) == 0o700)
        #expect(try fileMode(dir.file("a/b")) == 0o700)
        #expect(try fileMode(path) == 0o600)
        #expect(try fileMode(path + "-wal") == 0o600)
        #expect(try fileMode(path + "-shm") == 0o600)
    }

    @Test func dataSurvivesCloseAndReopen() throws {
        let dir = TempDir()
        let path = dir.file("relay.sqlite")
        let first = try SQLiteRelayStore(path: path)
        try first.apply([
            .bind(room: "r", name: "b", key: "KB"), .bind(room: "r", name: "a", key: "KA"),
            .addLegacy(room: "r", key: "L"), .revoke(room: "r", key: "R"),
            .enqueue(queuedFrame(4)), .enqueue(queuedFrame(9, expiresAtMs: 1)),
        ])
        try first.close()
        #expect(throws: RelayStoreError.self) { try first.loadAllowList() }

        let second = try SQLiteRelayStore(path: path)
        #expect(try second.loadAllowList() == AllowListSnapshot(
            bindings: [binding("r", "b", "KB"), binding("r", "a", "KA")],
            legacy: [roomKey("r", "L")], revoked: [roomKey("r", "R")]))
        #expect(try second.loadQueue(nowMs: 1) == [queuedFrame(4)])
        #expect(try second.largestQueuedFrameId() == 9)
        #expect(try second.appliedMigrations() == ["v1"])
    }

    /// Stands in for a SIGKILL test: once `apply` returns, the frame is committed (another,
    /// independent connection sees it) even though this store was never closed.
    @Test func anEnqueueIsCommittedBeforeApplyReturns() throws {
        let dir = TempDir()
        let path = dir.file("relay.sqlite")
        let relay = try SQLiteRelayStore(path: path)
        try relay.apply([.enqueue(queuedFrame(1))])
        let other = try SQLiteRelayStore(path: path)
        #expect(try other.loadQueue(nowMs: 0) == [queuedFrame(1)])
        _ = relay
    }

    @Test func tokenChangesWhenAnotherInstanceWrites() throws {
        let dir = TempDir()
        let path = dir.file("relay.sqlite")
        let relay = try SQLiteRelayStore(path: path)
        let allow = try SQLiteRelayStore(path: path)  // plays `myc allow` in another process
        let before = try relay.externalChangeToken()
        try allow.apply([.revoke(room: "r", key: "K")])
        let after = try relay.externalChangeToken()
        #expect(after != before)
        #expect(try relay.loadAllowList().revoked == [roomKey("r", "K")])
        #expect(try relay.externalChangeToken() == after)
        // And the other way round: the relay's writes are outside changes for `allow`.
        let allowBefore = try allow.externalChangeToken()
        try relay.apply([.bind(room: "r", name: "n", key: "K2")])
        #expect(try allow.externalChangeToken() != allowBefore)
    }

    /// The real thing: a write by another *process* (the sqlite3 shell) changes the token.
    @Test  // sqlite3 is installed by `make deps`; a missing binary is a failure, not a skip.
    func tokenChangesWhenAnotherProcessWrites() throws {
        let dir = TempDir()
        let path = dir.file("relay.sqlite")
        let relay = try SQLiteRelayStore(path: path)
        let before = try relay.externalChangeToken()
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        shell.arguments = [path, "INSERT INTO revoked_key (room, key, seq) VALUES ('r', 'K', 1)"]
        try shell.run()
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 0)
        #expect(try relay.externalChangeToken() != before)
        #expect(try relay.loadAllowList().revoked == [roomKey("r", "K")])
    }

    @Test func tokenIgnoresOwnReadsAndWrites() throws {
        let dir = TempDir()
        let path = dir.file("relay.sqlite")
        let relay = try SQLiteRelayStore(path: path)
        let reader = try SQLiteRelayStore(path: path)
        let token = try relay.externalChangeToken()
        _ = try relay.loadAllowList()
        _ = try reader.loadAllowList()
        _ = try reader.externalChangeToken()
        try relay.apply([.bind(room: "r", name: "a", key: "K"), .enqueue(queuedFrame(1))])
        _ = try relay.loadQueue(nowMs: 0)
        #expect(try relay.externalChangeToken() == token)
    }

    /// `apply` is one transaction: when a later change fails, the earlier ones are undone.
    @Test func aFailingBatchLeavesNoTrace() throws {
        let dir = TempDir()
        let path = dir.file("relay.sqlite")
        let store = try SQLiteRelayStore(path: path)
        let saboteur = try DatabaseQueue(path: path)
        try saboteur.write { db in
            try db.execute(sql: """
                CREATE TRIGGER boom BEFORE INSERT ON revoked_key WHEN NEW.key = 'BOOM'
                BEGIN SELECT RAISE(ABORT, 'boom'); END
                """)
        }
        try saboteur.close()
        #expect(throws: RelayStoreError.self) {
            try store.apply([.bind(room: "r", name: "a", key: "K"), .enqueue(queuedFrame(1)), .revoke(room: "r", key: "BOOM")])
        }
        #expect(try store.loadAllowList() == AllowListSnapshot())
        #expect(try store.loadQueue(nowMs: 0).isEmpty)
    }

    @Test func garbageDatabaseFileIsAClearError() throws {
        let dir = TempDir()
        let path = dir.file("relay.sqlite")
        try Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: RelayStoreError.self) { try SQLiteRelayStore(path: path) }
        #expect(error?.kind == .cannotOpen)
        #expect(error?.description.hasPrefix("\(path): cannot open the relay database: ") == true)
        #expect(error?.description.contains("not a database") == true)
        #expect(error?.description.contains("restore it from a backup") == true)
    }

    @Test func directoryInPlaceOfTheDatabaseIsAClearError() throws {
        let dir = TempDir()
        let path = dir.file("relay.sqlite")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        let error = #expect(throws: RelayStoreError.self) { try SQLiteRelayStore(path: path) }
        #expect(error?.kind == .cannotOpen)
        #expect(error?.path == path)
    }

    @Test func databaseFromANewerMycIsRefused() throws {
        let dir = TempDir()
        let path = dir.file("relay.sqlite")
        try SQLiteRelayStore(path: path).close()
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('v99')") }
        try queue.close()
        let error = #expect(throws: RelayStoreError.self) { try SQLiteRelayStore(path: path) }
        #expect(error?.kind == .newerSchema)
        #expect(error?.description.contains("upgrade myc") == true)
    }

    @Test func failuresAfterOpeningNameTheFileAndTheOperation() throws {
        let dir = TempDir()
        let path = dir.file("relay.sqlite")
        let store = try SQLiteRelayStore(path: path)
        try store.close()
        let error = #expect(throws: RelayStoreError.self) { try store.apply([.revoke(room: "r", key: "K")]) }
        #expect(error?.kind == .operationFailed(operation: "save relay state"))
        #expect(error?.description.hasPrefix("\(path): cannot save relay state: ") == true)
    }

    @Test func largestQueuedFrameIdCountsExpiredFrames() throws {
        let store = try SQLiteRelayStore.inMemory()
        #expect(try store.largestQueuedFrameId() == nil)
        try store.apply([.enqueue(queuedFrame(3)), .enqueue(queuedFrame(8, expiresAtMs: 1))])
        #expect(try store.loadQueue(nowMs: 5).map(\.id) == [3])
        #expect(try store.largestQueuedFrameId() == 8)
    }
}
