import Testing
@testable import MycKit

struct JSONParserTests {
    private func reason(_ bytes: [UInt8]) -> JSONParseError.Reason? {
        do {
            _ = try JSONParser.parse(bytes)
            return nil
        } catch {
            return error.reason
        }
    }

    private func reason(_ text: String) -> JSONParseError.Reason? { reason(Array(text.utf8)) }

    // MARK: Valid input

    @Test(arguments: [
        ("null", JSONValue.null), ("true", .bool(true)), ("false", .bool(false)),
        ("0", .number(0)), ("-1", .number(-1)), ("1.5", .number(1.5)), ("1e3", .number(1000)),
        ("1E-2", .number(0.01)), ("-0.0e+0", .number(0)), ("1730000000456", .number(1_730_000_000_456)),
        ("123456789012345678", .number(123_456_789_012_345_680)),
        (#""""#, .string("")), (#""abc""#, .string("abc")),
        ("[]", .array([])), ("{}", .object([:])),
        (" \t\r\n[ 1 , \"a\" , null ]\n ", .array([1, "a", nil])),
        (#"{"a":{"b":[{"c":false}]}}"#, ["a": ["b": [["c": false]]]]),
    ] as [(String, JSONValue)])
    func validDocuments(_ text: String, _ expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
    }

    @Test func negativeZeroKeepsItsSign() throws {
        let value = try #require(try JSONParser.parse("-0").numberValue)
        #expect(value == 0 && value.sign == .minus)
    }

    @Test func largeIntegersUseCorrectRounding() throws {
        // 2^53 + 1 is not representable; round-half-even gives 2^53.
        #expect(try JSONParser.parse("9007199254740993").numberValue == 9_007_199_254_740_992)
        #expect(try JSONParser.parse("1e400").numberValue == .infinity)
        #expect(try JSONParser.parse("-1e400").numberValue == -.infinity)
    }

    @Test(arguments: [
        (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{8}\u{C}\n\r\t"),
        (#""\u0041\u00e9\u00E9\u2028""#, "A\u{E9}\u{E9}\u{2028}"),
        (#""\ud83d\udc4b\uD83C\uDFFD""#, "👋🏽"),
        (#""\u0000""#, "\u{0}"),
        ("\"caf\u{E9} 日本 👋\"", "caf\u{E9} 日本 👋"),
        (#""a\/b""#, "a/b"),
        ("\"\u{7F}\u{FEFF}\"", "\u{7F}\u{FEFF}"),
    ])
    func stringEscapesDecode(_ text: String, _ expected: String) throws {
        #expect(try JSONParser.parse(text) == .string(expected))
    }

    @Test func byteInputFromNonContiguousCollection() throws {
        let text = #"{"k":[1,"é"]}"#
        let lazyBytes = text.utf8.lazy.map { $0 }  // no contiguous storage: exercises the copy path
        #expect(try JSONParser.parse(lazyBytes) == ["k": [1, "é"]])
        #expect(try JSONParser.parse(text.utf8.dropFirst(0)) == ["k": [1, "é"]])
    }

    // MARK: Invalid input

    @Test(arguments: [
        ("", JSONParseError.Reason.unexpectedEnd),
        ("   ", .unexpectedEnd),
        ("[1,]", .unexpectedByte(UInt8(ascii: "]"))),
        (#"{"a":1,}"#, .unexpectedByte(UInt8(ascii: "}"))),
        ("[1 2]", .unexpectedByte(UInt8(ascii: "2"))),
        (#"{"a" 1}"#, .unexpectedByte(UInt8(ascii: "1"))),
        ("{a:1}", .unexpectedByte(UInt8(ascii: "a"))),
        ("{'a':1}", .unexpectedByte(UInt8(ascii: "'"))),
        ("[1", .unexpectedEnd),
        (#"{"a":"#, .unexpectedEnd),
        (#""abc"#, .unterminatedString),
        (#"{"a":"b}"#, .unterminatedString),
        (#""\"#, .unterminatedString),
        (#""\x""#, .invalidEscape),
        (#""\u12""#, .invalidEscape),
        (#""\u12g4""#, .invalidEscape),
        (#""\U0041""#, .invalidEscape),
        (#""\'""#, .invalidEscape),
        (#""\ud800""#, .loneSurrogate(0xD800)),
        (#""x\ud800y""#, .loneSurrogate(0xD800)),
        (#""\udc00""#, .loneSurrogate(0xDC00)),
        (#""\ud800\u0041""#, .loneSurrogate(0xD800)),
        (#""\ud800\ud800""#, .loneSurrogate(0xD800)),
        ("\"a\tb\"", .unescapedControlCharacter(0x09)),
        ("\"a\nb\"", .unescapedControlCharacter(0x0A)),
        ("\"\u{0}\"", .unescapedControlCharacter(0x00)),
        ("\"\u{1F}\"", .unescapedControlCharacter(0x1F)),
        ("01", .invalidNumber),
        ("-01", .invalidNumber),
        ("00", .invalidNumber),
        ("-", .invalidNumber),
        ("1.", .invalidNumber),
        ("1.e3", .invalidNumber),
        ("1e", .invalidNumber),
        ("1e+", .invalidNumber),
        ("-a", .invalidNumber),
        (".5", .unexpectedByte(UInt8(ascii: "."))),
        ("+1", .unexpectedByte(UInt8(ascii: "+"))),
        ("0x10", .trailingData),
        ("NaN", .unexpectedByte(UInt8(ascii: "N"))),
        ("Infinity", .unexpectedByte(UInt8(ascii: "I"))),
        ("tru", .unexpectedEnd),
        ("nul", .unexpectedEnd),
        ("trUe", .unexpectedByte(UInt8(ascii: "U"))),
        ("True", .unexpectedByte(UInt8(ascii: "T"))),
        ("{} {}", .trailingData),
        ("null x", .trailingData),
        ("[]]", .trailingData),
        ("1 2", .trailingData),
        ("\u{FEFF}{}", .unexpectedByte(0xEF)),
        ("{}\u{0}", .trailingData),
        ("/* c */ {}", .unexpectedByte(UInt8(ascii: "/"))),
        ("\u{A0}{}", .unexpectedByte(0xC2)),
    ] as [(String, JSONParseError.Reason)])
    func invalidDocuments(_ text: String, _ expected: JSONParseError.Reason) {
        #expect(reason(text) == expected)
    }

    @Test(arguments: [
        [0x22, 0xC0, 0x80, 0x22],              // overlong NUL
        [0x22, 0xC1, 0xBF, 0x22],              // overlong
        [0x22, 0xE0, 0x80, 0xAF, 0x22],        // overlong 3-byte
        [0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22],  // overlong 4-byte
        [0x22, 0xED, 0xA0, 0x80, 0x22],        // encoded surrogate U+D800 (CESU-8)
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
        [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22],  // invalid lead
        [0x22, 0xFF, 0x22],
        [0x22, 0x80, 0x22],                    // lone continuation byte
        [0x22, 0xC3, 0x22],                    // truncated 2-byte sequence
        [0x22, 0xE2, 0x82, 0x22],              // truncated 3-byte sequence
        [0x22, 0xE2, 0x82],                    // truncated at end of input
        [0x22, 0x5C, 0x6E, 0xC3, 0x28, 0x22],  // bad continuation after an escape (slow path)
    ] as [[UInt8]])
    func invalidUTF8InStrings(_ bytes: [UInt8]) {
        #expect(reason(bytes) == .invalidUTF8)
    }

    @Test func validUTF8BoundariesAreAccepted() throws {
        // U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFF, U+10000, U+10FFFF
        let text = "\u{80}\u{7FF}\u{800}\u{D7FF}\u{E000}\u{FFFF}\u{10000}\u{10FFFF}"
        #expect(try JSONParser.parse("\"" + text + "\"") == .string(text))
        #expect(try JSONParser.parse("\"\\n" + text + "\"") == .string("\n" + text))
    }

    @Test func nonASCIIOutsideStringsIsRejected() {
        #expect(reason([0xFF]) == .unexpectedByte(0xFF))
        #expect(reason([0x5B, 0xC3, 0xA9, 0x5D]) == .unexpectedByte(0xC3))
    }

    @Test func errorsCarryByteOffsets() {
        do {
            _ = try JSONParser.parse(#"{"a":[1,2,}"#)
            Issue.record("expected a failure")
        } catch {
            #expect(error.offset == 10)
            #expect(error.description.contains("byte 10"))
        }
        do {
            _ = try JSONParser.parse(#"{"k":"\ud800"}"#)
            Issue.record("expected a failure")
        } catch {
            #expect(error.offset == 6)
            #expect(error.description.contains("surrogate"))
        }
    }

    // MARK: Depth

    @Test func nestingUpToTheLimitIsAccepted() throws {
        let depth = JSONParser.defaultMaxDepth
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: Never.self) { try JSONParser.parse(text) }
        let objects = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        #expect(throws: Never.self) { try JSONParser.parse(objects) }
    }

    @Test func depthBombIsRejectedWithoutRecursingFurther() {
        let limit = JSONParser.defaultMaxDepth
        #expect(reason(String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1))
            == .tooDeep(limit: limit))
        #expect(reason(String(repeating: "[", count: 1_000_000)) == .tooDeep(limit: limit))
        #expect(reason(String(repeating: #"{"a":"#, count: 100_000)) == .tooDeep(limit: limit))
        do {
            _ = try JSONParser.parse("[[[1]]]", maxDepth: 2)
            Issue.record("expected a failure")
        } catch {
            #expect(error.reason == .tooDeep(limit: 2))
            #expect(error.offset == 2)
        }
    }

    // MARK: Objects

    @Test func parseObjectRequiresAnObject() throws {
        #expect(try JSONParser.parse("null") == .null)
        for text in ["null", "[]", "1", #""{}""#, "true"] {
            #expect(throws: JSONParseError(offset: 0, reason: .notAnObject)) { try JSONParser.parseObject(text) }
        }
        #expect(try JSONParser.parseObject(" {} ").isEmpty)
        // Syntax errors still report their own reason.
        #expect(throws: JSONParseError(offset: 1, reason: .unexpectedEnd)) { try JSONParser.parseObject("{") }
    }

    @Test func duplicateKeysLastValueWinsAtFirstPosition() throws {
        let object = try JSONParser.parseObject(#"{"type":"info","sender":"alice","type":"_ack","seq":1,"seq":2}"#)
        #expect(object.keys == ["type", "sender", "seq"])
        #expect(object["type"] == "_ack")
        #expect(object["seq"] == 2)
        #expect(JSONSerializer.string(of: .object(object)) == #"{"type":"_ack","sender":"alice","seq":2}"#)
    }

    @Test func duplicateKeysInLargeObjects() throws {
        // Past the linear-scan threshold the object switches to a hash index; the
        // duplicate rule must not change.
        let members = (0..<40).map { #""k\#($0)":\#($0)"# } + [#""k3":"again""#, #""k39":null"#]
        let object = try JSONParser.parseObject("{" + members.joined(separator: ",") + "}")
        #expect(object.count == 40)
        #expect(object.keys == (0..<40).map { "k\($0)" })
        #expect(object["k3"] == "again")
        #expect(object["k39"] == .null)
        #expect(object["k40"] == nil)
    }

    @Test func absentAndNullAreDistinct() throws {
        let object = try JSONParser.parseObject(#"{"room":null,"seq":0,"e2e":false,"target":""}"#)
        #expect(object["room"] == .null)
        #expect(object["room"]?.isNull == true)
        #expect(object.contains("room"))
        #expect(object["ts"] == nil)
        #expect(!object.contains("ts"))
        #expect(object["seq"] == .number(0))
        #expect(object["e2e"] == .bool(false))
        #expect(object["e2e"] != .number(0))  // what JSONSerialization would conflate
        #expect(object["target"] == .string(""))
    }
}

/// The value types' own API: presence, ordering, truthiness.
struct JSONParserValueModelTests {
    @Test func settingNilRemovesAndNullIsKept() {
        var object: JSONObject = ["a": 1, "b": 2, "c": 3]
        object["b"] = nil
        #expect(object.keys == ["a", "c"])
        object["a"] = .null
        #expect(object.keys == ["a", "c"])
        #expect(object["a"] == .null)
        object["b"] = 4
        #expect(object.keys == ["a", "c", "b"])
        let removed = object.removeValue(forKey: "c")
        let removedAgain = object.removeValue(forKey: "c")
        #expect(removed == 3)
        #expect(removedAgain == nil)
        #expect(object.keys == ["a", "b"])
    }

    @Test func largeObjectRemovalKeepsIndexConsistent() {
        var object = JSONObject()
        for i in 0..<50 { object["k\(i)"] = .number(Double(i)) }
        object["k10"] = nil
        object["k0"] = nil
        #expect(object.count == 48)
        #expect(object["k11"] == 11)
        #expect(object["k49"] == 49)
        #expect(object["k10"] == nil)
        object["k10"] = "back"
        #expect(object.keys.last == "k10")
        for i in 0..<40 where i != 10 { object["k\(i)"] = nil }
        #expect(object.keys == ["k40", "k41", "k42", "k43", "k44", "k45", "k46", "k47", "k48", "k49", "k10"])
        #expect(object["k45"] == 45)
    }

    @Test func equalityIsOrderSensitive() {
        let ab: JSONObject = ["a": 1, "b": 2]
        let ba: JSONObject = ["b": 2, "a": 1]
        #expect(ab != ba)
        #expect(ab == JSONObject(["a": 1, "b": 2]))
        #expect(Set([ab, JSONObject(["a": 1, "b": 2])]).count == 1)
    }

    @Test func sequenceIteratesInOrder() {
        let object: JSONObject = ["z": 1, "a": nil, "m": "x"]
        #expect(object.map(\.key) == ["z", "a", "m"])
        #expect(object.map(\.value) == [1, nil, "x"])
    }

    @Test(arguments: [
        (JSONValue.null, false), (.bool(false), false), (.bool(true), true),
        (.number(0), false), (.number(-0.0), false), (.number(.nan), false), (.number(1), true),
        (.number(-1), true), (.string(""), false), (.string("0"), true), (.string("false"), true),
        (.array([]), true), (.object([:]), true),
    ] as [(JSONValue, Bool)])
    func javaScriptTruthiness(_ value: JSONValue, _ truthy: Bool) {
        #expect(value.isTruthy == truthy)
    }

    @Test func accessors() {
        #expect(JSONValue.string("x").stringValue == "x")
        #expect(JSONValue.number(1).stringValue == nil)
        #expect(JSONValue.bool(true).boolValue == true)
        #expect(JSONValue.number(1).boolValue == nil)
        #expect(JSONValue.number(2.5).numberValue == 2.5)
        #expect(JSONValue.array([1]).arrayValue == [1])
        #expect(JSONValue.object(["a": 1]).objectValue == ["a": 1])
        #expect(JSONValue.null.isNull)
        #expect(!JSONValue.string("null").isNull)
        #expect(JSONValue.number(-0.0).integerValue == 0)
        #expect(JSONValue.number(9_007_199_254_740_991).integerValue == 9_007_199_254_740_991)
        #expect(JSONValue.number(9_007_199_254_740_992).integerValue == nil)
        #expect(JSONValue.number(-5).integerValue == -5)
        #expect(JSONValue.number(1.5).integerValue == nil)
        #expect(JSONValue.number(.infinity).integerValue == nil)
        #expect(JSONValue.string("1").integerValue == nil)
    }
}

@Suite struct JSONObjectExactKeyTests {
    @Test func canonicallyEquivalentKeysStayDistinct() throws {
        // JavaScript keeps these apart; Swift's String == would merge them.
        let small = try JSONParser.parseObject(#"{"K":1,"\u212a":2,"é":3,"e\u0301":4}"#)
        #expect(small.count == 4)
        #expect(small["K"] == .number(1))
        #expect(small["\u{212A}"] == .number(2))
        #expect(small["e\u{301}"] == .number(4))
        // Past the index threshold too.
        var text = "{" + (0..<20).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        text += #","K":1,"\u212a":2}"#
        let big = try JSONParser.parseObject(text)
        #expect(big.count == 22)
        #expect(big["\u{212A}"] == .number(2))
        #expect(big["K"] == .number(1))
    }
}
