/// Reads and writes identity key files in the reference's formats, so an identity moves
/// between implementations unchanged. Two layouts share this logic:
/// peer `{sign_public, sign_secret, prev?}` and relay `{public, private}`.
///
/// Departures from the reference, all fail-closed: a corrupt or unreadable file is an
/// error (the reference silently made a new identity), and writes are atomic.
public struct KeyFile: Sendable {
    public enum Layout: Sendable {
        case peer, relay

        var publicField: String { self == .peer ? "sign_public" : "public" }
        var secretField: String { self == .peer ? "sign_secret" : "private" }
        /// Environment variable named in messages about the passphrase.
        public var passphraseVariable: String { self == .peer ? "MYC_KEY_PASSPHRASE" : "RELAY_KEY_PASSPHRASE" }
        public var defaultPath: String {
            Paths.inHome(self == .peer ? ".mycelium-keys.json" : ".mycelium-relay-keys.json")
        }
    }

    public let path: String
    public let layout: Layout

    public init(path: String, layout: Layout) {
        self.path = path
        self.layout = layout
    }

    public var exists: Bool { AtomicFile.exists(path) }

    /// Loads the identity. With a passphrase configured, a plaintext file is upgraded in
    /// place to the sealed format before this returns.
    public func load(passphrase: String?) throws(KeyFileError) -> Identity {
        let bytes: [UInt8]
        do {
            guard let read = try AtomicFile.read(path) else { throw KeyFileError.missing(path: path) }
            bytes = read
        } catch let error as KeyFileError {
            throw error
        } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
        let object: JSONObject
        do {
            object = try JSONParser.parseObject(bytes)
        } catch {
            throw .corrupt(path: path, reason: "not a JSON object: \(error)")
        }
        if PassphraseEnvelope.isEnvelope(object) {
            guard let passphrase, !passphrase.isEmpty else {
                throw .passphraseRequired(path: path, variable: layout.passphraseVariable)
            }
            let envelope: PassphraseEnvelope
            do { envelope = try PassphraseEnvelope(object: object) } catch {
                throw .corrupt(path: path, reason: "\(error)")
            }
            let inner: SecretBytes
            do { inner = try envelope.open(passphrase: passphrase) } catch {
                throw .wrongPassphrase(path: path)
            }
            let innerObject: JSONObject
            do {
                innerObject = try inner.withUnsafeBytes { try JSONParser.parseObject(Array($0)) }
            } catch {
                throw .corrupt(path: path, reason: "sealed content is not a JSON object")
            }
            return try identity(from: innerObject)
        }
        let identity = try identity(from: object)
        if let passphrase, !passphrase.isEmpty {
            try write(identity, passphrase: passphrase)
        }
        return identity
    }

    /// Writes atomically with mode 0600, sealed when a passphrase is given.
    public func write(_ identity: Identity, passphrase: String?) throws(KeyFileError) {
        let plain = plaintextObject(identity)
        let document: JSONObject
        if let passphrase, !passphrase.isEmpty {
            do {
                let compact = JSONSerializer.bytes(of: .object(plain))
                document = try PassphraseEnvelope.seal(compact, passphrase: passphrase).object
            } catch {
                throw .writeFailed(path: path, reason: "\(error)")
            }
        } else {
            document = plain
        }
        do {
            try AtomicFile.write(JSONSerializer.prettyString(of: .object(document)), to: path, mode: 0o600)
        } catch {
            throw .writeFailed(path: path, reason: error.description)
        }
    }

    /// Creates a new identity file; refuses to replace one unless `overwrite` is set.
    public func create(passphrase: String?, overwrite: Bool) throws(KeyFileError) -> Identity {
        if exists && !overwrite { throw .alreadyExists(path: path) }
        let identity = Identity(keyPair: .generate())
        try write(identity, passphrase: passphrase)
        return identity
    }

    func plaintextObject(_ identity: Identity) -> JSONObject {
        var object: JSONObject = [
            layout.publicField: .string(identity.keyPair.publicKey.base64),
            layout.secretField: .string(Base64.encode(identity.keyPair.secretKey.bytesCopy)),
        ]
        if layout == .peer, let prev = identity.previous {
            object["prev"] = .object(prev.object)
        }
        return object
    }

    func identity(from object: JSONObject) throws(KeyFileError) -> Identity {
        guard let pub = object[layout.publicField]?.stringValue,
              let sec = object[layout.secretField]?.stringValue else {
            throw .corrupt(path: path, reason: "\(layout.publicField) and \(layout.secretField) must be strings")
        }
        let pair: SigningKeyPair
        do {
            pair = try SigningKeyPair(publicKey: Base64.decode(pub), secretKey: Base64.decode(sec))
        } catch {
            throw .corrupt(path: path, reason: "\(error)")
        }
        var previous: RotationRecord? = nil
        if layout == .peer, let prev = object["prev"], !prev.isNull {
            guard let record = RotationRecord(object: prev.objectValue) else {
                throw .corrupt(path: path, reason: "prev must be {sign_public, continuity_sig, rotated_at}")
            }
            previous = record
        }
        return Identity(keyPair: pair, previous: previous)
    }
}
