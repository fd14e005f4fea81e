import Foundation
import Testing
@testable import MycKit

@Suite struct WireChunkingTests {
    /// (Read-only after load, like `Vectors.crypto`.)
    nonisolated(unsafe) static let vector = try! Vectors.load("chunking.json")
    var text: String { Self.vector["text"] as! String }
    var logicalID: String { Self.vector["logical_msg_id"] as! String }
    var parts: [[String: Any]] { Self.vector["parts"] as! [[String: Any]] }

    @Test func splittingReproducesEveryWrapper() {
        #expect(text.utf8.count == Self.vector["text_utf8_len"] as! Int)
        let units = ChunkSplitter.split(text, logicalID: logicalID)
        #expect(units.count == Self.vector["n"] as! Int)
        #expect(units.count == parts.count)
        for (unit, part) in zip(units, parts) {
            #expect(unit.msgID == part["msg_id"] as! String)
            #expect(unit.plaintext == part["wrapper_plaintext"] as! String)
            #expect(unit.plaintext.utf8.count == part["wrapper_utf8_len"] as! Int)
        }
    }

    @Test func parsingEveryWrapperReassemblesTheText() throws {
        var slices: [Int: [UInt8]] = [:]
        for part in parts.reversed() {
            guard case let .part(chunk) = ChunkSplitter.tryParseChunk(plaintext: part["wrapper_plaintext"] as! String) else {
                Issue.record("part \(part["i"]!) did not parse"); continue
            }
            #expect(chunk.id == logicalID && chunk.index == part["i"] as! Int && chunk.count == 3)
            #expect(chunk.plaintext == part["wrapper_plaintext"] as! String)
            let data = try #require(chunk.decodedData())
            #expect(data.count == part["slice_len"] as! Int)
            #expect(RoutedFrame.decodePlaintext(data) == nil)  // code points straddle the cuts
            slices[chunk.index] = data
        }
        let whole = (0..<3).flatMap { slices[$0]! }
        #expect(TestSHA256.hex(whole) == Self.vector["text_sha256"] as! String)
        #expect(RoutedFrame.decodePlaintext(whole) == text)
    }

    @Test func shortTextsTravelWhole() {
        for length in [0, 1, 23_999, 24_000] {
            let t = String(repeating: "a", count: length)
            #expect(ChunkSplitter.split(t, logicalID: "id") == [ChunkUnit(msgID: "id", plaintext: t)])
        }
        let units = ChunkSplitter.split(String(repeating: "a", count: 24_001), logicalID: "id")
        #expect(units.map(\.msgID) == ["id#0", "id#1"])
        #expect(units[1].plaintext == #"{"__myc_chunk":{"id":"id","i":1,"n":2,"data":"YQ=="}}"#)
    }

    @Test func splitCutsBytesNotCharacters() {
        let units = ChunkSplitter.split("é😀", logicalID: "q\"", limit: 4)
        #expect(units.map(\.plaintext) == [
            #"{"__myc_chunk":{"id":"q\"","i":0,"n":2,"data":"w6nwnw=="}}"#,
            #"{"__myc_chunk":{"id":"q\"","i":1,"n":2,"data":"mIA="}}"#,
        ])
    }

    @Test(arguments: [
        "hello", "", #" {"__myc_chunk":{"id":"a","i":0,"n":1,"data":""}}"#,
        #"{ "__myc_chunk":{"id":"a","i":0,"n":1,"data":""}}"#,
        #"{"__myc_chunk":{"id":"a","i":0,"n":1,"data":""}"#,
        #"{"__myc_chunk":null}"#, #"{"__myc_chunk":[]}"#, #"{"__myc_chunk":"x"}"#,
        #"{"__myc_chunkx":{"id":"a","i":0,"n":1,"data":""}}"#,
        #"{"__myc_chunk":{"id":1,"i":0,"n":1,"data":""}}"#,
        #"{"__myc_chunk":{"i":0,"n":1,"data":""}}"#,
        #"{"__myc_chunk":{"id":"a","i":"0","n":1,"data":""}}"#,
        #"{"__myc_chunk":{"id":"a","i":0.5,"n":1,"data":""}}"#,
        #"{"__myc_chunk":{"id":"a","i":0,"n":null,"data":""}}"#,
        #"{"__myc_chunk":{"id":"a","i":0,"n":1e400,"data":""}}"#,
        #"{"__myc_chunk":{"id":"a","i":0,"n":1,"data":5}}"#,
        #"{"__myc_chunk":{"id":"a","i":0,"n":1}}"#,
    ])
    func notAChunk(text: String) {
        #expect(ChunkSplitter.tryParseChunk(plaintext: text) == .notAChunk)
    }

    @Test(arguments: [
        (#"{"__myc_chunk":{"id":"a","i":0,"n":0,"data":""}}"#, ChunkRejection.countOutOfRange(n: 0, maxParts: 45)),
        (#"{"__myc_chunk":{"id":"a","i":0,"n":-1,"data":""}}"#, .countOutOfRange(n: -1, maxParts: 45)),
        (#"{"__myc_chunk":{"id":"a","i":0,"n":46,"data":""}}"#, .countOutOfRange(n: 46, maxParts: 45)),
        (#"{"__myc_chunk":{"id":"a","i":0,"n":1e300,"data":""}}"#, .countOutOfRange(n: 1e300, maxParts: 45)),
        (#"{"__myc_chunk":{"id":"a","i":-1,"n":3,"data":""}}"#, .indexOutOfRange(i: -1, n: 3)),
        (#"{"__myc_chunk":{"id":"a","i":3,"n":3,"data":""}}"#, .indexOutOfRange(i: 3, n: 3)),
        (#"{"__myc_chunk":{"id":"a","i":1e300,"n":3,"data":""}}"#, .indexOutOfRange(i: 1e300, n: 3)),
    ])
    func dropped(text: String, rejection: ChunkRejection) {
        #expect(ChunkSplitter.tryParseChunk(plaintext: text) == .dropped(rejection))
    }

    @Test func boundsFollowTheLogicalLimit() {
        #expect(PeerConstants.maxChunkParts(maxLogicalBytes: 1_048_576) == 45)
        #expect(PeerConstants.maxChunkParts(maxLogicalBytes: 48_000) == 3)
        #expect(PeerConstants.maxChunkParts(maxLogicalBytes: 48_001) == 4)
        let n45 = #"{"__myc_chunk":{"id":"a","i":44,"n":45,"data":"AA=="}}"#
        #expect(ChunkSplitter.tryParseChunk(plaintext: n45) == .part(ChunkPart(id: "a", index: 44, count: 45, data: "AA==")))
        let n4 = #"{"__myc_chunk":{"id":"a","i":0,"n":4,"data":""}}"#
        #expect(ChunkSplitter.tryParseChunk(plaintext: n4, maxLogicalBytes: 48_000) == .dropped(.countOutOfRange(n: 4, maxParts: 3)))
    }

    @Test func integralNumbersAndExtraFieldsAreAccepted() throws {
        let text = #"{"__myc_chunk":{"data":"!!","n":3.0,"i":-0,"id":"é","extra":true},"more":1}"#
        #expect(ChunkSplitter.tryParseChunk(plaintext: text) == .part(ChunkPart(id: "é", index: 0, count: 3, data: "!!")))
        // Bad base64 is the reassembly buffer's concern (step 5), not the parser's.
        #expect(ChunkPart(id: "é", index: 0, count: 3, data: "!!").decodedData() == nil)
    }
}
