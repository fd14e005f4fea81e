import Foundation
import Testing
@testable import MycKit

/// First-start import of the TypeScript reference peer's TOFU and replay files.
@Suite struct PeerStoreImportTests {
    static let v2 = """
        {
          "version": 2,
          "rooms": {
            "ops": {
              "zoe": {"sign_pubkey": "KZ", "first_seen": "2026-07-18T10:20:30.123Z", "last_seen": "2026-07-19T00:00:00.000Z"},
              "adam": {"sign_pubkey": "KA", "first_seen": "1970-01-01T00:00:01.000Z", "last_seen": "1970-01-01T00:00:02.500Z"}
            },
            "dev": {
              "zoe": {"sign_pubkey": "KZ2", "first_seen": "not a date"}
            }
          }
        }
        """

    @Test(arguments: PeerStoreKind.allCases)
    func importsAVersion2TOFUFile(kind: PeerStoreKind) throws {
        let opened = try kind.make()
        let dir = TempDir()
        let path = dir.file("known-peers.json")
        try writeFile(Self.v2, to: path)
        let report = try PeerReferenceImport.importPins(from: path, rooms: ["ignored"], into: opened.store, nowMs: 777)
        #expect(report == .init(path: path, status: .imported, pins: 3))
        #expect(try opened.store.loadSnapshot(nowMs: 0).pins == [
            pin("ops", "zoe", "KZ", first: 1_784_370_030_123, last: 1_784_419_200_000),
            pin("ops", "adam", "KA", first: 1000, last: 2500),
            pin("dev", "zoe", "KZ2", first: 777, last: 777),
        ])
    }

    @Test(arguments: PeerStoreKind.allCases)
    func aVersion1TOFUFileIsCopiedIntoEveryRoom(kind: PeerStoreKind) throws {
        let opened = try kind.make()
        let dir = TempDir()
        let path = dir.file("known-peers.json")
        try writeFile(#"{"version":1,"bob":{"sign_pubkey":"KB","first_seen":"2020-01-01T00:00:00.000Z","last_seen":"2020-01-02T00:00:00Z"},"amy":{"sign_pubkey":"KA"}}"#, to: path)
        let report = try PeerReferenceImport.importPins(from: path, rooms: ["a", "b", "a"], into: opened.store, nowMs: 5)
        #expect(report.pins == 4)
        let day: Int64 = 86_400_000
        #expect(try opened.store.loadSnapshot(nowMs: 0).pins == [
            pin("a", "bob", "KB", first: 18262 * day, last: 18263 * day), pin("b", "bob", "KB", first: 18262 * day, last: 18263 * day),
            pin("a", "amy", "KA", first: 5, last: 5), pin("b", "amy", "KA", first: 5, last: 5),
        ])
    }

    @Test func aVersion1FileWithNoRoomsGoesToTheDefaultRoom() throws {
        let store = InMemoryPeerStore()
        let dir = TempDir()
        let path = dir.file("known-peers.json")
        try writeFile(#"{"bob":{"sign_pubkey":"KB"}}"#, to: path)
        _ = try PeerReferenceImport.importPins(from: path, rooms: [], into: store, nowMs: 5)
        #expect(store.loadSnapshot(nowMs: 0).pins == [pin("default", "bob", "KB", first: 5, last: 5)])
    }

    /// The database is at least as new as the file: its pins are kept.
    @Test(arguments: PeerStoreKind.allCases)
    func existingPinsWinOverTheFile(kind: PeerStoreKind) throws {
        let opened = try kind.make()
        try opened.store.apply([.setPin(pin("ops", "adam", "K-NEW"))])
        let dir = TempDir()
        let path = dir.file("known-peers.json")
        try writeFile(Self.v2, to: path)
        let report = try PeerReferenceImport.importPins(from: path, rooms: [], into: opened.store, nowMs: 1)
        #expect(report.pins == 2)
        #expect(report.skipped == 1)
        #expect(try opened.store.loadSnapshot(nowMs: 0).pins.map(\.key) == ["K-NEW", "KZ", "KZ2"])
    }

    static let replay = #"""
        {"seen":{"ops\u0000bob\u0000m1":1000,"ops\u0000amy\u0000m\u00002":2000.9,"dev\u0000bob\u0000m1":"x","bare-key":5,"one\u0000nul":6},
         "seqs":{"ops\u0000bob":{"s1":{"last":70,"mask":"8000000000000001"},"s2":{"last":3,"mask":""},"s3":{"last":-1}},
                 "carol":{"s4":12,"s5":{"last":9,"mask":"FF"}}}}
        """#

    @Test(arguments: PeerStoreKind.allCases)
    func importsAReplayFileWithItsMigrations(kind: PeerStoreKind) throws {
        let opened = try kind.make()
        let dir = TempDir()
        let path = dir.file("replay.json")
        try writeFile(Self.replay, to: path)
        let report = try PeerReferenceImport.importReplayState(from: path, rooms: ["first", "second"], into: opened.store, nowMs: 4242)
        #expect(report == .init(path: path, status: .imported, seen: 3, windows: 5, skipped: 2))
        let snapshot = try opened.store.loadSnapshot(nowMs: 0)
        #expect(snapshot.seen == [
            seen("ops", "bob", "m1", at: 1000), seen("ops", "amy", "m\u{0}2", at: 2000), seen("dev", "bob", "m1", at: 4242),
        ])
        #expect(snapshot.windows == [
            window("ops", "bob", "s1", last: 70, mask: 1 << 63 | 1),
            window("ops", "bob", "s2", last: 3, mask: 0),
            window("ops", "bob", "s3", last: -1, mask: 0),
            window("first", "carol", "s4", last: 12, mask: UInt64.max),  // bare name → ROOMS[0]; bare number → all ones
            window("first", "carol", "s5", last: 9, mask: 0xFF),
        ])
    }

    @Test(arguments: PeerStoreKind.allCases)
    func importsTheReplayWALAtNow(kind: PeerStoreKind) throws {
        let opened = try kind.make()
        try opened.store.apply([.addSeen(seen("ops", "bob", "m1", at: 10)), .addSeen(seen("ops", "bob", "m0", at: 11))])
        let dir = TempDir()
        let path = dir.file("replay.json.wal")
        try writeFile("\n  ops\u{0}bob\u{0}m1\nops\u{0}bob\u{0}m2\n\nfragment\nops\u{0}amy\u{0}m 3  \n\n", to: path)
        let report = try PeerReferenceImport.importReplayWAL(from: path, into: opened.store, nowMs: 9000)
        #expect(report == .init(path: path, status: .imported, seen: 3, skipped: 1))
        // The whole file is trimmed, not each line; a key already held is refreshed in place.
        #expect(try opened.store.loadSnapshot(nowMs: 0).seen == [
            seen("ops", "bob", "m1", at: 9000), seen("ops", "bob", "m0", at: 11),
            seen("ops", "bob", "m2", at: 9000), seen("ops", "amy", "m 3", at: 9000),
        ])
    }

    @Test(arguments: PeerStoreKind.allCases)
    func runImportsAllThreeFilesOnceEach(kind: PeerStoreKind) throws {
        let opened = try kind.make()
        let dir = TempDir()
        let pins = dir.file("known-peers.json"), replay = dir.file("replay.json")
        try writeFile(Self.v2, to: pins)
        try writeFile(Self.replay, to: replay)
        try writeFile("r\u{0}a\u{0}w1\n", to: replay + ".wal")
        let originals = try [pins, replay, replay + ".wal"].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        let modified = try [pins, replay, replay + ".wal"].map { try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date }

        let reports = try PeerReferenceImport.run(pinsFile: pins, replayFile: replay, rooms: ["r"], into: opened.store, nowMs: 1)
        #expect(reports.map(\.status) == [.imported, .imported, .imported])
        #expect(reports.map(\.path) == [pins, replay, replay + ".wal"])
        let state = try opened.store.loadSnapshot(nowMs: 0)
        #expect(state.pins.count == 3)
        #expect(state.seen.count == 4)
        #expect(state.windows.count == 5)
        // The reference's files were only read.
        #expect(try [pins, replay, replay + ".wal"].map { try Data(contentsOf: URL(fileURLWithPath: $0)) } == originals)
        #expect(try [pins, replay, replay + ".wal"].map { try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date } == modified)

        // Once per file: a later start does not read them, even when they changed or broke.
        try writeFile("garbage", to: pins)
        try writeFile("garbage", to: replay)
        try writeFile("r\u{0}a\u{0}w2\n", to: replay + ".wal")
        let again = try PeerReferenceImport.run(pinsFile: pins, replayFile: replay, rooms: ["r"], into: opened.store, nowMs: 2)
        #expect(again.map(\.status) == [.alreadyImported, .alreadyImported, .alreadyImported])
        #expect(try opened.store.loadSnapshot(nowMs: 0) == state)
    }

    @Test func anotherSpellingOfTheSamePathSharesTheMarker() throws {
        let store = InMemoryPeerStore()
        let dir = TempDir()
        try FileManager.default.createDirectory(atPath: dir.file("sub"), withIntermediateDirectories: false)
        let path = dir.file("sub/known-peers.json")
        try writeFile(Self.v2, to: path)
        try FileManager.default.createSymbolicLink(atPath: dir.file("link.json"), withDestinationPath: path)
        #expect(try PeerReferenceImport.importPins(from: path, rooms: [], into: store, nowMs: 1).status == .imported)
        #expect(try PeerReferenceImport.importPins(from: dir.file("sub/../link.json"), rooms: [], into: store, nowMs: 1).status == .alreadyImported)
    }

    @Test(arguments: PeerStoreKind.allCases)
    func missingFilesImportNothingAndArePickedUpLater(kind: PeerStoreKind) throws {
        let opened = try kind.make()
        let dir = TempDir()
        let pins = dir.file("known-peers.json"), replay = dir.file("replay.json")
        let reports = try PeerReferenceImport.run(pinsFile: pins, replayFile: replay, rooms: [], into: opened.store, nowMs: 1)
        #expect(reports == [.init(path: pins, status: .noFile), .init(path: replay, status: .noFile), .init(path: replay + ".wal", status: .noFile)])
        try writeFile(#"{"bob":{"sign_pubkey":"KB"}}"#, to: pins)
        #expect(try PeerReferenceImport.importPins(from: pins, rooms: [], into: opened.store, nowMs: 1).status == .imported)
    }

    static let corruptPins: [(text: String, reason: String)] = [
        ("not json {", "not a JSON object"),
        ("[1,2]", "not a JSON object"),
        (#"{"version":2,"rooms":[]}"#, #""rooms" is not an object"#),
        (#"{"version":2,"rooms":{"ops":"bob"}}"#, #"rooms["ops"] is not an object"#),
        (#"{"version":2,"rooms":{"ops":{"bob":{"first_seen":"2020-01-01T00:00:00Z"}}}}"#, #"rooms["ops"]["bob"].sign_pubkey is missing"#),
        (#"{"bob":"KB"}"#, #"["bob"] is not an object"#),
        (#"{"bob":{"sign_pubkey":7}}"#, #"["bob"].sign_pubkey is missing or not a string"#),
    ]

    /// Fail closed: a present but broken file is an error naming it, and nothing is written.
    @Test(arguments: PeerStoreKind.allCases, corruptPins)
    func aCorruptTOFUFileFailsClosed(kind: PeerStoreKind, file: (text: String, reason: String)) throws {
        let opened = try kind.make()
        let dir = TempDir()
        let path = dir.file("known-peers.json")
        try writeFile(file.text, to: path)
        let error = #expect(throws: PeerStoreError.self) {
            try PeerReferenceImport.importPins(from: path, rooms: ["r"], into: opened.store, nowMs: 1)
        }
        #expect(error?.kind == .cannotImportPins)
        #expect(error?.path == path)
        #expect(error?.description.hasPrefix("\(path): cannot import pinned peer keys") == true)
        #expect(error?.reason.contains(file.reason) == true, "\(error?.reason ?? "")")
        #expect(try opened.store.loadSnapshot(nowMs: 0) == PeerStateSnapshot())
        // Not marked: once fixed, it imports.
        try writeFile(#"{"bob":{"sign_pubkey":"KB"}}"#, to: path)
        #expect(try PeerReferenceImport.importPins(from: path, rooms: ["r"], into: opened.store, nowMs: 1).status == .imported)
    }

    static let corruptReplay: [(text: String, reason: String)] = [
        ("", "not a JSON object"),
        (#"{"seen":[]}"#, #""seen" is not an object"#),
        (#"{"seqs":"x"}"#, #""seqs" is not an object"#),
        (#"{"seqs":{"r\u0000a":5}}"#, "is not an object"),
        (#"{"seqs":{"r\u0000a":{"s":"7"}}}"#, "neither a number nor an object"),
        (#"{"seqs":{"r\u0000a":{"s":1.5}}}"#, "is not an integer"),
        (#"{"seqs":{"r\u0000a":{"s":{"mask":"1"}}}}"#, ".last is missing or not an integer"),
        (#"{"seqs":{"r\u0000a":{"s":{"last":1,"mask":"xyz"}}}}"#, ".mask is not hexadecimal"),
        (#"{"seqs":{"r\u0000a":{"s":{"last":1,"mask":3}}}}"#, ".mask is not a string"),
    ]

    @Test(arguments: PeerStoreKind.allCases, corruptReplay)
    func aCorruptReplayFileFailsClosed(kind: PeerStoreKind, file: (text: String, reason: String)) throws {
        let opened = try kind.make()
        let dir = TempDir()
        let path = dir.file("replay.json")
        try writeFile(file.text, to: path)
        let error = #expect(throws: PeerStoreError.self) {
            try PeerReferenceImport.importReplayState(from: path, rooms: ["r"], into: opened.store, nowMs: 1)
        }
        #expect(error?.kind == .cannotImportReplayState)
        #expect(error?.description.hasPrefix("\(path): cannot import replay state: ") == true)
        #expect(error?.reason.contains(file.reason) == true, "\(error?.reason ?? "")")
        #expect(try opened.store.loadSnapshot(nowMs: 0) == PeerStateSnapshot())
        try writeFile("{}", to: path)
        #expect(try PeerReferenceImport.importReplayState(from: path, rooms: ["r"], into: opened.store, nowMs: 1).status == .imported)
    }

    @Test(arguments: PeerStoreKind.allCases)
    func anUnreadableFileFailsClosed(kind: PeerStoreKind) throws {
        let opened = try kind.make()
        let dir = TempDir()
        let path = dir.file("known-peers.json")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        let error = #expect(throws: PeerStoreError.self) {
            try PeerReferenceImport.importPins(from: path, rooms: [], into: opened.store, nowMs: 1)
        }
        #expect(error?.path == path)
        #expect(error?.reason.contains("Is a directory") == true, "\(error?.reason ?? "")")
        let wal = dir.file("replay.json.wal")
        try FileManager.default.createDirectory(atPath: wal, withIntermediateDirectories: false)
        let walError = #expect(throws: PeerStoreError.self) {
            try PeerReferenceImport.importReplayWAL(from: wal, into: opened.store, nowMs: 1)
        }
        #expect(walError?.kind == .cannotImportReplayState)
        #expect(walError?.path == wal)
    }

    @Test func maskParsingKeepsTheLow64Bits() {
        #expect(ReferenceFileParser.parseMask("") == 0)
        #expect(ReferenceFileParser.parseMask("0") == 0)
        #expect(ReferenceFileParser.parseMask("ffffffffffffffff") == UInt64.max)
        #expect(ReferenceFileParser.parseMask("1ffffffffffffffff") == UInt64.max)
        #expect(ReferenceFileParser.parseMask("8000000000000000") == 1 << 63)
        #expect(ReferenceFileParser.parseMask("0x1") == nil)
        #expect(ReferenceFileParser.parseMask("-1") == nil)
    }

    @Test func referencePathsFollowTheEnvironment() {
        let env = Configuration(environment: ["MYC_TOFU_FILE": "/t/pins.json", "MYC_REPLAY_FILE": "~/r.json"])
        #expect(PeerReferenceImport.pinsFilePath(env) == "/t/pins.json")
        #expect(PeerReferenceImport.replayFilePath(env) == Paths.inHome("r.json"))
        let none = Configuration(environment: [:])
        #expect(PeerReferenceImport.pinsFilePath(none) == Paths.inHome(".mycelium-known-peers.json"))
        #expect(PeerReferenceImport.replayFilePath(none) == Paths.inHome(".mycelium-replay-state.json"))
    }
}
