/// A long-term identity: the Ed25519 signing pair, and for a peer that has rotated its
/// key, the record of the key it replaced (sent as `rotation` on every later auth).
public struct Identity: Sendable {
    public let keyPair: SigningKeyPair
    public var previous: RotationRecord?

    public init(keyPair: SigningKeyPair, previous: RotationRecord? = nil) {
        self.keyPair = keyPair
        self.previous = previous
    }

    public var publicKey: SigningPublicKey { keyPair.publicKey }
    public var fingerprint: Fingerprint { keyPair.publicKey.fingerprint }
}

/// The `prev` block of a rotated peer key file (PROTOCOL.md §5.2):
/// `{sign_public: <old pk b64>, continuity_sig: <b64>, rotated_at: <ms>}`.
public struct RotationRecord: Equatable, Sendable {
    public let previousPublicKey: String
    public let continuitySignature: String
    public let rotatedAt: Double

    public init(previousPublicKey: String, continuitySignature: String, rotatedAt: Double) {
        self.previousPublicKey = previousPublicKey
        self.continuitySignature = continuitySignature
        self.rotatedAt = rotatedAt
    }

    init?(object: JSONObject?) {
        guard let object,
              let pk = object["sign_public"]?.stringValue,
              let sig = object["continuity_sig"]?.stringValue,
              let at = object["rotated_at"]?.numberValue else { return nil }
        self.init(previousPublicKey: pk, continuitySignature: sig, rotatedAt: at)
    }

    var object: JSONObject {
        [
            "sign_public": .string(previousPublicKey),
            "continuity_sig": .string(continuitySignature),
            "rotated_at": .number(rotatedAt),
        ]
    }
}
