import MycKit

/// JSON-level mutations of real frames: the fuzzer chooses a field and a replacement value,
/// so the mutated frame stays a well-formed object and reaches the gates behind parsing.
public enum FrameMutation {
    public static let keys = [
        "type", "msg_id", "seq", "session_id", "room", "rooms", "target", "sender", "from", "e2e", "offline", "ts",
        "encrypted", "nonce", "sig", "proto", "request_id", "payload", "peer", "no_queue", "sign_pubkey",
        "eph_enc_pubkey", "eph_enc_pubkey_sig", "challenge_sig", "token", "sealed_token", "rotation", "keys", "reason",
        "ttl", "__proto__", "constructor", "0",
    ]

    /// Applies up to four edits read from `reader` to `frame`.
    public static func mutate(_ frame: inout JSONObject, _ reader: inout ByteReader) {
        let edits = Int(reader.byte() % 4) + 1
        for _ in 0..<edits where !reader.isAtEnd {
            let selector = reader.byte()
            let key = keys[Int(selector) % keys.count]
            switch reader.byte() % 6 {
            case 0: frame[key] = nil
            case 1: frame[key] = .null
            case 2: frame[key] = .number(Double(Int16(truncatingIfNeeded: reader.u16())))
            case 3: frame[key] = .string(String(decoding: reader.chunk(), as: UTF8.self))
            case 4:
                // A value from another present key (type confusion with realistic values).
                let source = keys[Int(reader.byte()) % keys.count]
                frame[key] = frame[source] ?? .bool(true)
            default:
                let raw = reader.chunk()
                frame[key] = (try? JSONParser.parse(raw)) ?? .string(String(decoding: raw, as: UTF8.self))
            }
        }
    }

    /// Re-signs a routed frame as `identity` (what a compromised or buggy but authentic peer
    /// could send): `sig` over the canonical string, `from` and `no_queue` left out.
    public static func resign(_ frame: JSONObject, as identity: SigningKeyPair) -> JSONObject {
        var frame = frame
        frame["sig"] = nil
        let noQueue = frame.removeValue(forKey: "no_queue")
        let from = frame.removeValue(forKey: "from")
        frame["sig"] = .string(identity.signBase64(CanonicalSigningString.bytes(of: frame)))
        if let from { frame["from"] = from }
        if let noQueue { frame["no_queue"] = noQueue }
        return frame
    }
}
