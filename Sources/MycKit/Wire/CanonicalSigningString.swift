/// The canonical signing string `C(frame)` of PROTOCOL.md §2: the exact bytes every
/// routed peer frame's Ed25519 signature covers.
///
/// The reference builds a fresh JS object from 15 fixed keys and calls `JSON.stringify`
/// on it. Two JavaScript idioms decide presence (§2.2), and both are reproduced exactly:
/// - always-present keys use `frame.k ?? null`: absent and `null` both print `null`,
///   while falsy values (`0`, `false`, `""`) are kept;
/// - conditional keys (`offline`, `proto`, `room`, `ts`) use `frame.k !== undefined`:
///   a key present with `null` prints `"k":null`, an absent key is omitted.
///
/// Input must be the frame *as parsed* (§2.4): escapes decoded, numbers as doubles,
/// duplicates collapsed — which is what `JSONParser` produces.
public enum CanonicalSigningString {
    /// The 15 keys in signing order; `conditional` keys appear only when present.
    /// None is an array index, so JS would also enumerate them in this order.
    static let fields: [(key: String, conditional: Bool)] = [
        ("e2e", false), ("encrypted", false), ("msg_id", false), ("nonce", false),
        ("offline", true), ("payload", false), ("proto", true), ("request_id", false),
        ("room", true), ("sender", false), ("seq", false), ("session_id", false),
        ("target", false), ("ts", true), ("type", false),
    ]

    /// Keys that §2.3 says must hold integers in [0, 2^53) when they hold a number.
    static let integerFields: [String] = ["seq", "ts", "proto"]

    /// UTF-8 bytes of `C(frame)` — what gets signed and verified. Never fails: any
    /// frame has a canonical form, including exotic nested values (§2.3).
    public static func bytes(of frame: JSONObject) -> [UInt8] {
        let slots = collect(frame)
        var out: [UInt8] = []
        // Typical canonical strings are ~300 bytes plus the ciphertext.
        out.reserveCapacity(320 + (slots[1]?.stringValue?.utf8.count ?? 0))
        out.append(UInt8(ascii: "{"))
        var first = true
        for (i, field) in fields.enumerated() {
            let value: JSONValue
            if let present = slots[i] {
                value = present
            } else if field.conditional {
                continue
            } else {
                value = .null
            }
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONSerializer.appendString(field.key, to: &out)
            out.append(UInt8(ascii: ":"))
            JSONSerializer.append(value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// `C(frame)` as text (for logs, tests and `myc_verify`-style tooling).
    public static func string(of frame: JSONObject) -> String {
        String(decoding: bytes(of: frame), as: UTF8.self)
    }

    /// `bytes(of:)` for receivers, after the check §2.3 recommends: `seq`, `ts` and
    /// `proto`, when they hold a number, must hold an integer in [0, 2^53). The
    /// reference crashes on a fractional `seq` (§8 item 11) and no conforming peer sends
    /// anything else, so such frames are refused rather than verified. `null`, absent
    /// and non-numeric values pass here; the inbound gates judge those.
    public static func validatedBytes(of frame: JSONObject) throws(InvalidFieldError) -> [UInt8] {
        for key in integerFields {
            guard case .number(let n)? = frame[key] else { continue }
            guard n.isFinite, n >= 0, n < 9_007_199_254_740_992, n.rounded(.towardZero) == n else {
                throw InvalidFieldError(key: key, value: n)
            }
        }
        return bytes(of: frame)
    }

    /// A canonical integer field holds a number outside the integers in [0, 2^53).
    public struct InvalidFieldError: Error, CustomStringConvertible, Sendable, Hashable {
        /// `"seq"`, `"ts"` or `"proto"`.
        public let key: String
        /// The offending value as parsed.
        public let value: Double

        public var description: String {
            "canonical field \"\(key)\" must be an integer in [0, 2^53), got \(JSONValue.number(value))"
        }
    }

    /// One pass over the frame, dropping each canonical key's value into its slot.
    /// Cheaper than 15 separate lookups, and `JSONObject` has already collapsed
    /// duplicates, so no slot is written twice.
    private static func collect(_ frame: JSONObject) -> [JSONValue?] {
        var slots = [JSONValue?](repeating: nil, count: fields.count)
        for (key, value) in frame {
            if let i = slot(of: key) { slots[i] = value }
        }
        return slots
    }

    /// Index into `fields`, dispatching on length first so a non-canonical key costs
    /// at most three string comparisons.
    private static func slot(of key: String) -> Int? {
        switch key.utf8.count {
        case 2: return key == "ts" ? 13 : nil
        case 3: return key == "e2e" ? 0 : key == "seq" ? 10 : nil
        case 4: return key == "room" ? 8 : key == "type" ? 14 : nil
        case 5: return key == "nonce" ? 3 : key == "proto" ? 6 : nil
        case 6: return key == "msg_id" ? 2 : key == "sender" ? 9 : key == "target" ? 12 : nil
        case 7: return key == "offline" ? 4 : key == "payload" ? 5 : nil
        case 9: return key == "encrypted" ? 1 : nil
        case 10: return key == "request_id" ? 7 : key == "session_id" ? 11 : nil
        default: return nil
        }
    }
}
