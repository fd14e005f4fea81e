import Foundation
import Testing
@testable import MycKit

/// Runs every case of Tests/Vectors/canonical.json through OUR parser and canonicalizer.
///
/// The vector file itself is read with Foundation, so a parser bug cannot corrupt the
/// expectations and the inputs in the same way.
struct CanonicalVectorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let inputWire: String
        let expected: String
        let expectedUTF8Length: Int
        let expectedSHA256: String
        let exotic: Bool
        var testDescription: String { name }
    }

    static let cases: [Case] = (WireVectorFile.load("canonical.json")["cases"] as! [[String: Any]]).map { c in
        Case(
            name: c["name"] as! String,
            inputWire: c["input_wire"] as! String,
            expected: c["expected"] as! String,
            expectedUTF8Length: (c["expected_utf8_len"] as! NSNumber).intValue,
            expectedSHA256: c["expected_utf8_sha256"] as! String,
            exotic: (c["exotic"] as? Bool) ?? false
        )
    }

    static let lenientCases = cases.filter { $0.name != "exotic_lone_surrogate" }

    @Test func vectorFileHasTheExpectedCases() {
        #expect(Self.cases.count == 15)
        #expect(Self.cases.contains { $0.name == "exotic_lone_surrogate" })
        #expect(Self.cases.filter(\.exotic).count == 2)
    }

    @Test func keyOrderMatchesTheVectorFile() {
        let order = WireVectorFile.load("canonical.json")["key_order"] as! [String]
        let ours = CanonicalSigningString.fields.map { $0.conditional ? $0.key + "?" : $0.key }
        #expect(ours == order)
    }

    /// Every case except the lone surrogate must reproduce `expected` byte for byte,
    /// including the exotic nested-values case (we serialize it rather than reject it).
    @Test(arguments: lenientCases)
    func canonicalBytesMatch(_ vector: Case) throws {
        let frame = try JSONParser.parseObject(vector.inputWire)
        let bytes = CanonicalSigningString.bytes(of: frame)
        #expect(bytes == Array(vector.expected.utf8))
        #expect(bytes.count == vector.expectedUTF8Length)
        #expect(TestSHA256.hex(bytes) == vector.expectedSHA256)
        #expect(CanonicalSigningString.string(of: frame) == vector.expected)
    }

    /// Non-exotic vectors only carry integers in range, so the validating entry point
    /// must agree with the plain one on all of them.
    @Test(arguments: lenientCases.filter { !$0.exotic })
    func validatedBytesAcceptConformingVectors(_ vector: Case) throws {
        let frame = try JSONParser.parseObject(vector.inputWire)
        #expect(try CanonicalSigningString.validatedBytes(of: frame) == Array(vector.expected.utf8))
    }

    /// §2.3 lets implementations reject lone surrogates; ours does so at parse time,
    /// so such a frame can never reach signature verification.
    @Test func loneSurrogateVectorIsRejected() throws {
        let vector = try #require(Self.cases.first { $0.name == "exotic_lone_surrogate" })
        #expect(vector.exotic)
        #expect(throws: JSONParseError.self) { try JSONParser.parseObject(vector.inputWire) }
        do {
            _ = try JSONParser.parseObject(vector.inputWire)
        } catch {
            #expect(error.reason == .loneSurrogate(0xD800))
        }
    }

    /// The signed frames in crypto.json: what the sender signed must equal what the
    /// receiver recomputes after the relay adds `from`. (Read with our parser, since
    /// Foundation would not keep `true` apart from `1`.)
    @Test(arguments: ["signed_session_frame", "signed_ack_frame", "signed_offline_envelope"])
    func cryptoVectorFramesCanonicalizeToTheirSignedString(_ name: String) throws {
        let crypto = try JSONParser.parseObject(WireVectorFile.data("crypto.json"))
        let entry = try #require(crypto[name]?.objectValue)
        let canonical = try #require(entry["canonical"]?.stringValue)
        var frame = try #require(entry["frame_as_sent"]?.objectValue)
        #expect(CanonicalSigningString.string(of: frame) == canonical)
        frame["from"] = frame["sender"]
        #expect(CanonicalSigningString.string(of: frame) == canonical)
        #expect(try CanonicalSigningString.validatedBytes(of: frame) == Array(canonical.utf8))
    }

    // MARK: validatedBytes

    @Test(arguments: [
        (#"{"seq":1.5}"#, "seq"),
        (#"{"seq":-1}"#, "seq"),
        (#"{"ts":9007199254740992}"#, "ts"),
        (#"{"ts":1e400}"#, "ts"),
        (#"{"proto":2.000001}"#, "proto"),
        (#"{"proto":-2}"#, "proto"),
    ])
    func validatedBytesRejectNonIntegers(_ wire: String, _ key: String) throws {
        let frame = try JSONParser.parseObject(wire)
        #expect(throws: CanonicalSigningString.InvalidFieldError.self) {
            try CanonicalSigningString.validatedBytes(of: frame)
        }
        do {
            _ = try CanonicalSigningString.validatedBytes(of: frame)
        } catch {
            #expect(error.key == key)
        }
        // The unvalidated form still exists; it is what JS would have produced.
        #expect(!CanonicalSigningString.bytes(of: frame).isEmpty)
    }

    @Test(arguments: [
        #"{"seq":0,"ts":9007199254740991,"proto":2}"#,
        #"{"seq":-0,"ts":1.0,"proto":2e0}"#,
        #"{"seq":null,"ts":null,"proto":null}"#,
        #"{}"#,
        #"{"seq":"7","ts":true,"proto":[1.5]}"#,
    ])
    func validatedBytesAcceptIntegersNullAndAbsent(_ wire: String) throws {
        let frame = try JSONParser.parseObject(wire)
        #expect(try CanonicalSigningString.validatedBytes(of: frame) == CanonicalSigningString.bytes(of: frame))
    }

    @Test func negativeZeroSeqPrintsAsZero() throws {
        let frame = try JSONParser.parseObject(#"{"seq":-0}"#)
        #expect(CanonicalSigningString.string(of: frame).contains(#""seq":0,"#))
    }
}

/// Locates Tests/Vectors from this file's path and reads a vector file with Foundation.
enum WireVectorFile {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // MycKitTests
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("Vectors")

    static func data(_ name: String) -> Data {
        try! Data(contentsOf: directory.appendingPathComponent(name))
    }

    /// Reads a vector file with Foundation. canonical.json's `input` field for the lone
    /// surrogate case holds a real `\ud800` escape, which Foundation (like our parser)
    /// refuses, so such escapes are swapped for `\ufffd` first. Only `JSON.parse`
    /// outputs (`input`) are affected; `input_wire` and `expected` spell the surrogate
    /// with an escaped backslash and come through untouched.
    static func load(_ name: String) -> [String: Any] {
        let bytes = replacingLoneSurrogateEscapes(Array(data(name)))
        return try! JSONSerialization.jsonObject(with: Data(bytes)) as! [String: Any]
    }

    static func replacingLoneSurrogateEscapes(_ text: [UInt8]) -> [UInt8] {
        func unit(at i: Int) -> UInt16? {
            guard i + 6 <= text.count, text[i] == UInt8(ascii: "\\"), text[i + 1] == UInt8(ascii: "u") else { return nil }
            return UInt16(String(decoding: text[i + 2..<i + 6], as: UTF8.self), radix: 16)
        }
        var out = text
        var i = 0
        while i < text.count {
            guard text[i] == UInt8(ascii: "\\") else {
                i += 1
                continue
            }
            // Consuming escapes pairwise keeps `\\ud800` (an escaped backslash) intact.
            guard let u = unit(at: i) else {
                i += 2
                continue
            }
            if (0xD800...0xDBFF).contains(u), let low = unit(at: i + 6), (0xDC00...0xDFFF).contains(low) {
                i += 12
                continue
            }
            if (0xD800...0xDFFF).contains(u) { out.replaceSubrange(i + 2..<i + 6, with: Array("fffd".utf8)) }
            i += 6
        }
        return out
    }
}

/// A minimal FIPS 180-4 SHA-256, so the vectors' digests can be checked without
/// depending on the crypto layer under test elsewhere.
enum TestSHA256 {
    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    static func hex(_ message: [UInt8]) -> String {
        digest(message).map { byte in
            let s = String(byte, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }

    static func digest(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [
            0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
        ]
        var data = message
        data.append(0x80)
        while data.count % 64 != 56 { data.append(0) }
        let bitLength = UInt64(message.count) * 8
        for shift in stride(from: 56, through: 0, by: -8) { data.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }

        func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { x >> n | x << (32 - n) }
        var w = [UInt32](repeating: 0, count: 64)
        for chunk in stride(from: 0, to: data.count, by: 64) {
            for i in 0..<16 {
                let j = chunk + i * 4
                w[i] = UInt32(data[j]) << 24 | UInt32(data[j + 1]) << 16 | UInt32(data[j + 2]) << 8 | UInt32(data[j + 3])
            }
            for i in 16..<64 {
                let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
            for i in 0..<64 {
                let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                let ch = (e & f) ^ (~e & g)
                let t1 = hh &+ s1 &+ ch &+ k[i] &+ w[i]
                let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                let maj = (a & b) ^ (a & c) ^ (b & c)
                let t2 = s0 &+ maj
                (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
            }
            for (i, v) in [a, b, c, d, e, f, g, hh].enumerated() { h[i] = h[i] &+ v }
        }
        return h.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * UInt32($0))) } }
    }
}
