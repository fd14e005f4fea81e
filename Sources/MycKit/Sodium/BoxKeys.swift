import CSodium

/// An X25519 public key (32 bytes): per-connection ephemeral keys, identity box keys.
public struct BoxPublicKey: Hashable, Sendable {
    public static let byteCount = Int(crypto_box_PUBLICKEYBYTES)
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws(SodiumError) {
        try requireLength(bytes, Self.byteCount, "X25519 public key")
        self.bytes = bytes
    }

    public init(base64: String) throws(SodiumError) {
        try self.init(bytes: Base64.decode(base64))
    }

    public var base64: String { Base64.encode(bytes) }
}

/// An X25519 key pair; the secret half is wiped on release.
public struct BoxKeyPair: Sendable {
    public static let secretByteCount = Int(crypto_box_SECRETKEYBYTES)

    public let publicKey: BoxPublicKey
    public let secretKey: SecretBytes

    public static func generate() -> BoxKeyPair {
        Sodium.ready()
        var pk = [UInt8](repeating: 0, count: BoxPublicKey.byteCount)
        let sk = SecretBytes(count: secretByteCount) { _ = crypto_box_keypair(&pk, $0) }
        return BoxKeyPair(publicKey: try! BoxPublicKey(bytes: pk), secretKey: sk)
    }

    /// Rebuilds a pair from a stored or test secret; the public half is recomputed.
    public init(secretKey: [UInt8]) throws(SodiumError) {
        Sodium.ready()
        try requireLength(secretKey, Self.secretByteCount, "X25519 secret key")
        var pk = [UInt8](repeating: 0, count: BoxPublicKey.byteCount)
        guard crypto_scalarmult_base(&pk, secretKey) == 0 else {
            throw .operationFailed("deriving the X25519 public key")
        }
        self.publicKey = try BoxPublicKey(bytes: pk)
        self.secretKey = SecretBytes(secretKey)
    }

    init(publicKey: BoxPublicKey, secretKey: SecretBytes) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// `crypto_box_beforenm(their_pk, my_sk)`: the session key both sides compute alike.
    public func sharedKey(with their: BoxPublicKey) throws(SodiumError) -> SharedKey {
        Sodium.ready()
        var failed = false
        let k = SecretBytes(count: SharedKey.byteCount) { out in
            secretKey.withUnsafeBytes { sk in
                failed = crypto_box_beforenm(out, their.bytes, sk.baseAddress!) != 0
            }
        }
        if failed { throw .operationFailed("computing the session key (weak public key?)") }
        return SharedKey(key: k)
    }

    /// `crypto_box_seal_open` with this pair.
    public func openSealed(_ sealed: [UInt8]) throws(SodiumError) -> [UInt8] {
        Sodium.ready()
        let overhead = crypto_box_sealbytes()
        guard sealed.count >= overhead else { throw .decryptionFailed }
        var out = [UInt8](repeating: 0, count: sealed.count - overhead)
        let rc = secretKey.withUnsafeBytes { sk in
            crypto_box_seal_open(&out, sealed, UInt64(sealed.count), publicKey.bytes, sk.baseAddress!)
        }
        guard rc == 0 else { throw .decryptionFailed }
        return out
    }
}

/// A precomputed `crypto_box` key (XSalsa20-Poly1305) for one live session.
public struct SharedKey: Sendable {
    public static let byteCount = Int(crypto_box_BEFORENMBYTES)
    public static let nonceByteCount = Int(crypto_box_NONCEBYTES)
    let key: SecretBytes

    public init(bytes: [UInt8]) throws(SodiumError) {
        try requireLength(bytes, Self.byteCount, "session key")
        self.key = SecretBytes(bytes)
    }

    init(key: SecretBytes) { self.key = key }

    /// For test vectors only: the raw key.
    public var bytesCopy: [UInt8] { key.bytesCopy }

    /// `crypto_box_easy_afternm`: output is `tag(16) ‖ ciphertext`.
    public func seal(_ plaintext: [UInt8], nonce: [UInt8]) throws(SodiumError) -> [UInt8] {
        Sodium.ready()
        try requireLength(nonce, Self.nonceByteCount, "box nonce")
        var out = [UInt8](repeating: 0, count: plaintext.count + crypto_box_macbytes())
        let rc = key.withUnsafeBytes { k in
            crypto_box_easy_afternm(&out, plaintext, UInt64(plaintext.count), nonce, k.baseAddress!)
        }
        guard rc == 0 else { throw .operationFailed("crypto_box_easy_afternm") }
        return out
    }

    /// `crypto_box_open_easy_afternm`. Any tampering or wrong key is `.decryptionFailed`.
    public func open(_ ciphertext: [UInt8], nonce: [UInt8]) throws(SodiumError) -> [UInt8] {
        Sodium.ready()
        guard nonce.count == Self.nonceByteCount, ciphertext.count >= crypto_box_macbytes() else {
            throw .decryptionFailed
        }
        var out = [UInt8](repeating: 0, count: ciphertext.count - crypto_box_macbytes())
        let rc = key.withUnsafeBytes { k in
            crypto_box_open_easy_afternm(&out, ciphertext, UInt64(ciphertext.count), nonce, k.baseAddress!)
        }
        guard rc == 0 else { throw .decryptionFailed }
        return out
    }
}

public enum SealedBox {
    public static var overhead: Int { Sodium.ready(); return crypto_box_sealbytes() }

    /// `crypto_box_seal`: anonymous encryption to a box public key (offline envelopes, tokens).
    public static func seal(_ plaintext: [UInt8], to recipient: BoxPublicKey) throws(SodiumError) -> [UInt8] {
        Sodium.ready()
        var out = [UInt8](repeating: 0, count: plaintext.count + crypto_box_sealbytes())
        let rc = crypto_box_seal(&out, plaintext, UInt64(plaintext.count), recipient.bytes)
        guard rc == 0 else { throw .operationFailed("crypto_box_seal") }
        return out
    }
}
