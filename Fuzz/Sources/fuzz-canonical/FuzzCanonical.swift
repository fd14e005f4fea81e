import FuzzSupport
import MycKit

/// The serializer round trip and the canonical signing string (PROTOCOL.md §2):
/// - parse → serialize → parse gives the same value (JS semantics: non-finite numbers print
///   as `null`, `-0` as `0`, object keys in JS order), and serializing again gives the same
///   bytes; the pretty form parses to the same value;
/// - `CanonicalSigningString` never fails, is itself one JSON object holding only the 15
///   signed keys in signing order with the frame's values, and `validatedBytes` agrees with it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCanonical(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = size > 0 ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    guard let value = try? JSONParser.parse(bytes) else { return 0 }

    let first = JSONSerializer.bytes(of: value)
    let reparsed: JSONValue
    do { reparsed = try JSONParser.parse(first) } catch {
        fuzzCheck(false, "serializer output does not parse: \(error) in \(String(decoding: first, as: UTF8.self).prefix(200))")
        return 0
    }
    fuzzCheck(sameJS(value, reparsed), "round trip changed the value: \(String(decoding: first, as: UTF8.self).prefix(200))")
    fuzzCheck(JSONSerializer.bytes(of: reparsed) == first, "serializing twice differs")
    let pretty = JSONSerializer.stringify(value, indent: 2)
    fuzzCheck((try? JSONParser.parse(pretty)).map { sameJS($0, reparsed) } ?? false, "pretty form does not round-trip")

    guard case .object(let frame) = value else { return 0 }
    let canonical = CanonicalSigningString.bytes(of: frame)
    fuzzCheck(CanonicalSigningString.string(of: frame) == String(decoding: canonical, as: UTF8.self), "string(of:) ≠ bytes(of:)")
    guard case .object(let signed)? = try? JSONParser.parse(canonical) else {
        fuzzCheck(false, "canonical string is not a JSON object: \(String(decoding: canonical, as: UTF8.self).prefix(200))")
        return 0
    }
    let order = ["e2e", "encrypted", "msg_id", "nonce", "offline", "payload", "proto", "request_id", "room", "sender",
                 "seq", "session_id", "target", "ts", "type"]
    let conditional: Set<String> = ["offline", "proto", "room", "ts"]
    var expected: [String] = []
    for key in order where !conditional.contains(key) || frame[key] != nil { expected.append(key) }
    fuzzCheck(signed.keys.map { $0 } == expected, "canonical keys \(signed.keys.map { $0 }) ≠ \(expected)")
    for key in expected {
        fuzzCheck(sameJS(frame[key] ?? .null, signed[key] ?? .null), "canonical value of \(key) differs")
    }
    if let validated = try? CanonicalSigningString.validatedBytes(of: frame) {
        fuzzCheck(validated == canonical, "validatedBytes ≠ bytes")
    }
    return 0
}

/// Equality as JavaScript would see the value after `JSON.parse(JSON.stringify(v))`.
func sameJS(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.number(let x), .number(let y)) where x.isFinite: return x == y
    case (.number(let x), .null) where !x.isFinite: return true
    case (.array(let xs), .array(let ys)):
        return xs.count == ys.count && zip(xs, ys).allSatisfy { sameJS($0, $1) }
    case (.object(let x), .object(let y)):
        guard x.count == y.count else { return false }
        return x.keys.allSatisfy { key in y[key].map { sameJS(x[key]!, $0) } ?? false }
    default: return a == b
    }
}
