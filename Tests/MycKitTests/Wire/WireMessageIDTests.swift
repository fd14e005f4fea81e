import Foundation
import Testing
@testable import MycKit

@Suite struct WireMessageIDTests {
    @Test(arguments: [
        (Int64(0), "0"), (35, "z"), (36, "10"), (1295, "zz"), (1296, "100"),
        (1_730_000_000_456, "m2r1bzk8"), (1_730_000_000_476, "m2r1bzks"), (1_730_000_001_456, "m2r1c0c0"),
        (-36, "-10"), (Int64.max, "1y2p0ij32e8e7"),
    ])
    func base36(value: Int64, text: String) {
        #expect(Base36.encode(value) == text)
        #expect(Base36.decode(text) == value)
    }

    @Test(arguments: ["", "-", "Z", "1Z", " 1", "+1", "1_0", "zzzzzzzzzzzzzzzz"])
    func base36RejectsForeignText(text: String) {
        #expect(Base36.decode(text) == nil)
    }

    @Test func idsMatchTheVectorsFormat() {
        var alice = MessageIDGenerator(peerName: "alice")
        #expect(alice.next(nowMs: 1_730_000_000_456) == Vectors.string(Vectors.crypto, "signed_session_frame.frame_as_sent.msg_id"))
        #expect(alice.next(nowMs: 1_730_000_001_456) == Vectors.string(Vectors.crypto, "signed_offline_envelope.frame_as_sent.msg_id"))
        var bob = MessageIDGenerator(peerName: "bob", counter: 3)
        #expect(bob.next(nowMs: 1_730_000_000_476) == Vectors.string(Vectors.crypto, "signed_ack_frame.frame_as_sent.msg_id"))
    }

    @Test func counterIsMonotonicAndNeverReset() {
        var gen = MessageIDGenerator(peerName: "a-b")
        var seen = Set<String>()
        for i in 0..<100 {
            // The clock may stand still or even go backwards; the counter alone keeps ids unique.
            let now: Int64 = i < 50 ? 1_000 : 999
            let id = gen.next(nowMs: now)
            #expect(id == "a-b-\(Base36.encode(now))-\(Base36.encode(i))")
            #expect(seen.insert(id).inserted)
        }
        #expect(gen.counter == 100)
    }

    @Test func chunkPartIDs() throws {
        #expect(MessageIDGenerator.chunkPart("alice-m2r1bzk8-7", index: 0) == "alice-m2r1bzk8-7#0")
        #expect(MessageIDGenerator.chunkPart("x", index: 12) == "x#12")
        let chunking = try Vectors.load("chunking.json")
        let logical = chunking["logical_msg_id"] as! String
        for part in chunking["parts"] as! [[String: Any]] {
            #expect(MessageIDGenerator.chunkPart(logical, index: part["i"] as! Int) == part["msg_id"] as! String)
        }
    }

    @Test func sessionIDsAreFreshLowercaseHex() {
        let a = SessionID.generate()
        let b = SessionID.generate()
        #expect(a != b)
        for id in [a, b] {
            #expect(id.count == 32)
            #expect(SessionID.isValid(id))
            #expect(Hex.decode(id)?.count == 16)
        }
        #expect(SessionID.isValid(Vectors.string(Vectors.crypto, "session_ids.alice")))
        #expect(SessionID.isValid(Vectors.string(Vectors.crypto, "session_ids.bob")))
    }

    @Test(arguments: ["", "F7BDD89AD7C81DC748BB1A0C90193A10", "f7bdd89ad7c81dc748bb1a0c90193a1",
                      "f7bdd89ad7c81dc748bb1a0c90193a100", "g7bdd89ad7c81dc748bb1a0c90193a10"])
    func sessionIDValidatorRejects(text: String) {
        #expect(!SessionID.isValid(text))
    }
}
