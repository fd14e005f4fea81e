import Testing
@testable import MycKit

/// Randomized checks of the wire layer against a deliberately naive reference model.
///
/// (The production code was also cross-checked against Node's `JSON.stringify` during
/// development; that check is not kept here because the test suite must not depend on
/// an external runtime.)
struct CanonicalPropertyTests {
    static let iterations = 3000

    /// (a) serialize → parse → serialize is a fixed point, and parsing gives back the
    /// very frame that was serialized (values, presence and order).
    @Test func serializeParseRoundTripIsAFixedPoint() throws {
        var rng = SplitMix64(seed: 0x6d79_6365_6c69_756d)
        for _ in 0..<Self.iterations {
            let frame = RandomFrames.frame(&rng)
            let wire = JSONSerializer.bytes(of: .object(frame))
            let parsed = try JSONParser.parseObject(wire)
            #expect(parsed == frame)
            #expect(JSONSerializer.bytes(of: .object(parsed)) == wire)
            #expect(JSONSerializer.string(of: .object(frame)) == NaiveJSON.object(frame))
        }
    }

    /// (b) canonical bytes equal the naive model's, whether the frame arrives in compact
    /// JS form or with every character `\u`-escaped (escapes must not matter, §2.4).
    @Test func canonicalBytesMatchTheNaiveModel() throws {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<Self.iterations {
            let frame = RandomFrames.frame(&rng)
            let expected = Array(NaiveJSON.canonical(frame).utf8)
            #expect(CanonicalSigningString.bytes(of: frame) == expected)

            let compactWire = JSONSerializer.bytes(of: .object(frame))
            #expect(CanonicalSigningString.bytes(of: try JSONParser.parseObject(compactWire)) == expected)

            let escapedWire = NaiveJSON.fullyEscapedObject(frame)
            let reparsed = try JSONParser.parseObject(escapedWire)
            #expect(reparsed == frame)
            #expect(CanonicalSigningString.bytes(of: reparsed) == expected)
        }
    }

    @Test func splitMix64IsDeterministic() {
        var a = SplitMix64(seed: 1)
        var b = SplitMix64(seed: 1)
        #expect((0..<8).map { _ in a.next() } == (0..<8).map { _ in b.next() })
        var c = SplitMix64(seed: 0)
        #expect(c.next() == 0xe220_a839_7b1d_cdaf)  // published first output for seed 0
    }
}

/// Sebastiano Vigna's SplitMix64: tiny, seedable, and good enough for test data.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

enum RandomFrames {
    static let canonicalKeys = [
        "e2e", "encrypted", "msg_id", "nonce", "offline", "payload", "proto", "request_id",
        "room", "sender", "seq", "session_id", "target", "ts", "type",
    ]
    /// Keys outside the signature, including ones a relay adds. None is index-like,
    /// so JS key order equals insertion order and round trips compare exactly.
    static let extraKeys = ["from", "sig", "no_queue", "ttl_s", "zzz", "x-1", "", "é", "🍄"]

    static let specials: [Unicode.Scalar] = ["\"", "\\", "/", "\u{7F}", "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{0}"]

