/// A strict RFC 8259 parser producing `JSONValue`s with JavaScript `JSON.parse` semantics.
///
/// Hand-written because the signing string depends on distinctions Foundation loses
/// (bool vs number, null vs absent, key order; §2.2) and because the relay parses every
/// routed frame, so it works directly on contiguous UTF-8 bytes without intermediate
/// `String`s or `Character` iteration.
///
/// Deliberate differences from `JSON.parse`:
/// - a lone surrogate escape (`"\ud800"`) is rejected, since `String` cannot hold it (§2.3);
/// - invalid UTF-8 is rejected rather than replaced with U+FFFD (the reference receives
///   text frames that WebSocket already validated, so this never rejects a real frame);
/// - nesting is capped (`defaultMaxDepth`) so hostile input cannot exhaust the stack.
///
/// Everything else matches: duplicate keys keep the last value at the first key's
/// position, numbers become `Double` (`1e400` → `+inf`, `-0` → `-0.0`), and a byte-order
/// mark is *not* whitespace.
public enum JSONParser {
    /// Nesting limit for arrays and objects. Conforming frames nest at most a couple of
    /// levels; 64 leaves room for key files and admin bodies.
    public static let defaultMaxDepth = 64

    /// Parses one JSON text (any top-level value, including `null`).
    public static func parse(
        _ bytes: some Collection<UInt8>, maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSONValue {
        // Typed throws do not flow through the `rethrows` closure APIs, so carry a Result.
        let fast = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) -> JSONValue in
                try parseBuffer(buffer, maxDepth: maxDepth)
            }
        }
        if let fast { return try fast.get() }
        let copy = Array(bytes)
        let slow = copy.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONParseError) -> JSONValue in
                try parseBuffer(buffer, maxDepth: maxDepth)
            }
        }
        return try slow.get()
    }

    /// Parses one JSON text given as a `String` (its UTF-8 bytes are read in place).
    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        try parse(text.utf8, maxDepth: maxDepth)
    }

    /// Parses a JSON text whose top level must be an object — the shape of every frame.
    /// Throws `.notAnObject` (offset 0) for other valid JSON, e.g. `null`.
    public static func parseObject(
        _ bytes: some Collection<UInt8>, maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSONObject {
        guard case .object(let object) = try parse(bytes, maxDepth: maxDepth) else {
            throw JSONParseError(offset: 0, reason: .notAnObject)
        }
        return object
    }

    /// `parseObject` for a `String`.
    public static func parseObject(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONObject {
        try parseObject(text.utf8, maxDepth: maxDepth)
    }

    private static func parseBuffer(
        _ buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int
    ) throws(JSONParseError) -> JSONValue {
        var parser = ByteParser(buffer, maxDepth: maxDepth)
        return try parser.parseDocument()
    }
}

// ASCII code points used by the grammar, named so the switches read like RFC 8259.
private enum ASCII {
    static let quote: UInt8 = 0x22, backslash: UInt8 = 0x5C, slash: UInt8 = 0x2F
    static let comma: UInt8 = 0x2C, colon: UInt8 = 0x3A
    static let openBrace: UInt8 = 0x7B, closeBrace: UInt8 = 0x7D
    static let openBracket: UInt8 = 0x5B, closeBracket: UInt8 = 0x5D
    static let minus: UInt8 = 0x2D, plus: UInt8 = 0x2B, dot: UInt8 = 0x2E
    static let zero: UInt8 = 0x30, nine: UInt8 = 0x39
    static let lowerE: UInt8 = 0x65, upperE: UInt8 = 0x45
    static let space: UInt8 = 0x20, tab: UInt8 = 0x09, lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
}

/// Recursive-descent state over one contiguous buffer. Lives only for one `parse` call,
/// so holding the unsafe pointer is sound.
private struct ByteParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private let end: Int
    private let maxDepth: Int
    private var pos = 0
    private var depth = 0
    /// Reused across strings that contain escapes (the uncommon path).
    private var scratch: [UInt8] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.end = bytes.count
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        let value = try parseValue()
        skipWhitespace()
        if pos != end { throw fail(.trailingData) }
        return value
    }

    // MARK: Values

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard pos < end else { throw fail(.unexpectedEnd) }
        switch bytes[pos] {
        case ASCII.openBrace: return .object(try parseObject())
        case ASCII.openBracket: return .array(try parseArray())
        case ASCII.quote: return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case ASCII.minus, ASCII.zero...ASCII.nine: return .number(try parseNumber())
        case let b: throw fail(.unexpectedByte(b))
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONObject {
        try enterContainer()
        var object = JSONObject()
        skipWhitespace()
        if pos < end, bytes[pos] == ASCII.closeBrace {
            pos += 1
            depth -= 1
            return object
        }
        while true {
            skipWhitespace()
            guard pos < end else { throw fail(.unexpectedEnd) }
            guard bytes[pos] == ASCII.quote else { throw fail(.unexpectedByte(bytes[pos])) }
            let key = try parseString()
            try expect(ASCII.colon)
            // Subscript assignment gives JSON.parse's duplicate rule for free:
            // a repeated key overwrites the value in the first key's slot.
            object[key] = try parseValue()
            if try endOfContainer(ASCII.closeBrace) { break }
        }
        depth -= 1
        return object
    }

    private mutating func parseArray() throws(JSONParseError) -> [JSONValue] {
        try enterContainer()
        var array: [JSONValue] = []
        skipWhitespace()
        if pos < end, bytes[pos] == ASCII.closeBracket {
            pos += 1
            depth -= 1
            return array
        }
        while true {
            array.append(try parseValue())
            if try endOfContainer(ASCII.closeBracket) { break }
        }
        depth -= 1
        return array
    }

    private mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        if depth > maxDepth { throw fail(.tooDeep(limit: maxDepth)) }
        pos += 1
    }

    /// Consumes `,` (returns false: another member follows) or `close` (returns true).
    /// Requiring a member after every comma is what rejects trailing commas.
    private mutating func endOfContainer(_ close: UInt8) throws(JSONParseError) -> Bool {
        skipWhitespace()
        guard pos < end else { throw fail(.unexpectedEnd) }
        let b = bytes[pos]
        pos += 1
        if b == ASCII.comma { return false }
        if b == close { return true }
        pos -= 1
        throw fail(.unexpectedByte(b))
    }

    private mutating func expect(_ byte: UInt8) throws(JSONParseError) {
        skipWhitespace()
        guard pos < end else { throw fail(.unexpectedEnd) }
        guard bytes[pos] == byte else { throw fail(.unexpectedByte(bytes[pos])) }
        pos += 1
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        let text = literal.utf8Start
        for i in 0..<count {
            guard pos < end else { throw fail(.unexpectedEnd) }
            guard bytes[pos] == text[i] else { throw fail(.unexpectedByte(bytes[pos])) }
            pos += 1
        }
    }

    private mutating func skipWhitespace() {
        while pos < end {
            switch bytes[pos] {
            case ASCII.space, ASCII.lf, ASCII.cr, ASCII.tab: pos += 1
            default: return
            }
        }
    }

    // MARK: Numbers

    private mutating func parseNumber() throws(JSONParseError) -> Double {
        let start = pos
        let negative = bytes[pos] == ASCII.minus
        if negative { pos += 1 }
        let intStart = pos
        guard pos < end, isDigit(bytes[pos]) else { throw fail(.invalidNumber) }
        if bytes[pos] == ASCII.zero {
            pos += 1
            if pos < end, isDigit(bytes[pos]) { throw fail(.invalidNumber) }
        } else {
            while pos < end, isDigit(bytes[pos]) { pos += 1 }
        }
        let intDigits = pos - intStart
        var isPlainInteger = true
        if pos < end, bytes[pos] == ASCII.dot {
            isPlainInteger = false
            pos += 1
            try requireDigits()
        }
        if pos < end, bytes[pos] == ASCII.lowerE || bytes[pos] == ASCII.upperE {
            isPlainInteger = false
            pos += 1
            if pos < end, bytes[pos] == ASCII.plus || bytes[pos] == ASCII.minus { pos += 1 }
            try requireDigits()
        }

        // seq/ts/proto are short integers: below 10^15 the value fits a Double exactly,
        // so skip the string round trip through strtod.
        if isPlainInteger, intDigits <= 15 {
            var value: Int64 = 0
            for i in intStart..<pos { value = value &* 10 &+ Int64(bytes[i] &- ASCII.zero) }
            let magnitude = Double(value)
            return negative ? -magnitude : magnitude
        }
        // The slice has been validated against the JSON grammar, which is a subset of
        // what strtod accepts, and strtod rounds correctly (as JS does); overflow gives
        // ±inf exactly like JSON.parse("1e400").
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
        guard let value = Double(text) else {
            pos = start
            throw fail(.invalidNumber)
        }
        return value
    }

    private mutating func requireDigits() throws(JSONParseError) {
        guard pos < end, isDigit(bytes[pos]) else { throw fail(.invalidNumber) }
        while pos < end, isDigit(bytes[pos]) { pos += 1 }
    }

    @inline(__always)
    private func isDigit(_ b: UInt8) -> Bool { b &- ASCII.zero < 10 }

    // MARK: Strings

    /// Parses a string starting at its opening quote. The common case (no escapes) is a
    /// single scan plus one `String` construction straight from the input buffer.
    private mutating func parseString() throws(JSONParseError) -> String {
        let open = pos
        pos += 1
        let start = pos
        while pos < end {
            let b = bytes[pos]
            if b == ASCII.quote {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
                pos += 1
                return s
            }
            if b == ASCII.backslash {
                scratch.removeAll(keepingCapacity: true)
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<pos]))
                return try parseEscapedRemainder(open: open)
            }
            if b < 0x20 { throw fail(.unescapedControlCharacter(b)) }
            if b < 0x80 {
                pos += 1
            } else {
                pos += try utf8SequenceLength()
            }
        }
        pos = open
        throw fail(.unterminatedString)
    }

    /// Slow path once a backslash is seen: decode into `scratch`.
    private mutating func parseEscapedRemainder(open: Int) throws(JSONParseError) -> String {
        while pos < end {
            let b = bytes[pos]
            if b == ASCII.quote {
                pos += 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if b == ASCII.backslash {
                try decodeEscape()
            } else if b < 0x20 {
                throw fail(.unescapedControlCharacter(b))
            } else if b < 0x80 {
                scratch.append(b)
                pos += 1
            } else {
                let length = try utf8SequenceLength()
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[pos..<pos + length]))
                pos += length
            }
        }
        pos = open
        throw fail(.unterminatedString)
    }

    private mutating func decodeEscape() throws(JSONParseError) {
        let escapeStart = pos
        pos += 1
        guard pos < end else { throw fail(.unterminatedString) }
        let c = bytes[pos]
        pos += 1
        switch c {
        case ASCII.quote, ASCII.backslash, ASCII.slash: scratch.append(c)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try hex4()
            var scalar = UInt32(unit)
            if (0xD800...0xDBFF).contains(unit) {
                // A high surrogate is only meaningful as the first half of `\uXXXX\uXXXX`.
                guard pos + 1 < end, bytes[pos] == ASCII.backslash, bytes[pos + 1] == UInt8(ascii: "u") else {
                    throw JSONParseError(offset: escapeStart, reason: .loneSurrogate(unit))
                }
                pos += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw JSONParseError(offset: escapeStart, reason: .loneSurrogate(unit))
                }
                scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(unit) {
                throw JSONParseError(offset: escapeStart, reason: .loneSurrogate(unit))
            }
            UTF8Bytes.append(scalar, to: &scratch)
        default:
            pos = escapeStart
            throw fail(.invalidEscape)
        }
    }

    private mutating func hex4() throws(JSONParseError) -> UInt16 {
        guard end - pos >= 4 else { throw fail(.invalidEscape) }
        var unit: UInt16 = 0
        for _ in 0..<4 {
            let b = bytes[pos]
            let digit: UInt8
            switch b {
            case ASCII.zero...ASCII.nine: digit = b - ASCII.zero
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: throw fail(.invalidEscape)
            }
            unit = unit << 4 | UInt16(digit)
            pos += 1
        }
        return unit
    }

    /// Length of the valid UTF-8 sequence at `pos`, which is not consumed. Validating
    /// here means the later `String(decoding:)` never silently substitutes U+FFFD.
    private func utf8SequenceLength() throws(JSONParseError) -> Int {
        guard let length = UTF8Bytes.validSequenceLength(in: bytes, at: pos) else { throw fail(.invalidUTF8) }
        return length
    }

    private func fail(_ reason: JSONParseError.Reason) -> JSONParseError {
        JSONParseError(offset: pos, reason: reason)
    }
}
