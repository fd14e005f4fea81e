import MCP

/// Converts between the SDK's `Value` and our order-keeping `JSONValue`.
///
/// The SDK decodes every JSON string that looks like a data URL (`data:…,…`) into
/// `Value.data` and re-encodes it as `data:<mime>;base64,…`, which would silently rewrite
/// message text. `DataURLShield` protects tool arguments before the SDK sees them; this
/// bridge removes the shield again (see `MCPStdioGate`).
enum MCPValueBridge {
    /// SDK value → JSON value, undoing `DataURLShield` on every string.
    static func json(from value: Value) -> JSONValue {
        switch value {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .number(Double(i))
        case .double(let d): return .number(d)
        case .string(let s): return .string(DataURLShield.unshield(s))
        case let .data(mimeType, data): return .string(data.dataURLEncoded(mimeType: mimeType))
        case .array(let items): return .array(items.map(json(from:)))
        case .object(let members):
            var object = JSONObject()
            for key in members.keys.sorted() { object[key] = json(from: members[key]!) }
            return .object(object)
        }
    }

    /// Tool arguments → an object (absent arguments are an empty object).
    static func arguments(_ arguments: [String: Value]?) -> JSONObject {
        guard let arguments else { return JSONObject() }
        var object = JSONObject()
        for key in arguments.keys.sorted() { object[key] = json(from: arguments[key]!) }
        return object
    }

    /// JSON value → SDK value (numbers that are exact integers become `.int`).
    static func value(from json: JSONValue) -> Value {
        switch json {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let n):
            if let i = json.integerValue { return .int(Int(i)) }
            return .double(n)
        case .string(let s): return .string(s)
        case .array(let items): return .array(items.map(value(from:)))
        case .object(let members):
            var dictionary: [String: Value] = [:]
            for (key, member) in members { dictionary[key] = value(from: member) }
            return .object(dictionary)
        }
    }
}

/// A reversible marking that keeps the SDK from decoding strings as data URLs.
///
/// Every string whose UTF-8 starts with `data:` (a superset of what the SDK's regex
/// accepts), or with the marker itself, gets one U+E000 (private use) prepended;
/// `unshield` drops one leading marker. `unshield(shield(s)) == s` for every `s`.
enum DataURLShield {
    static let marker: Unicode.Scalar = "\u{E000}"
    private static let dataPrefix = Array("data:".utf8)

    static func needsShield(_ s: String) -> Bool {
        s.utf8.starts(with: dataPrefix) || s.unicodeScalars.first == marker
    }

    static func shield(_ s: String) -> String {
        needsShield(s) ? String(Character(marker)) + s : s
    }

    static func unshield(_ s: String) -> String {
        guard s.unicodeScalars.first == marker else { return s }
        var scalars = s.unicodeScalars
        scalars.removeFirst()
        return String(scalars)
    }

    /// Whether any string (not key) inside `value` needs the shield.
    static func containsShieldable(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let s): return needsShield(s)
        case .array(let items): return items.contains(where: containsShieldable)
        case .object(let members): return members.contains { containsShieldable($0.value) }
        default: return false
        }
    }

    /// Shields every string (not keys) inside `value`.
    static func shield(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let s): return .string(shield(s))
        case .array(let items): return .array(items.map(shield))
        case .object(let members):
            var object = JSONObject()
            for (key, member) in members { object[key] = shield(member) }
            return .object(object)
        default: return value
        }
    }
}
