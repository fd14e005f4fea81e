import CSodium

/// `crypto_secretbox` (XSalsa20-Poly1305) with a password-derived key: the key-file envelope.
public enum SecretBox {
    public static let keyByteCount = Int(crypto_secretbox_KEYBYTES)
    public static let nonceByteCount = Int(crypto_secretbox_NONCEBYTES)

    public static func seal(_ plaintext: [UInt8], nonce: [UInt8], key: SecretBytes) throws(SodiumError) -> [UInt8] {
        Sodium.ready()
        try requireLength(nonce, nonceByteCount, "secretbox nonce")
        guard key.count == keyByteCount else {
            throw .invalidLength(what: "secretbox key", expected: keyByteCount, got: key.count)
        }
        var out = [UInt8](repeating: 0, count: plaintext.count + crypto_secretbox_macbytes())
        let rc = key.withUnsafeBytes { k in
            crypto_secretbox_easy(&out, plaintext, UInt64(plaintext.count), nonce, k.baseAddress!)
        }
        guard rc == 0 else { throw .operationFailed("crypto_secretbox_easy") }
        return out
    }

    public static func open(_ ciphertext: [UInt8], nonce: [UInt8], key: SecretBytes) throws(SodiumError) -> SecretBytes {
        Sodium.ready()
        guard nonce.count == nonceByteCount, key.count == keyByteCount,
              ciphertext.count >= crypto_secretbox_macbytes() else { throw .decryptionFailed }
        var rc: Int32 = -1
        let plain = SecretBytes(count: ciphertext.count - crypto_secretbox_macbytes()) { out in
            key.withUnsafeBytes { k in
                rc = crypto_secretbox_open_easy(out, ciphertext, UInt64(ciphertext.count), nonce, k.baseAddress!)
            }
        }
        guard rc == 0 else { throw .decryptionFailed }
        return plain
    }
}

/// `crypto_pwhash` with Argon2id v1.3 at libsodium's MODERATE limits (ops 3, 256 MiB),
/// exactly the reference's key-file KDF.
public enum PasswordHash {
    public static let saltByteCount = Int(crypto_pwhash_SALTBYTES)
    public static var opsLimitModerate: Int { Sodium.ready(); return crypto_pwhash_opslimit_moderate() }
    public static var memLimitModerate: Int { Sodium.ready(); return crypto_pwhash_memlimit_moderate() }

    public static func deriveKey(
        passphrase: String, salt: [UInt8], length: Int = SecretBox.keyByteCount,
        opsLimit: Int = PasswordHash.opsLimitModerate, memLimit: Int = PasswordHash.memLimitModerate
    ) throws(SodiumError) -> SecretBytes {
        Sodium.ready()
        try requireLength(salt, saltByteCount, "Argon2id salt")
        let passLength = UInt64(passphrase.utf8.count)
        var rc: Int32 = -1
        let key = SecretBytes(count: length) { out in
            passphrase.withCString { cp in
                rc = crypto_pwhash(out, UInt64(length), cp, passLength, salt,
                                   UInt64(opsLimit), memLimit, crypto_pwhash_alg_argon2id13())
            }
        }
        guard rc == 0 else { throw .keyDerivationFailed }
        return key
    }
}
