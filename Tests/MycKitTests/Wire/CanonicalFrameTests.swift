import Foundation
import Testing
@testable import MycKit

/// `CanonicalFrame` is the relay's parse-free path: it must take real peer frames, leave
/// every other form to the full parser, and print exactly what the full path prints.
@Suite struct CanonicalFrameTests {
    /// What the relay's full path prints for `text`: parse, assign, serialize.
    private func fullPath(_ text: [UInt8], from: String, msgID: JSONValue?) throws -> [UInt8] {
        try JSONParser.parseObject(text).stamped(from: from, msgID: msgID)
    }

    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func takesEveryFrameOfTheReferenceVectorsAndPrintsWhatTheFullPathPrints() throws {
        let cases = try #require(WireVectorFile.load("canonical.json")["cases"] as? [[String: Any]])
        var taken = 0
        for vector in cases {
            let wire = try #require(vector["input_wire"] as? String)
            // Vectors with nested values or non-ASCII text are legitimately left to the parser.
            guard let frame = CanonicalFrame(bytes(wire)) else { continue }
            taken += 1
            for msgID: JSONValue? in [nil, .string("relay-1")] {
                #expect(frame.stamped(from: "alice", msgID: msgID) == (try fullPath(bytes(wire), from: "alice", msgID: msgID)),
                        "\(vector["name"] ?? "?")")
            }
        }
        #expect(taken >= cases.count / 2, "only \(taken) of \(cases.count) vector frames took the fast path")
    }

    @Test func takesARealSessionFrameAsPeersSerializeIt() throws {
        let wire = #"{"target":"bob","room":"default","type":"info","encrypted":"C+/vjScRHy++x1sqwW/iGfc0CDK1mwEdsMbuNbDVqGVZduJ4dydJmxCvIehVCQ==","nonce":"Io8DxKILCUuDGKqzaw33d8dzZCbpzHcw","e2e":true,"sender":"alice","session_id":"f7bdd89ad7c81dc748bb1a0c90193a10","payload":null,"msg_id":"alice-m2r1bzk8-0","seq":0,"ts":1730000000456,"proto":2,"sig":"ZNrR1+1XNC+OkR0LHuwH5KWfkzH1XBc0zei/wjmt98U/fNdYG1dVNnAFELi11HHUzB5twSwa/fsWbtDvW/gWDA==","no_queue":true}"#
        let frame = try #require(CanonicalFrame(bytes(wire)))
        #expect(frame.count == 15)
        #expect(frame["target"] == .string("bob"))
        #expect(frame["seq"] == .number(0))
        #expect(frame["no_queue"] == .bool(true))
        #expect(frame["payload"] == .null)
        #expect(frame["from"] == nil)
        let stamped = frame.stamped(from: "alice", msgID: nil)
        #expect(stamped == bytes(String(wire.dropLast()) + #","from":"alice"}"#))
        #expect(stamped == (try fullPath(bytes(wire), from: "alice", msgID: nil)))
    }

    @Test func stampsInPlaceOrAppendsLikeJavaScriptAssignment() throws {
        let cases: [(String, JSONValue?, String)] = [
            (#"{}"#, nil, #"{"from":"al\"ice"}"#),
            (#"{}"#, .string("r-1"), #"{"from":"al\"ice","msg_id":"r-1"}"#),
            (#"{"from":"mallory","type":"x"}"#, nil, #"{"from":"al\"ice","type":"x"}"#),
            (#"{"msg_id":"","from":1,"t":2}"#, .string("r-1"), #"{"msg_id":"r-1","from":"al\"ice","t":2}"#),
            (#"{"msg_id":null,"t":2}"#, .string("r-1"), #"{"msg_id":"r-1","t":2,"from":"al\"ice"}"#),
            (#"{"t":2,"msg_id":0}"#, .string("r-1"), #"{"t":2,"msg_id":"r-1","from":"al\"ice"}"#),
        ]
        for (input, msgID, expected) in cases {
            let frame = try #require(CanonicalFrame(bytes(input)), "\(input)")
            #expect(frame.stamped(from: #"al"ice"#, msgID: msgID) == bytes(expected), "\(input)")
            #expect(try fullPath(bytes(input), from: #"al"ice"#, msgID: msgID) == bytes(expected), "\(input)")
        }
    }

    /// Every form `JSON.stringify` would print differently, or the relay must not splice,
    /// goes to the full parser.
    @Test func leavesEveryOtherFormToTheParser() {
        let refused = [
            #"{ "type":"x"}"#, #"{"type" :"x"}"#, #"{"type":"x" }"#, "{\"type\":\"x\"}\n",
            #"{"type":"a\/b"}"#, #"{"type":"\u0041"}"#, #"{"type":"\u000A"}"#, #"{"type":"\u001F"}"#,
            #"{"type":"\x"}"#, #"{"t\"y":"x"}"#, #"{"type":"é"}"#, "{\"type\":\"\u{7}\"}",
            #"{"seq":1.0}"#, #"{"seq":1e2}"#, #"{"seq":-0}"#, #"{"seq":01}"#, #"{"seq":1234567890123456}"#,
            #"{"seq":+1}"#, #"{"seq":-}"#, #"{"a":{}}"#, #"{"a":[1]}"#, #"{"a":1,"a":2}"#,
            #"{"1":"x"}"#, #"{"0":"x"}"#, #"{"a":tru}"#, #"{"a":nul}"#, #"{"a":1,}"#, #"{,"a":1}"#, #"{"a"}"#,
            #"{"a":1}}"#, #"{"a":1"#, "{", "}", "[]", "null", "", #"{"a":"x}"#, #"{"a":1 ,"b":2}"#,
        ]
        for text in refused {
            #expect(CanonicalFrame(bytes(text)) == nil, "\(text)")
        }
    }

    @Test func takesTheEscapesJSONStringifyWrites() throws {
        for text in [#"{"t":"q\"b\\s\b\t\n\f\r"}"#, #"{"t":"\u0000\u001f\u000b\u007f"}"#.replacingOccurrences(of: #"\u007f"#, with: "\u{7F}"),
                     #"{"t":"","u":"x"}"#, #"{"a":-12,"b":0,"c":999999999999999,"d":true,"e":false,"f":null}"#] {
            let frame = try #require(CanonicalFrame(bytes(text)), "\(text)")
            #expect(frame.stamped(from: "a", msgID: nil) == (try fullPath(bytes(text), from: "a", msgID: nil)), "\(text)")
            // Already canonical: serializing the parse gives the same text back.
            #expect(JSONSerializer.bytes(of: try JSONParser.parse(bytes(text))) == bytes(text), "\(text)")
        }
    }

    /// Random frames in many spellings: whenever the fast path takes one, it prints what the
    /// full path prints; and every flat ASCII frame printed by the serializer is taken.
    @Test func agreesWithTheFullPathOnRandomFrames() throws {
        var rng = SplitMix64(seed: 0x5EED)
        var taken = 0
        for _ in 0..<4_000 {
            let object = randomObject(&rng)
            let canonical = JSONSerializer.bytes(of: .object(object))
            for text in [canonical, respelled(canonical, &rng)] {
                guard let parsed = try? JSONParser.parseObject(text) else { continue }
                let msgID: JSONValue? = rng.next() % 2 == 0 ? nil : .string("relay-\(rng.next() % 100)")
                let expected = parsed.stamped(from: "bob", msgID: msgID)
                if let frame = CanonicalFrame(text) {
                    taken += 1
                    #expect(frame.stamped(from: "bob", msgID: msgID) == expected, "\(String(decoding: text, as: UTF8.self))")
                }
            }
            if isFlatASCII(object) {
                #expect(CanonicalFrame(canonical) != nil, "\(String(decoding: canonical, as: UTF8.self))")
            }
        }
        #expect(taken > 1_500)
    }

    // MARK: Generators

    private let keyPool = ["type", "target", "from", "msg_id", "room", "seq", "payload", "sig", "a", "", "10", "x y", "é"]
    private let stringPool = ["", "bob", "a\"b", "back\\slash", "tab\there", "nl\n", "\u{1}", "\u{7F}", "ünï", "😀", "a/b", "0"]
    private let numberPool: [Double] = [0, 1, -1, 42, 1_730_000_000_456, 999_999_999_999_999, 1e15, 1e21, 0.5, -0.0, 1e-7, 2.5e-3]

    private func randomValue(_ rng: inout SplitMix64, depth: Int) -> JSONValue {
        switch rng.next() % (depth > 0 ? 6 : 8) {
        case 0: return .null
        case 1: return .bool(rng.next() % 2 == 0)
        case 2: return .number(numberPool[Int(rng.next() % UInt64(numberPool.count))])
        case 3, 4, 5: return .string(stringPool[Int(rng.next() % UInt64(stringPool.count))])
        case 6: return .object(randomObject(&rng, depth: depth + 1))
        default: return .array([randomValue(&rng, depth: depth + 1)])
        }
    }

    private func randomObject(_ rng: inout SplitMix64, depth: Int = 0) -> JSONObject {
        var object = JSONObject()
        for _ in 0..<Int(rng.next() % 8) {
            object[keyPool[Int(rng.next() % UInt64(keyPool.count))]] = randomValue(&rng, depth: depth)
        }
        return object
    }

    /// Same JSON, other bytes: whitespace, an escaped slash, a `\u` escape, an exponent.
    private func respelled(_ text: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var out = String(decoding: text, as: UTF8.self)
        switch rng.next() % 5 {
        case 0: out = out.replacingOccurrences(of: ",", with: ", ")
        case 1: out = out.replacingOccurrences(of: "/", with: #"\/"#)
        case 2: out = out.replacingOccurrences(of: "bob", with: #"\u0062ob"#)
        case 3: out = out.replacingOccurrences(of: ":42", with: ":4.2e1")
        default: out = " " + out
        }
        return Array(out.utf8)
    }

    private func isFlatASCII(_ object: JSONObject) -> Bool {
        object.allSatisfy { key, value in
            guard key.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x80 && $0 != 0x22 && $0 != 0x5C }),
                  key.utf8.first.map({ $0 &- 0x30 >= 10 }) ?? true
            else { return false }
            switch value {
            case .null, .bool: return true
            case .number(let n): return n == n.rounded() && abs(n) < 1e15 && !(n == 0 && n.sign == .minus)
            case .string(let s): return s.utf8.allSatisfy { $0 < 0x80 }
            case .array, .object: return false
            }
        }
    }
}
