import CSodium

/// An Ed25519 public key (32 bytes): identities of peers and of the relay.
public struct SigningPublicKey: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = Int(crypto_sign_PUBLICKEYBYTES)
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws(SodiumError) {
        try requireLength(bytes, Self.byteCount, "Ed25519 public key")
        self.bytes = bytes
    }

    public init(base64: String) throws(SodiumError) {
        try self.init(bytes: Base64.decode(base64))
    }

    public var base64: String { Base64.encode(bytes) }

    /// `hex(SHA-512(pk)[0..16])` in 8 groups of 4, joined by `:` (PROTOCOL.md §1.4).
    public var fingerprint: Fingerprint { Fingerprint(publicKey: bytes) }

    /// Detached Ed25519 verification. A malformed signature is simply `false`.
    public func verify(signature: [UInt8], message: some Collection<UInt8>) -> Bool {
        Sodium.ready()
        guard signature.count == Int(crypto_sign_BYTES) else { return false }
        let msg = Array(message)
        return crypto_sign_verify_detached(signature, msg, UInt64(msg.count), bytes) == 0
    }

    /// Verifies a base64 signature; undecodable input counts as a failed verification.
    public func verify(signatureBase64: String, message: some Collection<UInt8>) -> Bool {
        guard let sig = try? Base64.decode(signatureBase64) else { return false }
        return verify(signature: sig, message: message)
    }

    /// `crypto_sign_ed25519_pk_to_curve25519`: the box key offline envelopes and the
    /// sealed token are sealed to.
    public func curve25519() throws(SodiumError) -> BoxPublicKey {
        Sodium.ready()
        var out = [UInt8](repeating: 0, count: BoxPublicKey.byteCount)
        guard crypto_sign_ed25519_pk_to_curve25519(&out, bytes) == 0 else { throw .keyConversionFailed }
        return try BoxPublicKey(bytes: out)
    }

    public var description: String { "Ed25519(\(fingerprint))" }
}

/// An Ed25519 key pair. The 64-byte secret (`seed ‖ pk`, libsodium layout) is wiped on release.
public struct SigningKeyPair: Sendable {
    public static let secretByteCount = Int(crypto_sign_SECRETKEYBYTES)
    public static let seedByteCount = Int(crypto_sign_SEEDBYTES)
    public static let signatureByteCount = Int(crypto_sign_BYTES)

    public let publicKey: SigningPublicKey
    public let secretKey: SecretBytes

    public static func generate() -> SigningKeyPair {
        Sodium.ready()
        var pk = [UInt8](repeating: 0, count: SigningPublicKey.byteCount)
        let sk = SecretBytes(count: secretByteCount) { _ = crypto_sign_keypair(&pk, $0) }
        return SigningKeyPair(publicKey: try! SigningPublicKey(bytes: pk), secretKey: sk)
    }

    public init(seed: [UInt8]) throws(SodiumError) {
        Sodium.ready()
        try requireLength(seed, Self.seedByteCount, "Ed25519 seed")
        var pk = [UInt8](repeating: 0, count: SigningPublicKey.byteCount)
        let sk = SecretBytes(count: Self.secretByteCount) { _ = crypto_sign_seed_keypair(&pk, $0, seed) }
        self.publicKey = try SigningPublicKey(bytes: pk)
        self.secretKey = sk
    }

    /// Loads a stored pair and checks that the secret really belongs to the public key:
    /// a key file whose halves disagree would sign with an identity nobody has pinned.
    public init(publicKey: [UInt8], secretKey: [UInt8]) throws(SodiumError) {
        Sodium.ready()
        let pk = try SigningPublicKey(bytes: publicKey)
        try requireLength(secretKey, Self.secretByteCount, "Ed25519 secret key")
        var derived = [UInt8](repeating: 0, count: SigningPublicKey.byteCount)
        _ = crypto_sign_ed25519_sk_to_pk(&derived, secretKey)
        guard ConstantTime.equal(derived, pk.bytes) else {
            throw .operationFailed("matching the secret key to its public key")
        }
        self.publicKey = pk
        self.secretKey = SecretBytes(secretKey)
    }

    private init(publicKey: SigningPublicKey, secretKey: SecretBytes) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    public func sign(_ message: some Collection<UInt8>) -> [UInt8] {
        Sodium.ready()
        let msg = Array(message)
        var sig = [UInt8](repeating: 0, count: Self.signatureByteCount)
        secretKey.withUnsafeBytes { sk in
            _ = crypto_sign_detached(&sig, nil, msg, UInt64(msg.count), sk.baseAddress!)
        }
        return sig
    }

    public func signBase64(_ message: some Collection<UInt8>) -> String {
        Base64.encode(sign(message))
    }

    /// The identity's box key pair (`idCurve`), used to open offline envelopes and sealed tokens.
    public func curve25519() throws(SodiumError) -> BoxKeyPair {
        Sodium.ready()
        let pk = try publicKey.curve25519()
        var failed = false
        let sk = SecretBytes(count: BoxKeyPair.secretByteCount) { out in
            secretKey.withUnsafeBytes { ed in
                failed = crypto_sign_ed25519_sk_to_curve25519(out, ed.baseAddress!) != 0
            }
        }
        if failed { throw .keyConversionFailed }
        return BoxKeyPair(publicKey: pk, secretKey: sk)
    }
}
