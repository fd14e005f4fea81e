/// A parsed JSON value that keeps every distinction the protocol signs over.
///
/// `JSONSerialization` collapses `true` into `1` and loses key order, both of which
/// change the canonical signing string (PROTOCOL.md §2.2), so the wire layer uses this
/// enum instead. "Absent" is not a case: it is modelled by `JSONObject` returning `nil`.
///
/// Numbers are `Double` because that is what the reference (JavaScript) holds; the
/// canonical string is printed from the double, not from the wire text.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

extension JSONValue {
    /// The string, if this is a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The boolean, if this is a boolean (numbers are *not* coerced).
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The number, if this is a number.
    public var numberValue: Double? {
        if case .number(let n) = self { return n }
        return nil
    }

    /// The number as an exact integer, if it is finite, integral and of magnitude
    /// below 2^53 — the range in which a JavaScript peer represents integers exactly.
    /// `-0` yields `0`.
    public var integerValue: Int64? {
        guard case .number(let n) = self, n.isFinite, n.rounded(.towardZero) == n,
              n.magnitude < 9_007_199_254_740_992 else { return nil }
        return Int64(n)
    }

    /// The object, if this is an object.
    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// `true` only for an explicit JSON `null` (absence is `Optional.none` one level up).
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// JavaScript truthiness. The reference uses idioms like `if (!frame.msg_id)`, so
    /// parity needs exactly JS's falsy set: `null`, `false`, `0`, `-0`, `NaN`, `""`.
    /// Arrays and objects are truthy even when empty.
    public var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .number(let n): return !(n == 0 || n.isNaN)
        case .string(let s): return !s.isEmpty
        case .array, .object: return true
        }
    }
}

extension JSONValue: CustomStringConvertible {
    /// Compact `JSON.stringify` text; handy in logs and test failure messages.
    public var description: String { JSONSerializer.string(of: self) }
}

// Literal conformances keep frame builders and tests readable:
// `let f: JSONObject = ["type": "info", "seq": 0, "payload": nil]`.
// Note that `nil` here means JSON `null`; absence is expressed by leaving the key out.

extension JSONValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) { self = .number(Double(value)) }
}

extension JSONValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .number(value) }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension JSONValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var object = JSONObject()
        for (key, value) in elements { object[key] = value }
        self = .object(object)
    }
}
