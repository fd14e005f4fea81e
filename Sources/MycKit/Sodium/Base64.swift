import CSodium

/// Standard base64 with mandatory padding (libsodium's ORIGINAL variant), strict like the
/// reference: whitespace, missing or extra padding, URL-safe characters and non-zero
/// trailing bits are all rejected, so a malformed value makes the surrounding check fail.
public enum Base64 {
    private static let variant = Int32(sodium_base64_VARIANT_ORIGINAL)

    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        Sodium.ready()
        let input = Array(bytes)
        let capacity = sodium_base64_encoded_len(input.count, variant)
        var out = [CChar](repeating: 0, count: capacity)
        input.withUnsafeBufferPointer { inp in
            _ = sodium_bin2base64(&out, capacity, inp.baseAddress, inp.count, variant)
        }
        return out.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    public static func decode(_ text: String) throws(SodiumError) -> [UInt8] {
        Sodium.ready()
        let cstring = text.utf8CString  // NUL-terminated; the NUL is not counted below
        let count = cstring.count - 1
        if count == 0 { return [] }
        // Decoded length never exceeds 3/4 of the input.
        var out = [UInt8](repeating: 0, count: count / 4 * 3 + 3)
        var written = 0
        let ok = cstring.withUnsafeBufferPointer { inp -> Bool in
            var end: UnsafePointer<CChar>? = nil
            let rc = sodium_base642bin(&out, out.count, inp.baseAddress, count, nil, &written, &end, variant)
            // libsodium stops at the first character it cannot use and may still report
            // success; strictness means the whole input must have been consumed.
            return rc == 0 && end == inp.baseAddress! + count
        }
        guard ok else { throw .invalidBase64 }
        out.removeSubrange(written...)
        return out
    }

    /// Decodes and checks the length, for fixed-size keys, nonces and signatures.
    public static func decode(_ text: String, length: Int, what: String) throws(SodiumError) -> [UInt8] {
        let bytes = try decode(text)
        try requireLength(bytes, length, what)
        return bytes
    }
}
