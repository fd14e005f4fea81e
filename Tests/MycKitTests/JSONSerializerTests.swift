import Foundation
import Testing
@testable import MycKit

/// `JSON.stringify` parity (PROTOCOL.md §2.3). Expected outputs were taken from Node v20.
struct JSONSerializerTests {
    private func compact(_ value: JSONValue) -> String { JSONSerializer.string(of: value) }

    // MARK: Strings

    /// Every C0 control character, written out by hand rather than computed, so the table
    /// is an independent statement of the rule: five short forms, the rest `\u00xx`
    /// with lowercase hex.
    static let controlEscapes: [String] = [
        #"\u0000"#, #"\u0001"#, #"\u0002"#, #"\u0003"#, #"\u0004"#, #"\u0005"#, #"\u0006"#, #"\u0007"#,
        #"\b"#, #"\t"#, #"\n"#, #"\u000b"#, #"\f"#, #"\r"#, #"\u000e"#, #"\u000f"#,
        #"\u0010"#, #"\u0011"#, #"\u0012"#, #"\u0013"#, #"\u0014"#, #"\u0015"#, #"\u0016"#, #"\u0017"#,
        #"\u0018"#, #"\u0019"#, #"\u001a"#, #"\u001b"#, #"\u001c"#, #"\u001d"#, #"\u001e"#, #"\u001f"#,
    ]

    @Test(arguments: 0..<32)
    func controlCharacterIsEscaped(_ code: Int) {
        let s = "a" + String(UnicodeScalar(UInt8(code))) + "b"
        #expect(compact(.string(s)) == "\"a" + Self.controlEscapes[code] + "b\"")
    }