    static func scalar(_ rng: inout SplitMix64) -> Unicode.Scalar {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: return Unicode.Scalar(UInt8.random(in: 0..<0x20, using: &rng))
        case 1: return specials.randomElement(using: &rng)!
        case 2: return Unicode.Scalar(UInt32.random(in: 0x80..<0x800, using: &rng))!
        case 3:
            let v = UInt32.random(in: 0x800..<0xF800, using: &rng)
            return Unicode.Scalar(v < 0xD800 ? v : v + 0x800)!  // skip the surrogate block
        case 4: return Unicode.Scalar(UInt32.random(in: 0x1F300..<0x1FAFF, using: &rng))!  // emoji planes
        case 5: return Unicode.Scalar(UInt32.random(in: 0x10000...0x10FFFF, using: &rng))!
        default: return Unicode.Scalar(UInt8.random(in: 0x20..<0x7F, using: &rng))
        }
    }

    static func string(_ rng: inout SplitMix64) -> String {
        var s = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...14, using: &rng) { s.append(scalar(&rng)) }
        return String(s)
    }

    static func integer(_ rng: inout SplitMix64) -> Double {
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: return 0
        case 1: return Double(Int.random(in: 1...100, using: &rng))
        case 2: return Double(Int64.random(in: 1_700_000_000_000...1_800_000_000_000, using: &rng))
        case 3: return Double(Int64.random(in: 0..<9_007_199_254_740_992, using: &rng))
        default: return -Double(Int64.random(in: 1...1_000_000, using: &rng))
        }
    }

    static func value(_ rng: inout SplitMix64) -> JSONValue {
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .number(integer(&rng))
        default: return .string(string(&rng))
        }
    }

    /// A frame whose canonical keys are each absent, explicitly null, or random, plus
    /// a few extras, in a shuffled order.
    static func frame(_ rng: inout SplitMix64) -> JSONObject {
        var members: [(String, JSONValue)] = []
        for key in canonicalKeys {
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: continue  // absent
            case 1: members.append((key, .null))
            default: members.append((key, value(&rng)))
            }
        }
        for key in extraKeys where Int.random(in: 0..<3, using: &rng) == 0 {
            members.append((key, value(&rng)))
        }
        members.shuffle(using: &rng)
        var frame = JSONObject()
        for (key, value) in members { frame[key] = value }
        return frame
    }
}

/// The reference model: the §2.1 table and §2.3 escaping rules transcribed as directly
/// as possible, scalar by scalar, with no shared code from the serializer. It only needs
/// the value shapes `RandomFrames` produces (no nesting, integral numbers).
enum NaiveJSON {
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar.value {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x08: out += "\\b"
            case 0x09: out += "\\t"
            case 0x0A: out += "\\n"
            case 0x0C: out += "\\f"
            case 0x0D: out += "\\r"
            case 0x00..<0x10: out += "\\u000" + String(scalar.value, radix: 16)
            case 0x10..<0x20: out += "\\u00" + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func value(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n):
            precondition(n == n.rounded() && abs(n) < 9_007_199_254_740_992, "naive model only knows integers")
            return String(Int64(n))
        case .string(let s): return quote(s)
        case .array, .object: preconditionFailure("naive model has no nesting")
        }
    }

    static func object(_ o: JSONObject) -> String {
        "{" + o.map { quote($0.key) + ":" + value($0.value) }.joined(separator: ",") + "}"
    }

    static func canonical(_ frame: JSONObject) -> String {
        let conditional: Set<String> = ["offline", "proto", "room", "ts"]
        var parts: [String] = []
        for key in RandomFrames.canonicalKeys {
            if conditional.contains(key) {
                if let v = frame[key] { parts.append(quote(key) + ":" + value(v)) }
            } else {
                parts.append(quote(key) + ":" + value(frame[key] ?? .null))
            }
        }
        return "{" + parts.joined(separator: ",") + "}"
    }

    /// Wire text with every string character written as `\uXXXX` (surrogate pairs for
    /// astral ones, mixed-case hex) and whitespace around every token.
    static func fullyEscapedObject(_ o: JSONObject) -> String {
        func escaped(_ s: String) -> String {
            var out = "\""
            for (i, unit) in s.utf16.enumerated() {
                let hex = String(unit, radix: 16)
                let padded = String(repeating: "0", count: 4 - hex.count) + hex
                out += "\\u" + (i % 2 == 0 ? padded : padded.uppercased())
            }
            return out + "\""
        }
        let members = o.map { member -> String in
            let v: String
            if case .string(let s) = member.value { v = escaped(s) } else { v = value(member.value) }
            return " \n" + escaped(member.key) + "\t: " + v + "\r\n"
        }
        return " {" + members.joined(separator: ",") + "} "
    }
}
