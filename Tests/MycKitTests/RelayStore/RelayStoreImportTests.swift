import Foundation
import Testing
@testable import MycKit

/// First-start import of the TypeScript reference's allow-list and queue files.
@Suite struct RelayStoreImportTests {
    static let v2 = """
        {
          "version": 2,
          "bindings": {
            "ops": { "zoe": "KZ", "adam": "KA" },
            "dev": { "bob": "KB", "bad": 7 }
          },
          "legacy": { "ops": ["L1", "L2", 3], "dev": "not an array" },
          "revoked": { "ops": ["R1"], "dev": ["R2", "R3"] }
        }
        """

    @Test(arguments: RelayStoreKind.allCases)
    func importsAVersion2AllowList(kind: RelayStoreKind) throws {
        let opened = try kind.make()
        let dir = TempDir()
        let path = dir.file("allow.json")
        try writeFile(Self.v2, to: path)
        let report = try ReferenceImport.importAllowList(from: path, into: opened.store, nowMs: 1000)
        #expect(report == .init(path: path, status: .imported, bindings: 3, legacy: 2, revoked: 3))
        #expect(try opened.store.loadAllowList() == AllowListSnapshot(
            bindings: [binding("ops", "zoe", "KZ"), binding("ops", "adam", "KA"), binding("dev", "bob", "KB")],
            legacy: [roomKey("ops", "L1"), roomKey("ops", "L2")],
            revoked: [roomKey("ops", "R1"), roomKey("dev", "R2"), roomKey("dev", "R3")]))
    }

    @Test(arguments: RelayStoreKind.allCases)
    func importsAVersion1AllowListAsLegacyKeys(kind: RelayStoreKind) throws {
        let opened = try kind.make()
        let dir = TempDir()
        let path = dir.file("allow.json")
        try writeFile(#"{"ops":["K1","K2",null],"note":"ignored","n":5,"dev":["K3","K1"],"empty":[]}"#, to: path)
        let report = try ReferenceImport.importAllowList(from: path, into: opened.store, nowMs: 1000)
        #expect(report.status == .imported)
        #expect(report.legacy == 4)
        #expect(try opened.store.loadAllowList() == AllowListSnapshot(
            legacy: [roomKey("ops", "K1"), roomKey("ops", "K2"), roomKey("dev", "K3"), roomKey("dev", "K1")]))
    }

    @Test(arguments: RelayStoreKind.allCases)
    func version2SectionsMayBeMissingOrNull(kind: RelayStoreKind) throws {
        let opened = try kind.make()
        let dir = TempDir()
        let path = dir.file("allow.json")
        try writeFile(#"{"version":2,"bindings":{"r":{"a":"K"}},"legacy":null}"#, to: path)
        _ = try ReferenceImport.importAllowList(from: path, into: opened.store, nowMs: 1000)
        #expect(try opened.store.loadAllowList() == AllowListSnapshot(bindings: [binding("r", "a", "K")]))
    }

    @Test(arguments: RelayStoreKind.allCases)
    func importsTheLiveEntriesOfAQueueFile(kind: RelayStoreKind) throws {
        let opened = try kind.make()
        try opened.store.apply([.enqueue(queuedFrame(41, expiresAtMs: 1))])  // expired, still stored
        let dir = TempDir()
        let path = dir.file("queue.json")
        let text = #"{"version":1,"queues":{"#
            + #""ops\u0000bob":[{"data":"{\"n\":1,\"t\":\"caf\u00e9\"}","size":999,"expiresAt":5000,"sender":"amy"},"#
            + #"{"data":"old","size":3,"expiresAt":1000,"sender":"amy"},"#
            + #"{"data":{"not":"a string"},"size":3,"expiresAt":5000,"sender":"amy"},"#
            + #"{"data":"no expiry","size":9,"sender":"amy"},"#
            + #"{"data":"string expiry","size":9,"expiresAt":"9999","sender":"amy"},"#
            + #"{"data":"{\"n\":2}","size":7,"expiresAt":1000.5}],"#
            + #""noseparator":[{"data":"x","size":1,"expiresAt":5000,"sender":"amy"}],"#
            + #""dev\u0000carol":[{"data":"{\"n\":3}","size":7,"expiresAt":6000,"sender":"zed"}],"#
            + #""dev\u0000dave":"not an array""#
            + "}}"
        try writeFile(text, to: path)
        let report = try ReferenceImport.importQueue(from: path, into: opened.store, nowMs: 1000)
        #expect(report == .init(path: path, status: .imported, frames: 3))
        let first = #"{"n":1,"t":"café"}"#
        #expect(try opened.store.loadQueue(nowMs: 1000) == [
            QueuedFrame(id: 42, room: "ops", target: "bob", sender: "amy", data: first, size: first.utf8.count, expiresAtMs: 5000),
            QueuedFrame(id: 43, room: "ops", target: "bob", sender: "", data: #"{"n":2}"#, size: 7, expiresAtMs: 1001),
            QueuedFrame(id: 44, room: "dev", target: "carol", sender: "zed", data: #"{"n":3}"#, size: 7, expiresAtMs: 6000),
        ])
        #expect(first.utf8.count == 19)
    }

    @Test(arguments: RelayStoreKind.allCases)
    func importRunsOnlyOnce(kind: RelayStoreKind) throws {
        let opened = try kind.make()
        let dir = TempDir()
        let allow = dir.file("allow.json")
        let queue = dir.file("queue.json")
        try writeFile(Self.v2, to: allow)
        try writeFile(#"{"version":1,"queues":{"r\u0000b":[{"data":"x","size":1,"expiresAt":9000,"sender":"s"}]}}"#, to: queue)
        let first = try ReferenceImport.run(allowFile: allow, queueFile: queue, into: opened.store, nowMs: 1000)
        #expect(first.map(\.status) == [.imported, .imported])
        try opened.store.apply([.unbind(room: "ops", name: "zoe"), .dequeue(ids: [1])])
        let snapshot = try opened.store.loadAllowList()

        let second = try ReferenceImport.run(allowFile: allow, queueFile: queue, into: opened.store, nowMs: 1000)
        #expect(second.map(\.status) == [.alreadyImported, .alreadyImported])
        #expect(try opened.store.loadAllowList() == snapshot)
        #expect(try opened.store.loadQueue(nowMs: 0).isEmpty)

        // Once imported, the files are not even read: a later corruption cannot block a start.
        try writeFile("{garbage", to: allow)
        try writeFile("{garbage", to: queue)
        let third = try ReferenceImport.run(allowFile: allow, queueFile: queue, into: opened.store, nowMs: 1000)
        #expect(third.map(\.status) == [.alreadyImported, .alreadyImported])
    }

    @Test func importMarkersSurviveReopening() throws {
        let dir = TempDir()
        let db = dir.file("relay.sqlite")
        let allow = dir.file("allow.json")
        try writeFile(Self.v2, to: allow)
        let first = try SQLiteRelayStore(path: db)
        #expect(try ReferenceImport.importAllowList(from: allow, into: first, nowMs: 1).status == .imported)
        try first.apply([.unbind(room: "ops", name: "zoe")])
        try first.close()
        let second = try SQLiteRelayStore(path: db)
        #expect(try ReferenceImport.importAllowList(from: allow, into: second, nowMs: 2).status == .alreadyImported)
        #expect(try second.loadAllowList().bindings.map(\.name) == ["adam", "bob"])
    }

    @Test func anotherSpellingOfTheSamePathIsTheSameImport() throws {
        let dir = TempDir()
        let allow = dir.file("allow.json")
        try writeFile(Self.v2, to: allow)
        let store = InMemoryRelayStore()
        #expect(try ReferenceImport.importAllowList(from: allow, into: store, nowMs: 1).status == .imported)
        let other = dir.path + "/./allow.json"
        #expect(try ReferenceImport.importAllowList(from: other, into: store, nowMs: 1).status == .alreadyImported)
    }

    @Test(arguments: RelayStoreKind.allCases)
    func corruptAllowListFailsClosedAndLeavesTheStoreUntouched(kind: RelayStoreKind) throws {
        let opened = try kind.make()
        try opened.store.apply([.bind(room: "r", name: "a", key: "K")])
        let before = try opened.store.loadAllowList()
        let dir = TempDir()
        let path = dir.file("allow.json")
        try writeFile(#"{"version":2,"bindings":{"r":{"b":"K2"}}"#, to: path)  // truncated
        let error = #expect(throws: RelayStoreError.self) {
            try ReferenceImport.importAllowList(from: path, into: opened.store, nowMs: 1)
        }
        #expect(error?.kind == .cannotImportAllowList)
        #expect(error?.description.hasPrefix("\(path): cannot import allow-list: ") == true)
        #expect(error?.description.hasSuffix("; fix or move the file") == true)
        #expect(try opened.store.loadAllowList() == before)
        // Nothing was recorded: once the file is fixed, it imports.
        try writeFile(#"{"version":2,"bindings":{"r":{"b":"K2"}}}"#, to: path)
        #expect(try ReferenceImport.importAllowList(from: path, into: opened.store, nowMs: 1).status == .imported)
        #expect(try opened.store.loadAllowList().bindings == [binding("r", "a", "K"), binding("r", "b", "K2")])
    }

    @Test(arguments: [
        "", "   ", "[]", "null", "\"text\"",
        #"{"version":2,"bindings":[]}"#, #"{"version":2,"revoked":"R"}"#, #"{"version":2,"legacy":5}"#,
    ])
    func malformedAllowListsAreErrors(text: String) throws {
        let dir = TempDir()
        let path = dir.file("allow.json")
        try writeFile(text, to: path)
        let store = InMemoryRelayStore()
        let error = #expect(throws: RelayStoreError.self) {
            try ReferenceImport.importAllowList(from: path, into: store, nowMs: 1)
        }
        #expect(error?.kind == .cannotImportAllowList)
        #expect(store.loadAllowList() == AllowListSnapshot())
        #expect(!store.hasImported(marker: "import.allow-list:" + path))
    }

    @Test(arguments: RelayStoreKind.allCases)
    func corruptQueueFileFailsClosed(kind: RelayStoreKind) throws {
        let opened = try kind.make()
        let dir = TempDir()
        let path = dir.file("queue.json")
        for text in [#"{"version":1,"queues":{"r\u0000b":["#, #"{"version":1,"queues":[]}"#] {
            try writeFile(text, to: path)
            let error = #expect(throws: RelayStoreError.self) {
                try ReferenceImport.importQueue(from: path, into: opened.store, nowMs: 1)
            }
            #expect(error?.kind == .cannotImportQueue)
            #expect(error?.description.hasPrefix("\(path): cannot import queue: ") == true)
            #expect(error?.description.hasSuffix("; fix or move the file") == true)
        }
        #expect(try opened.store.loadQueue(nowMs: 0).isEmpty)
    }

    @Test func unreadableAllowListFailsClosed() throws {
        let dir = TempDir()
        let path = dir.file("allow.json")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)  // read() → EISDIR
        let error = #expect(throws: RelayStoreError.self) {
            try ReferenceImport.importAllowList(from: path, into: InMemoryRelayStore(), nowMs: 1)
        }
        #expect(error?.kind == .cannotImportAllowList)
        #expect(error?.description.contains("directory") == true)
    }

    @Test(arguments: RelayStoreKind.allCases)
    func missingFilesImportNothingUntilTheyAppear(kind: RelayStoreKind) throws {
        let opened = try kind.make()
        let dir = TempDir()
        let allow = dir.file("allow.json")
        let queue = dir.file("queue.json")
        let reports = try ReferenceImport.run(allowFile: allow, queueFile: queue, into: opened.store, nowMs: 1)
        #expect(reports == [.init(path: allow, status: .noFile), .init(path: queue, status: .noFile)])
        #expect(try opened.store.loadAllowList() == AllowListSnapshot())
        try writeFile(#"{"r":["K"]}"#, to: allow)
        #expect(try ReferenceImport.run(allowFile: allow, queueFile: nil, into: opened.store, nowMs: 1).map(\.status) == [.imported])
    }

    @Test func referenceFilesAreNeverModified() throws {
        let dir = TempDir()
        let allow = dir.file("allow.json")
        let queue = dir.file("queue.json")
        let v1 = #"{"r":["K"]}"#  // the reference itself would rewrite this as v2
        let queueText = #"{"version":1,"queues":{"r\u0000b":[{"data":"x","size":1,"expiresAt":1,"sender":"s"}]}}"#
        try writeFile(v1, to: allow)
        try writeFile(queueText, to: queue)
        let before = try FileManager.default.attributesOfItem(atPath: allow)[.modificationDate] as? Date
        _ = try ReferenceImport.run(allowFile: allow, queueFile: queue, into: SQLiteRelayStore(path: dir.file("db/relay.sqlite")), nowMs: 1000)
        #expect(try String(contentsOfFile: allow, encoding: .utf8) == v1)
        #expect(try String(contentsOfFile: queue, encoding: .utf8) == queueText)
        #expect(try FileManager.default.attributesOfItem(atPath: allow)[.modificationDate] as? Date == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["allow.json", "db", "queue.json"])
    }
}
