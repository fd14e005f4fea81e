/// Serializes `JSONValue`s byte for byte like JavaScript's `JSON.stringify`.
///
/// Byte parity matters twice over: signatures are computed over a `JSON.stringify`
/// output (§2.3), and everything the reference writes to the wire or to disk (relayed
/// frames, chunk wrappers, key files) is produced by it. The rules reproduced here:
///
/// - strings: only `"`, `\` and U+0000–U+001F are escaped (`\b \t \n \f \r` short forms,
///   the rest as lowercase `\u00xx`); `/`, DEL, U+2028/2029 and all non-ASCII are raw UTF-8;
/// - numbers: ECMAScript `Number::toString`; `NaN` and `±Infinity` become `null`;
/// - object keys: canonical array indices (`"0"` … `"4294967294"`) first in ascending
///   numeric order, then the remaining keys in insertion order (JS property order).
public enum JSONSerializer {
    /// Compact UTF-8 bytes, as `JSON.stringify(value)`.
    public static func bytes(of value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        append(value, to: &out)
        return out
    }

    /// Compact text, as `JSON.stringify(value)`.
    public static func string(of value: JSONValue) -> String {
        String(decoding: bytes(of: value), as: UTF8.self)
    }

    /// `JSON.stringify(value, null, indent)`: with `indent` > 0 every member goes on its
    /// own line, indented by that many spaces per level, with `": "` after keys; empty
    /// containers stay `{}` / `[]`. As in JS, `indent` is clamped to 0...10 and 0 means
    /// compact. No trailing newline (the reference writes key files without one).
    public static func stringify(_ value: JSONValue, indent: Int = 0) -> String {
        let width = min(max(indent, 0), 10)
        guard width > 0 else { return string(of: value) }
        var out: [UInt8] = []
        out.reserveCapacity(256)
        appendPretty(value, width: width, level: 0, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `JSON.stringify(value, null, 2)`, the layout the reference uses for key files.
    public static func prettyString(of value: JSONValue) -> String {
        stringify(value, indent: 2)
    }

    // MARK: Compact writer (shared with CanonicalSigningString)

    static func append(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: appendASCII("null", to: &out)
        case .bool(let b): appendASCII(b ? "true" : "false", to: &out)
        case .number(let n): appendNumber(n, to: &out)
        case .string(let s): appendString(s, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                append(element, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            var first = true
            forEachMemberInJSOrder(object) { key, member in
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                appendString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                append(member, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func appendPretty(_ value: JSONValue, width: Int, level: Int, to out: inout [UInt8]) {
        switch value {
        case .array(let elements) where !elements.isEmpty:
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent: width * (level + 1), to: &out)
                appendPretty(element, width: width, level: level + 1, to: &out)
            }
            newline(indent: width * level, to: &out)
            out.append(UInt8(ascii: "]"))
        case .object(let object) where !object.isEmpty:
            out.append(UInt8(ascii: "{"))
            var first = true
            forEachMemberInJSOrder(object) { key, member in
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                newline(indent: width * (level + 1), to: &out)
                appendString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                out.append(UInt8(ascii: " "))
                appendPretty(member, width: width, level: level + 1, to: &out)
            }
            newline(indent: width * level, to: &out)
            out.append(UInt8(ascii: "}"))
        default:
            // Scalars and empty containers print exactly as in compact form.
            append(value, to: &out)
        }
    }

    private static func newline(indent: Int, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
    }

    @inline(__always)
    private static func appendASCII(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    // MARK: Object key order

    /// Calls `body` for each member in the order JavaScript enumerates own properties.
    /// Frames never have index-like keys, so the common case is one cheap first-byte
    /// check per key and a plain walk; the sort only runs for exotic objects.
    private static func forEachMemberInJSOrder(_ object: JSONObject, _ body: (String, JSONValue) -> Void) {
        var indexed: [(index: UInt32, key: String, value: JSONValue)] = []
        for (key, value) in object {
            if let index = arrayIndex(key) { indexed.append((index, key, value)) }
        }
        guard !indexed.isEmpty else {
            for (key, value) in object { body(key, value) }
            return
        }
        // Indices are unique per object (each canonical index has one spelling).
        indexed.sort { $0.index < $1.index }
        for member in indexed { body(member.key, member.value) }
        for (key, value) in object where arrayIndex(key) == nil { body(key, value) }
    }

    /// The key's value if it is an ECMAScript array index: the canonical decimal
    /// spelling (no sign, no leading zeros except `"0"` itself) of an integer ≤ 2^32 − 2.
    /// `"4294967295"`, `"01"` and `"-1"` are ordinary keys.
    static func arrayIndex(_ key: String) -> UInt32? {
        let utf8 = key.utf8
        guard let first = utf8.first, first &- UInt8(ascii: "0") < 10, utf8.count <= 10 else { return nil }
        if first == UInt8(ascii: "0") { return utf8.count == 1 ? 0 : nil }
        var value: UInt64 = 0
        for b in utf8 {
            let digit = b &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + UInt64(digit)
        }
        return value <= 4_294_967_294 ? UInt32(value) : nil
    }

    // MARK: Strings

    static func appendString(_ string: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { appendEscaped($0, to: &out) }
        if done == nil {
            Array(string.utf8).withUnsafeBufferPointer { appendEscaped($0, to: &out) }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Working on UTF-8 bytes is exact: every byte JS escapes is ASCII, and multi-byte
    /// sequences never contain bytes below 0x80. (JS would also escape lone surrogates,
    /// which a Swift `String` cannot contain.) Unescaped runs are copied in bulk.
    private static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var runStart = 0
        for i in 0..<bytes.count {
            let b = bytes[i]
            guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
            if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i])) }
            runStart = i + 1
            out.append(UInt8(ascii: "\\"))
            switch b {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case 0x08: out.append(UInt8(ascii: "b"))
            case 0x09: out.append(UInt8(ascii: "t"))
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x0C: out.append(UInt8(ascii: "f"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            default:
                // JSON.stringify uses lowercase hex here (`\u001f`), and it is signed.
                let hex: StaticString = "0123456789abcdef"
                out.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                out.append(hex.utf8Start[Int(b >> 4)])
                out.append(hex.utf8Start[Int(b & 0xF)])
            }
        }
        if runStart < bytes.count {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
    }

    // MARK: Numbers

    /// ECMAScript `Number::toString(x)` (ECMA-262 §6.1.6.1.20), except that non-finite
    /// values print as `null` because that is what `JSON.stringify` emits for them.
    static func appendNumber(_ x: Double, to out: inout [UInt8]) {
        guard x.isFinite else {
            appendASCII("null", to: &out)
            return
        }
        // Every integer below 2^53 is exactly representable and is its own shortest
        // round-trip spelling, so the digits can be printed directly. This is the path
        // taken by seq/ts/proto, and it also maps -0 to "0" as JS does.
        if x.magnitude < 9_007_199_254_740_992, x.rounded(.towardZero) == x {
            if x < 0 { out.append(UInt8(ascii: "-")) }
            var v = UInt64(x.magnitude)
            let start = out.count
            repeat {
                out.append(UInt8(ascii: "0") + UInt8(v % 10))
                v /= 10
            } while v > 0
            out[start...].reverse()
            return
        }
        if x < 0 { out.append(UInt8(ascii: "-")) }
        let (digits, n) = shortestDigits(x.magnitude)
        layOut(digits: digits, pointPosition: n, to: &out)
    }

    /// Shortest round-trip decimal digits `s` (no leading/trailing zeros) and the
    /// exponent `n` such that x = 0.s × 10^n — the (s, k, n) of the ECMAScript algorithm.
    /// Swift's `description` already computes the shortest, closest digit string (the
    /// same requirement ECMAScript states), so this only re-reads its layout, whatever
    /// mix of fixed and exponential notation it chose.
    private static func shortestDigits(_ x: Double) -> (digits: [UInt8], n: Int) {
        var digits: [UInt8] = []
        digits.reserveCapacity(17)
        var integerDigits = 0
        var seenPoint = false
        var exponent = 0
        var exponentSign = 1
        var inExponent = false
        for b in x.description.utf8 {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if inExponent {
                    exponent = exponent * 10 + Int(b - UInt8(ascii: "0"))
                } else {
                    digits.append(b)
                    if !seenPoint { integerDigits += 1 }
                }
            case UInt8(ascii: "."): seenPoint = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"): inExponent = true
            case UInt8(ascii: "-"): exponentSign = -1
            default: break  // "+" of the exponent
            }
        }
        var n = integerDigits + exponentSign * exponent
        let leadingZeros = digits.prefix { $0 == UInt8(ascii: "0") }.count
        digits.removeFirst(leadingZeros)
        n -= leadingZeros
        while digits.last == UInt8(ascii: "0") { digits.removeLast() }
        return (digits, n)
    }

    /// Steps 6–10 of Number::toString: plain digits for 10^-7 < |x| < 10^21, otherwise
    /// exponent form with an explicit sign (`1e+21`, `1.5e-7`).
    private static func layOut(digits: [UInt8], pointPosition n: Int, to out: inout [UInt8]) {
        let k = digits.count
        if k <= n, n <= 21 {
            out.append(contentsOf: digits)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: n - k))
        } else if 0 < n, n <= 21 {
            out.append(contentsOf: digits[..<n])
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: digits[n...])
        } else if -6 < n, n <= 0 {
            out.append(UInt8(ascii: "0"))
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -n))
            out.append(contentsOf: digits)
        } else {
            out.append(digits[0])
            if k > 1 {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: digits[1...])
            }
            out.append(UInt8(ascii: "e"))
            let e = n - 1
            out.append(e < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            out.append(contentsOf: String(e.magnitude).utf8)
        }
    }
}
