/// Why a JSON text was rejected, and where.
///
/// The relay answers unparsable frames with `"invalid JSON"` and peers silently drop them
/// (§1.2, §3.4), so callers rarely inspect the reason; it exists for logs and tests.
public struct JSONParseError: Error, CustomStringConvertible, Sendable, Hashable {
    public enum Reason: Sendable, Hashable {
        /// The input stopped in the middle of a value.
        case unexpectedEnd
        /// A string was still open at the end of the input.
        case unterminatedString
        /// A byte that cannot start or continue the expected token.
        case unexpectedByte(UInt8)
        /// A malformed, overlong, surrogate or out-of-range UTF-8 sequence.
        case invalidUTF8
        /// A raw U+0000–U+001F inside a string (RFC 8259 requires escaping them).
        case unescapedControlCharacter(UInt8)
        /// A backslash followed by something other than `" \ / b f n r t u`, or a bad `\u` hex digit.
        case invalidEscape
        /// A `\uD800`–`\uDFFF` escape that is not part of a high+low pair. JavaScript would
        /// keep it, but a Swift `String` cannot, and §2.3 allows rejecting such frames.
        case loneSurrogate(UInt16)
        /// A number that breaks the RFC 8259 grammar (leading zero, bare `-`, `1.`, `1e`, ...).
        case invalidNumber
        /// Non-whitespace after the top-level value.
        case trailingData
        /// Arrays/objects nested deeper than the parser's limit.
        case tooDeep(limit: Int)
        /// `parseObject` was given valid JSON whose top level is not an object.
        case notAnObject
    }

    /// Byte offset into the input where the problem was detected.
    public let offset: Int
    public let reason: Reason

    public init(offset: Int, reason: Reason) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String {
        let what: String
        switch reason {
        case .unexpectedEnd: what = "unexpected end of input"
        case .unterminatedString: what = "unterminated string"
        case .unexpectedByte(let b): what = "unexpected byte 0x\(hex2(b))"
        case .invalidUTF8: what = "invalid UTF-8"
        case .unescapedControlCharacter(let b): what = "unescaped control character 0x\(hex2(b)) in string"
        case .invalidEscape: what = "invalid escape sequence"
        case .loneSurrogate(let u):
            what = "lone UTF-16 surrogate \\u\(String(u, radix: 16)) (not representable, rejected)"
        case .invalidNumber: what = "invalid number"
        case .trailingData: what = "unexpected data after the JSON value"
        case .tooDeep(let limit): what = "nesting deeper than \(limit) levels"
        case .notAnObject: what = "top-level value is not an object"
        }
        return "invalid JSON at byte \(offset): \(what)"
    }

    private func hex2(_ b: UInt8) -> String {
        let s = String(b, radix: 16)
        return s.count == 1 ? "0" + s : s
    }
}
