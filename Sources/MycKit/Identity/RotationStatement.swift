/// The continuity statement of a key rotation (PROTOCOL.md §5.14):
/// `continuity_sig = sign_old(new_pk(32) ‖ utf8(name) ‖ utf8(decimal ts))`.
///
/// The *old* identity vouches for the new one, so a peer that pinned the old key can move
/// its pin without a human check, and the relay can move the name binding (§4.11.4).
/// The same bytes appear in the `_key_rotate` announcement, in `auth.rotation` and in the
/// key file's `prev` block.
///
/// There are no separators or length prefixes (§8 item 6), so the byte layout must be
/// reproduced exactly; it is fixed by `crypto.json` → `rotation`.
public enum RotationStatement {
    /// The signed bytes: `new_pk ‖ utf8(name) ‖ utf8(timestamp)`.
    public static func message(newPublicKey: [UInt8], name: String, timestamp: String) -> [UInt8] {
        newPublicKey + Array(name.utf8) + Array(timestamp.utf8)
    }

    /// The base64 continuity signature the sender produces with its old key. `timestampMs`
    /// is the rotation time; an integer prints as plain decimal digits, as JS `String(ms)`.
    public static func sign(
        oldKey: SigningKeyPair, newPublicKey: SigningPublicKey, name: String, timestampMs: Int64
    ) -> String {
        oldKey.signBase64(message(newPublicKey: newPublicKey.bytes, name: name, timestamp: String(timestampMs)))
    }

    /// Checks an announced rotation against the key we trust for `name` (the pinned key
    /// at a peer, the bound key at a relay).
    ///
    /// - `newPublicKey` is the announced base64 key; it must decode to a 32-byte Ed25519
    ///   key, because on success it becomes the new pin. (The reference decodes any length;
    ///   refusing a key that could never verify anything is the fail-closed reading.)
    /// - `timestamp` is the announcement's `ts` exactly as parsed. The reference signs over
    ///   `String(ts ?? "")`, so a missing or `null` ts means the empty string and a number
    ///   is printed the JavaScript way (`1730000000000`, never `1.73e12`).
    public static func verify(
        signature: String, oldKey: SigningPublicKey, newPublicKey: String, name: String, timestamp: JSONValue?
    ) -> Bool {
        guard let newKey = try? SigningPublicKey(base64: newPublicKey) else { return false }
        return oldKey.verify(
            signatureBase64: signature,
            message: message(newPublicKey: newKey.bytes, name: name, timestamp: jsString(timestamp)))
    }

    /// JavaScript's `String(value ?? "")` for a parsed JSON value: numbers as
    /// `Number::toString`, arrays joined by `,` (null elements empty), objects as
    /// `[object Object]`. Exotic inputs only matter for parity; a conforming peer sends
    /// an integer number.
    public static func jsString(_ value: JSONValue?) -> String {
        guard let value else { return "" }
        switch value {
        case .null: return ""
        default: return jsToString(value)
        }
    }

    private static func jsToString(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return s
        case .number(let n):
            if n.isNaN { return "NaN" }
            if n.isInfinite { return n > 0 ? "Infinity" : "-Infinity" }
            return JSONSerializer.string(of: .number(n))
        case .array(let elements):
            // Array.prototype.join: null and undefined elements become "".
            return elements.map { $0.isNull ? "" : jsToString($0) }.joined(separator: ",")
        case .object: return "[object Object]"
        }
    }

    /// The `rotation` member of every `auth` sent after a rotation (§3.3):
    /// `{"prev_sign_pubkey":<b64 old pk>,"continuity_sig":<b64>,"ts":<ms>}`.
    public static func authField(_ record: RotationRecord) -> JSONObject {
        [
            "prev_sign_pubkey": .string(record.previousPublicKey),
            "continuity_sig": .string(record.continuitySignature),
            "ts": .number(record.rotatedAt),
        ]
    }
}
