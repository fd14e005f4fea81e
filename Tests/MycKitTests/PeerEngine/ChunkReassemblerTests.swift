import Testing
@testable import MycKit

/// Receive-side reassembly guards (§5.13): order, duplicates, size budget, buffers per
/// sender, count mismatch, bad data.
@Suite("Chunk reassembly")
struct ChunkReassemblerTests {
    static let alice = RoomPeer(room: "default", name: "alice")

    /// A reassembler behind a reference, so `#expect` can call through it.
    final class Box {
        var r: ChunkReassembler
        init(_ max: Int) { r = ChunkReassembler(maxLogicalBytes: max) }
        func add(_ part: ChunkPart, from peer: RoomPeer = ChunkReassemblerTests.alice, nowMs: Int64 = 0) -> ChunkReassembler.Outcome {
            r.add(part, from: peer, nowMs: nowMs)
        }
    }

    static func parts(_ text: String, id: String, size: Int) -> [ChunkPart] {
        let bytes = Array(text.utf8)
        let slices = stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min($0 + size, bytes.count)]) }
        return slices.enumerated().map { ChunkPart(id: id, index: $0.offset, count: slices.count, data: Base64.encode($0.element)) }
    }

    @Test func outOfOrderPartsReassembleOnceWithMultiByteCuts() {
        let b = Box(1 << 20)
        let text = String(repeating: "ünï🙂", count: 50)
        let parts = Self.parts(text, id: "m1", size: 7)  // cuts inside code points
        var outcomes: [ChunkReassembler.Outcome] = []
        for part in parts.reversed() { outcomes.append(b.add(part, from: Self.alice, nowMs: 0)) }
        #expect(outcomes.first == .stored(opened: true))
        #expect(outcomes.last == .complete(text))
        #expect(outcomes.dropFirst().dropLast().allSatisfy { $0 == .stored(opened: false) })
        #expect(b.r.buffers.isEmpty)
    }

    @Test func duplicatePartChangesNothing() {
        let b = Box(1 << 20)
        let parts = Self.parts("abcdefgh", id: "m1", size: 3)
        #expect(b.add(parts[0], from: Self.alice, nowMs: 0) == .stored(opened: true))
        #expect(b.add(parts[0], from: Self.alice, nowMs: 1) == .repeated)
        #expect(b.add(parts[1], from: Self.alice, nowMs: 2) == .stored(opened: false))
        #expect(b.add(parts[2], from: Self.alice, nowMs: 3) == .complete("abcdefgh"))
    }

    @Test func oversizeMessageIsDroppedAndItsBufferDiscarded() {
        let b = Box(10)
        let parts = Self.parts("0123456789ABCDEF", id: "big", size: 6)
        #expect(b.add(parts[0], from: Self.alice, nowMs: 0) == .stored(opened: true))
        #expect(b.add(parts[1], from: Self.alice, nowMs: 0) == .dropped("reassembled message too large", discarded: true))
        #expect(b.r.buffers.isEmpty)
    }

    @Test func atMostEightOpenBuffersPerSender() {
        let b = Box(1 << 20)
        for i in 0..<PeerConstants.chunkBuffersPerSender {
            #expect(b.add(Self.parts("abcdef", id: "m\(i)", size: 3)[0], from: Self.alice, nowMs: 0) == .stored(opened: true))
        }
        let ninth = Self.parts("abcdef", id: "m9", size: 3)[0]
        #expect(b.add(ninth, from: Self.alice, nowMs: 0) == .dropped("too many open chunk buffers", discarded: false))
        // Another sender (or the same name in another room) has its own allowance.
        #expect(b.add(ninth, from: RoomPeer(room: "default", name: "bob"), nowMs: 0) == .stored(opened: true))
        #expect(b.add(ninth, from: RoomPeer(room: "ops", name: "alice"), nowMs: 0) == .stored(opened: true))
        // Finishing one frees a slot.
        #expect(b.add(Self.parts("abcdef", id: "m0", size: 3)[1], from: Self.alice, nowMs: 0) == .complete("abcdef"))
        #expect(b.add(ninth, from: Self.alice, nowMs: 0) == .stored(opened: true))
    }

    @Test func countMismatchAndBadDataAreRefused() {
        let b = Box(1 << 20)
        #expect(b.add(ChunkPart(id: "m", index: 0, count: 3, data: Base64.encode(Array("ab".utf8))), from: Self.alice, nowMs: 0)
            == .stored(opened: true))
        #expect(b.add(ChunkPart(id: "m", index: 1, count: 4, data: Base64.encode(Array("cd".utf8))), from: Self.alice, nowMs: 0)
            == .dropped("chunk count mismatch", discarded: false))
        #expect(b.add(ChunkPart(id: "m", index: 1, count: 3, data: "not base64!"), from: Self.alice, nowMs: 0)
            == .dropped("chunk data is not base64", discarded: false))
    }

    @Test func expiredBufferIsGoneOnce() {
        let b = Box(1 << 20)
        _ = b.add(Self.parts("abcdef", id: "slow", size: 3)[0], from: Self.alice, nowMs: 0)
        let id = ChunkBufferID(peer: Self.alice, logicalID: "slow")
        let first = b.r.expire(id)
        let second = b.r.expire(id)
        #expect(first && !second)
        #expect(b.r.buffers.isEmpty)
    }
}
