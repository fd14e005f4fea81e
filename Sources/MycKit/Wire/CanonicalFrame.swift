/// A frame that is already exactly what `JSON.stringify` would print for it: a flat object,
/// no whitespace, ASCII only, strings escaped the way `JSON.stringify` escapes them, small
/// integers, no duplicate or index-like keys.
///
/// Why: the relay re-serializes every routed frame (it stamps `from`, and `msg_id` when it
/// is falsy), and parsing the whole frame into `JSONValue`s only to print it again costs
/// more than the routing itself. Frames from conforming peers are printed by
/// `JSON.stringify` (or by `JSONSerializer`), so for them re-serialization is the identity
/// on every member the relay does not touch: `stamped` copies those bytes and rewrites only
/// `from` and `msg_id`. For anything else, `init` returns nil and the caller takes the full
/// parse; the two paths give byte-identical output (a differential test and the
/// `fuzz-frames` target check it), so the relay's behaviour does not depend on which ran.
///
/// Members are located, not decoded: `subscript` parses one member's value on demand, which
/// the relay does only for its few small routing fields.
public struct CanonicalFrame {
    private let bytes: [UInt8]
    /// Each top-level member: the key's bytes (between its quotes) and the value's bytes.
    private var members: [(key: Range<Int>, value: Range<Int>)] = []

    /// Integers longer than this might not be printed back the same way (above 2^53 a
    /// `Double` no longer holds every integer).
    private static let maxIntegerDigits = 15

    /// Nil unless `bytes` is a flat object in `JSON.stringify`'s exact form.
    public init?(_ bytes: [UInt8]) {
        self.bytes = bytes
        guard let members = Self.scan(bytes) else { return nil }
        self.members = members
    }

    /// The number of top-level members.
    public var count: Int { members.count }

    /// The value of `key`, parsed from its bytes; nil when the key is absent.
    public subscript(key: String) -> JSONValue? {
        guard let member = member(named: key) else { return nil }
        return try? JSONParser.parse(bytes[members[member].value])
    }