    @Test(arguments: [
        ("\"", #""\"""#),
        ("\\", #""\\""#),
        ("/", #""/""#),
        ("\u{7F}", "\"\u{7F}\""),
        ("\u{2028}", "\"\u{2028}\""),
        ("\u{2029}", "\"\u{2029}\""),
        ("\u{FEFF}bom", "\"\u{FEFF}bom\""),
        ("caf\u{E9}", "\"caf\u{E9}\""),
        ("👋🏽", "\"👋🏽\""),
        ("日本語", "\"日本語\""),
        ("", #""""#),
        ("say \"hi\" \\ then\nnew", #""say \"hi\" \\ then\nnew""#),
        ("</script>", #""</script>""#),
    ])
    func stringEscaping(_ input: String, _ expected: String) {
        #expect(compact(.string(input)) == expected)
    }

    @Test func nonASCIIIsRawUTF8Bytes() {
        #expect(JSONSerializer.bytes(of: "é\u{2028}😀") == [0x22, 0xC3, 0xA9, 0xE2, 0x80, 0xA8, 0xF0, 0x9F, 0x98, 0x80, 0x22])
    }

    @Test func keysAreEscapedLikeValues() {
        let object: JSONObject = ["a\"b\n": 1, "\u{1}": 2]
        #expect(compact(.object(object)) == #"{"a\"b\n":1,"\u0001":2}"#)
    }

    // MARK: Numbers

    @Test(arguments: [
        (0.0, "0"), (-0.0, "0"), (1.0, "1"), (-1.0, "-1"), (1e3, "1000"), (100.0, "100"),
        (2.5, "2.5"), (-2.5, "-2.5"), (0.1, "0.1"), (4.35, "4.35"), (12345678.9, "12345678.9"),
        (1.5e-7, "1.5e-7"), (1e-7, "1e-7"), (-1e-7, "-1e-7"), (1e-6, "0.000001"), (1e-5, "0.00001"),
        (0.0000012345, "0.0000012345"), (123e-20, "1.23e-18"),
        (1e15, "1000000000000000"), (1e16, "10000000000000000"), (1e20, "100000000000000000000"),
        (1e21, "1e+21"), (999999999999999900000.0, "999999999999999900000"),
        (123456789012345680000.0, "123456789012345680000"),
        (8640000000000000.0, "8640000000000000"), (1730000000456.0, "1730000000456"),
        (9007199254740991.0, "9007199254740991"), (9007199254740992.0, "9007199254740992"),
        (9007199254740994.0, "9007199254740994"), (123456789012345678.0, "123456789012345680"),
        (1152921504606846976.0, "1152921504606847000"), (18446744073709551616.0, "18446744073709552000"),
        (0.1 + 0.2, "0.30000000000000004"), (1.0 / 3.0, "0.3333333333333333"),
        (Double.leastNonzeroMagnitude, "5e-324"), (3 * Double.leastNonzeroMagnitude, "1.5e-323"), (1.7976931348623157e308, "1.7976931348623157e+308"),
        (1.5e300, "1.5e+300"), (-1.5e-300, "-1.5e-300"),
        (Double.nan, "null"), (Double.infinity, "null"), (-Double.infinity, "null"),
    ])
    func numberFormatting(_ value: Double, _ expected: String) {
        #expect(compact(.number(value)) == expected)
    }

    /// Wire spellings normalize through the parsed double (§2.3).
    @Test(arguments: [
        ("1.0", "1"), ("1e3", "1000"), ("2.50", "2.5"), ("-0", "0"), ("2.0", "2"), ("1E+2", "100"),
        ("0.5e1", "5"), ("1e-7", "1e-7"), ("123e-20", "1.23e-18"), ("1e400", "null"), ("-1e400", "null"),
        ("1e-400", "0"), ("100000000000000000000000", "1e+23"),
    ])
    func parsedNumberNormalization(_ wire: String, _ expected: String) throws {
        #expect(compact(try JSONParser.parse(wire)) == expected)
    }

    // MARK: Structure and key order

    @Test func compactStructureHasNoWhitespace() {
        let value: JSONValue = ["a": [1, "x", nil, true, false, [], [:]], "b": ["c": 2.5]]
        #expect(compact(value) == #"{"a":[1,"x",null,true,false,[],{}],"b":{"c":2.5}}"#)
    }

    @Test func indexLikeKeysComeFirstInNumericOrder() {
        let object: JSONObject = ["b": 1, "10": "ten", "a": 2, "2": "two", "0": "zero"]
        #expect(compact(.object(object)) == #"{"0":"zero","2":"two","10":"ten","b":1,"a":2}"#)
    }

    /// Only canonical spellings up to 2^32 − 2 are array indices; the rest keep insertion order.
    @Test func arrayIndexBoundaries() {
        let object: JSONObject = [
            "b": 1, "4294967295": 2, "4294967294": 3, "9007199254740991": 4, "01": 5, "0": 6, "-1": 7,
            "1.5": 8, "": 9, " 1": 10,
        ]
        #expect(object.keys.count == 10)
        let expected = #"{"0":6,"4294967294":3,"b":1,"4294967295":2,"9007199254740991":4,"01":5,"-1":7,"1.5":8,"":9," 1":10}"#
        #expect(compact(.object(object)) == expected)
        #expect(JSONSerializer.arrayIndex("0") == 0)
        #expect(JSONSerializer.arrayIndex("4294967294") == 4_294_967_294)
        #expect(JSONSerializer.arrayIndex("4294967295") == nil)
        #expect(JSONSerializer.arrayIndex("00") == nil)
        #expect(JSONSerializer.arrayIndex("12345678901") == nil)
        #expect(JSONSerializer.arrayIndex("1a") == nil)
    }

    @Test func insertionOrderIsKeptForOrdinaryKeys() {
        var object: JSONObject = ["type": "info", "from": "x"]
        object["seq"] = 1
        object["type"] = "_ack"  // existing key keeps its slot
        #expect(compact(.object(object)) == #"{"type":"_ack","from":"x","seq":1}"#)
    }

    // MARK: Pretty printing

    @Test(arguments: ["peer_plaintext", "peer_plaintext_after_rotation", "peer_encrypted", "relay_plaintext"])
    func prettyPrintMatchesKeyFileVectors(_ name: String) throws {
        // Foundation supplies the expected text; our parser supplies the ordered object
        // (Foundation's dictionaries would lose the key order the file text depends on).
        let expected = try #require((WireVectorFile.load("keyfile.json")[name] as? [String: Any])?["file_text"] as? String)
        let vectors = try JSONParser.parseObject(WireVectorFile.data("keyfile.json"))
        let object = try #require(vectors[name]?.objectValue?["object"])
        #expect(JSONSerializer.stringify(object, indent: 2) == expected)
        #expect(JSONSerializer.prettyString(of: object) == expected)
        // The file text is itself JSON that parses back to the same ordered object.
        #expect(try JSONParser.parse(expected) == object)
    }

    @Test func encryptedKeyFileInnerPlaintextIsCompact() throws {
        let vectors = try JSONParser.parseObject(WireVectorFile.data("keyfile.json"))
        let entry = try #require(vectors["peer_encrypted"]?.objectValue)
        let inner = try #require(entry["inner_plaintext"]?.stringValue)
        let object = try #require(entry["expected_decrypted_object"])
        #expect(compact(object) == inner)
    }

    @Test func prettyPrintNestedAndEmptyContainers() {
        let value: JSONValue = ["a": [1, ["b": []], [:]], "c": [:]]
        let expected = """
            {
              "a": [
                1,
                {
                  "b": []
                },
                {}
              ],
              "c": {}
            }
            """
        #expect(JSONSerializer.stringify(value, indent: 2) == expected)
        #expect(JSONSerializer.stringify([:], indent: 2) == "{}")
        #expect(JSONSerializer.stringify([], indent: 2) == "[]")
        #expect(JSONSerializer.stringify("x\n", indent: 2) == #""x\n""#)
    }

    @Test func prettyIndentIsClampedLikeJavaScript() {
        let value: JSONValue = ["k": [1]]
        #expect(JSONSerializer.stringify(value, indent: 0) == #"{"k":[1]}"#)
        #expect(JSONSerializer.stringify(value, indent: -3) == #"{"k":[1]}"#)
        #expect(JSONSerializer.stringify(value, indent: 4) == "{\n    \"k\": [\n        1\n    ]\n}")
        #expect(JSONSerializer.stringify(value, indent: 25) == JSONSerializer.stringify(value, indent: 10))
    }

    @Test func prettyPrintUsesJSKeyOrderToo() {
        let value: JSONValue = ["z": 1, "1": 2]
        #expect(JSONSerializer.stringify(value, indent: 2) == "{\n  \"1\": 2,\n  \"z\": 1\n}")
    }

    @Test func descriptionIsCompactJSON() {
        let object: JSONObject = ["a": nil, "b": [true]]
        #expect(object.description == #"{"a":null,"b":[true]}"#)
        #expect(JSONValue.object(object).description == object.description)
    }
}
