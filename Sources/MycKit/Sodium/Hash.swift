import CSodium

public enum Hash {
    /// `crypto_hash` = SHA-512, used for fingerprints and constant-time token comparison.
    public static func sha512(_ bytes: some Collection<UInt8>) -> [UInt8] {
        Sodium.ready()
        let input = Array(bytes)
        var out = [UInt8](repeating: 0, count: Int(crypto_hash_BYTES))
        _ = crypto_hash(&out, input, UInt64(input.count))
        return out
    }
}

public enum ConstantTime {
    /// Constant-time comparison of equal-length buffers (`sodium_memcmp`).
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        Sodium.ready()
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return sodium_memcmp(a, b, a.count) == 0
    }

    /// Compares two secrets of any length without leaking where they differ or how long
    /// the expected one is: both are hashed with SHA-512 first, as the reference does.
    public static func equalStrings(_ a: String, _ b: String) -> Bool {
        equal(Hash.sha512(Array(a.utf8)), Hash.sha512(Array(b.utf8)))
    }
}

public enum RandomBytes {
    public static func generate(_ count: Int) -> [UInt8] {
        Sodium.ready()
        var out = [UInt8](repeating: 0, count: count)
        if count > 0 { randombytes_buf(&out, count) }
        return out
    }

    /// Uniform in `0..<upperBound`, for backoff jitter.
    public static func uniform(_ upperBound: UInt32) -> UInt32 {
        Sodium.ready()
        return randombytes_uniform(upperBound)
    }
}
