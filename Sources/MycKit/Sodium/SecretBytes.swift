import CSodium

/// Secret key material. The bytes are wiped with `sodium_memzero` when the last
/// reference goes away, and the value never prints: `description` is redacted so
/// no log line or metadata can leak it by accident.
public final class SecretBytes: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    // Immutable after init; @unchecked is sound because nothing mutates `storage` but deinit.
    private var storage: [UInt8]

    public init(_ bytes: [UInt8]) {
        self.storage = bytes
    }

    /// Creates `count` bytes and lets `fill` write them in place, so the secret never
    /// exists in a second, unwiped buffer.
    init(count: Int, fill: (UnsafeMutablePointer<UInt8>) throws -> Void) rethrows {
        self.storage = [UInt8](repeating: 0, count: count)
        try storage.withUnsafeMutableBufferPointer { try fill($0.baseAddress!) }
    }

    deinit {
        storage.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { sodium_memzero(base, raw.count) }
        }
    }

    public var count: Int { storage.count }

    /// Scoped access: the pointer must not escape the closure.
    public func withUnsafeBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    /// A copy of the raw bytes, for writing key files. The caller owns wiping it.
    public var bytesCopy: [UInt8] { storage }

    public func constantTimeEquals(_ other: SecretBytes) -> Bool {
        guard count == other.count else { return false }
        return withUnsafeBytes { a in other.withUnsafeBytes { b in
            sodium_memcmp(a.baseAddress!, b.baseAddress!, count) == 0
        } }
    }

    public var description: String { "<redacted \(count) bytes>" }
    public var debugDescription: String { description }
}