    /// The frame with `from` set to `from` and, when `msgID` is given, `msg_id` set to it —
    /// what `JSONObject` assignment followed by `JSONSerializer` gives: an existing key keeps
    /// its position, a new one is appended (`from` first).
    public func stamped(from: String, msgID: JSONValue?) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + from.utf8.count + 48)
        out.append(UInt8(ascii: "{"))
        let fromMember = member(named: "from")
        let msgIDMember = msgID == nil ? nil : member(named: "msg_id")
        for (i, member) in members.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            if i == fromMember {
                Self.appendMember("from", .string(from), to: &out)
            } else if i == msgIDMember, let msgID {
                Self.appendMember("msg_id", msgID, to: &out)
            } else {
                // `"key":value`, as received: the key's opening quote through the value's end.
                out.append(contentsOf: bytes[(member.key.lowerBound - 1)..<member.value.upperBound])
            }
        }
        if fromMember == nil {
            if !members.isEmpty { out.append(UInt8(ascii: ",")) }
            Self.appendMember("from", .string(from), to: &out)
        }
        if let msgID, msgIDMember == nil {
            out.append(UInt8(ascii: ","))
            Self.appendMember("msg_id", msgID, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    private func member(named key: String) -> Int? {
        var key = key
        return key.withUTF8 { wanted in
            members.firstIndex { member in
                member.key.count == wanted.count && bytes[member.key].elementsEqual(wanted)
            }
        }
    }

    private static func appendMember(_ key: String, _ value: JSONValue, to out: inout [UInt8]) {
        JSONSerializer.appendString(key, to: &out)
        out.append(UInt8(ascii: ":"))
        JSONSerializer.append(value, to: &out)
    }

    // MARK: Scanning

    private static func scan(_ bytes: [UInt8]) -> [(key: Range<Int>, value: Range<Int>)]? {
        bytes.withUnsafeBufferPointer { buffer -> [(key: Range<Int>, value: Range<Int>)]? in
            let n = buffer.count
            guard n >= 2, buffer[0] == UInt8(ascii: "{"), buffer[n - 1] == UInt8(ascii: "}") else { return nil }
            var members: [(key: Range<Int>, value: Range<Int>)] = []
            members.reserveCapacity(16)
            var i = 1
            if n == 2 { return members }
            while true {
                // Key: a plain string that is not an array index (those print first in JS).
                // (Any key starting with a digit is left to the full path, index or not.)
                guard buffer[i] == UInt8(ascii: "\""), buffer[i + 1] &- UInt8(ascii: "0") >= 10,
                      let keyEnd = string(buffer, from: i, plainOnly: true)
                else { return nil }
                let key = (i + 1)..<(keyEnd - 1)
                // Duplicate keys: JSON.parse keeps the last value at the first position.
                for other in members where other.key.count == key.count {
                    if buffer[other.key].elementsEqual(buffer[key]) { return nil }
                }
                guard keyEnd < n, buffer[keyEnd] == UInt8(ascii: ":") else { return nil }
                let valueStart = keyEnd + 1
                guard valueStart < n, let valueEnd = value(buffer, from: valueStart) else { return nil }
                members.append((key, valueStart..<valueEnd))
                guard valueEnd < n else { return nil }
                if buffer[valueEnd] == UInt8(ascii: "}") { return valueEnd == n - 1 ? members : nil }
                guard buffer[valueEnd] == UInt8(ascii: ","), valueEnd + 1 < n else { return nil }
                i = valueEnd + 1
            }
        }
    }

    /// The end (one past) of a scalar value at `i` in canonical form, or nil.
    private static func value(_ buffer: UnsafeBufferPointer<UInt8>, from i: Int) -> Int? {
        switch buffer[i] {
        case UInt8(ascii: "\""):
            return string(buffer, from: i, plainOnly: false)
        case UInt8(ascii: "t"): return literal("true", buffer, at: i)
        case UInt8(ascii: "f"): return literal("false", buffer, at: i)
        case UInt8(ascii: "n"): return literal("null", buffer, at: i)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return integer(buffer, from: i)
        default:
            return nil  // objects, arrays, or not JSON: the full parser decides
        }
    }

    /// A string at `i` (which holds `"`), returning one past its closing quote. Only
    /// printable ASCII and the escapes `JSON.stringify` writes (`\"`, `\\`, `\b`, `\t`,
    /// `\n`, `\f`, `\r`, and `\u00xx` in lowercase for the other control characters);
    /// `plainOnly` allows no escapes at all.
    private static func string(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int, plainOnly: Bool) -> Int? {
        var i = start + 1
        let n = buffer.count
        while i < n {
            let b = buffer[i]
            if b == UInt8(ascii: "\"") { return i + 1 }
            guard b >= 0x20, b < 0x80 else { return nil }
            if b == UInt8(ascii: "\\") {
                guard !plainOnly, i + 1 < n else { return nil }
                switch buffer[i + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "t"),
                     UInt8(ascii: "n"), UInt8(ascii: "f"), UInt8(ascii: "r"):
                    i += 2
                case UInt8(ascii: "u"):
                    guard i + 5 < n, buffer[i + 2] == UInt8(ascii: "0"), buffer[i + 3] == UInt8(ascii: "0"),
                          let high = lowerHex(buffer[i + 4]), high <= 1, let low = lowerHex(buffer[i + 5])
                    else { return nil }
                    // The five control characters with a short escape never appear as `\u00xx`.
                    let code = high << 4 | low
                    guard ![0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(code) else { return nil }
                    i += 6
                default:
                    return nil
                }
            } else {
                i += 1
            }
        }
        return nil
    }

    private static func lowerHex(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// `-?(0|[1-9][0-9]*)` of at most `maxIntegerDigits` digits, not `-0` (printed `0`).
    private static func integer(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var i = start
        if buffer[i] == UInt8(ascii: "-") { i += 1 }
        let digitsStart = i
        while i < buffer.count, buffer[i] &- UInt8(ascii: "0") < 10 { i += 1 }
        let digits = i - digitsStart
        guard digits >= 1, digits <= maxIntegerDigits else { return nil }
        if buffer[digitsStart] == UInt8(ascii: "0"), digits > 1 || digitsStart > start { return nil }
        // A fraction or exponent follows: not in the fast form.
        guard i < buffer.count, buffer[i] == UInt8(ascii: ",") || buffer[i] == UInt8(ascii: "}") else { return nil }
        return i
    }

    private static func literal(_ word: StaticString, _ buffer: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        let count = word.utf8CodeUnitCount
        guard i + count <= buffer.count else { return nil }
        for k in 0..<count where buffer[i + k] != word.utf8Start[k] { return nil }
        return i + count
    }
}
