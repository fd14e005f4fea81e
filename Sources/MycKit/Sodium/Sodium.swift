import CSodium

/// Entry point to libsodium. Every wrapper calls `Sodium.ready()` first, so callers
/// never have to remember `sodium_init()`; the check is one atomic load after the first call.
public enum Sodium {
    private static let initialized: Bool = sodium_init() >= 0

    /// Traps if libsodium cannot initialise: without a working CSPRNG no key may be made.
    @inline(__always)
    static func ready() {
        precondition(initialized, "libsodium failed to initialise (sodium_init < 0)")
    }

    /// The libsodium version string, for `--version` and diagnostics.
    public static var version: String {
        ready()
        return String(cString: sodium_version_string())
    }
}

/// Errors from the sodium layer. A failed verification or open is a value, never a crash.
public enum SodiumError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidLength(what: String, expected: Int, got: Int)
    case invalidBase64
    case decryptionFailed
    case keyConversionFailed
    case keyDerivationFailed
    case operationFailed(String)

    public var description: String {
        switch self {
        case let .invalidLength(what, expected, got):
            return "\(what) must be \(expected) bytes, got \(got)"
        case .invalidBase64:
            return "invalid base64 (standard alphabet with padding expected)"
        case .decryptionFailed:
            return "decryption failed (wrong key, or the data was tampered with)"
        case .keyConversionFailed:
            return "Ed25519 → Curve25519 key conversion failed (not a valid Ed25519 key)"
        case .keyDerivationFailed:
            return "key derivation failed (out of memory?)"
        case let .operationFailed(what):
            return "\(what) failed"
        }
    }
}

func requireLength(_ bytes: [UInt8], _ expected: Int, _ what: String) throws(SodiumError) {
    guard bytes.count == expected else {
        throw .invalidLength(what: what, expected: expected, got: bytes.count)
    }
}
