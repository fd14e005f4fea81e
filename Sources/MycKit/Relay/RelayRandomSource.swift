/// Where `RelayCore` gets random bytes (challenge nonces). Injected so tests can replay a
/// run exactly; production uses `SystemRelayRandom` (libsodium's `randombytes_buf`).
public protocol RelayRandomSource: Sendable {
    mutating func bytes(_ count: Int) -> [UInt8]
}

/// libsodium's CSPRNG.
public struct SystemRelayRandom: RelayRandomSource {
    public init() {}

    public func bytes(_ count: Int) -> [UInt8] {
        RandomBytes.generate(count)
    }
}
