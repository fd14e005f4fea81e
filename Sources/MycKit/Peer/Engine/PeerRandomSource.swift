/// Where `PeerEngine` gets its randomness: ephemeral X25519 secrets, session ids, box
/// nonces and reconnect jitter. Injected so a test can replay a run exactly (a seeded
/// generator) and production stays on libsodium's CSPRNG (`SystemPeerRandom`).
///
/// A fake must never hand out the same bytes twice for nonces: XSalsa20-Poly1305 under one
/// session key loses confidentiality and integrity when a nonce repeats.
public protocol PeerRandomSource: Sendable {
    mutating func bytes(_ count: Int) -> [UInt8]
}

extension PeerRandomSource {
    /// A uniform value in `[0, 1)` built from 53 random bits (JavaScript's `Math.random()`
    /// range), for the reconnect jitter.
    mutating func unitInterval() -> Double {
        var value: UInt64 = 0
        for byte in bytes(8) { value = value << 8 | UInt64(byte) }
        return Double(value >> 11) / 9_007_199_254_740_992.0
    }
}

/// libsodium's `randombytes_buf`.
public struct SystemPeerRandom: PeerRandomSource {
    public init() {}

    public func bytes(_ count: Int) -> [UInt8] {
        RandomBytes.generate(count)
    }
}
