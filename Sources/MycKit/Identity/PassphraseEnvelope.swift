/// The passphrase-sealed key-file envelope shared by peer and relay key files
/// (PROTOCOL.md §4.11.1): `{"v":2,"kdf":"argon2id13","salt","nonce","cipher"}` where
/// `cipher = secretbox(compact JSON of the plaintext object, nonce, Argon2id(passphrase, salt))`.
public struct PassphraseEnvelope: Equatable, Sendable {
    public static let version = 2
    public static let kdfName = "argon2id13"

    public let salt: [UInt8]
    public let nonce: [UInt8]
    public let cipher: [UInt8]

    /// Reference rule: a file counts as encrypted when its `cipher` field is truthy.
    public static func isEnvelope(_ object: JSONObject) -> Bool {
        object["cipher"]?.isTruthy ?? false
    }

    public init(salt: [UInt8], nonce: [UInt8], cipher: [UInt8]) {
        self.salt = salt
        self.nonce = nonce
        self.cipher = cipher
    }

    public init(object: JSONObject) throws(KeyFileEnvelopeError) {
        guard let salt = object["salt"]?.stringValue,
              let nonce = object["nonce"]?.stringValue,
              let cipher = object["cipher"]?.stringValue else {
            throw .malformed("salt, nonce and cipher must be strings")
        }
        if let kdf = object["kdf"], kdf.stringValue != Self.kdfName {
            throw .malformed("unsupported kdf \(kdf)")
        }
        do {
            self.salt = try Base64.decode(salt, length: PasswordHash.saltByteCount, what: "salt")
            self.nonce = try Base64.decode(nonce, length: SecretBox.nonceByteCount, what: "nonce")
            self.cipher = try Base64.decode(cipher)
        } catch {
            throw .malformed(error.description)
        }
    }

    /// Seals `plaintext` under a fresh salt and nonce (fresh on every write, as the reference does).
    public static func seal(_ plaintext: [UInt8], passphrase: String) throws(SodiumError) -> PassphraseEnvelope {
        let salt = RandomBytes.generate(PasswordHash.saltByteCount)
        let nonce = RandomBytes.generate(SecretBox.nonceByteCount)
        let key = try PasswordHash.deriveKey(passphrase: passphrase, salt: salt)
        let cipher = try SecretBox.seal(plaintext, nonce: nonce, key: key)
        return PassphraseEnvelope(salt: salt, nonce: nonce, cipher: cipher)
    }

    /// Opens the envelope; a wrong passphrase (or tampering) is `.decryptionFailed`.
    public func open(passphrase: String) throws(SodiumError) -> SecretBytes {
        let key = try PasswordHash.deriveKey(passphrase: passphrase, salt: salt)
        return try SecretBox.open(cipher, nonce: nonce, key: key)
    }

    public var object: JSONObject {
        [
            "v": .number(Double(Self.version)),
            "kdf": .string(Self.kdfName),
            "salt": .string(Base64.encode(salt)),
            "nonce": .string(Base64.encode(nonce)),
            "cipher": .string(Base64.encode(cipher)),
        ]
    }
}

public enum KeyFileEnvelopeError: Error, Equatable {
    case malformed(String)
}
