/// `challenge` (relay → peer, PROTOCOL.md §3.1), the first frame of every connection:
/// `{"type":"challenge","nonce","relay_pubkey","relay_sig","timestamp","proto":2}` where
/// `relay_sig = Ed25519(nonce_bytes ‖ utf8(timestamp))` with the relay's identity key.
public struct ChallengeFrame: Equatable, Sendable {
    public static let type = "challenge"
    public static let nonceByteCount = 32

    public var nonce: [UInt8]
    public var relayPublicKey: String?
    public var relaySignature: String?
    /// Decimal milliseconds since the epoch, carried as a string.
    public var timestamp: String?
    public var proto: Double?

    public init(nonce: [UInt8], relayPublicKey: String?, relaySignature: String?, timestamp: String?, proto: Double? = 2) {
        self.nonce = nonce
        self.relayPublicKey = relayPublicKey
        self.relaySignature = relaySignature
        self.timestamp = timestamp
        self.proto = proto
    }

    /// A fresh signed challenge, as the relay sends it.
    public static func signed(by relay: SigningKeyPair, nonce: [UInt8], timestampMs: Int64) -> ChallengeFrame {
        let ts = String(timestampMs)
        let sig = relay.signBase64(nonce + Array(ts.utf8))
        return ChallengeFrame(nonce: nonce, relayPublicKey: relay.publicKey.base64, relaySignature: sig, timestamp: ts)
    }

    public init(object: JSONObject) throws(FrameDecodingError) {
        guard object["type"]?.stringValue == Self.type else { throw FrameDecodingError(Self.type, "type is not \"challenge\"") }
        guard let nonceText = object["nonce"]?.stringValue else { throw FrameDecodingError(Self.type, "nonce must be a string") }
        do { self.nonce = try Base64.decode(nonceText) } catch {
            throw FrameDecodingError(Self.type, "nonce is not valid base64")
        }
        self.relayPublicKey = object["relay_pubkey"]?.stringValue
        self.relaySignature = object["relay_sig"]?.stringValue
        self.timestamp = object["timestamp"]?.stringValue
        self.proto = object["proto"]?.numberValue
    }

    public var object: JSONObject {
        var o: JSONObject = ["type": .string(Self.type), "nonce": .string(Base64.encode(nonce))]
        if let relayPublicKey { o["relay_pubkey"] = .string(relayPublicKey) }
        if let relaySignature { o["relay_sig"] = .string(relaySignature) }
        if let timestamp { o["timestamp"] = .string(timestamp) }
        if let proto { o["proto"] = .number(proto) }
        return o
    }

    /// Checks the relay's identity against a pin set (§3.2 step 1–2). With no pins, nothing
    /// is checked — the reference's behaviour, which callers may tighten.
    public func checkRelayIdentity(pins: Set<String>) -> RelayIdentityCheck {
        if pins.isEmpty { return .unpinned }
        guard let pkText = relayPublicKey else { return .failed(.identityMissing) }
        guard let key = try? SigningPublicKey(base64: pkText) else { return .failed(.identityError) }
        guard pins.contains(key.fingerprint.text) else { return .failed(.identityMismatch(key.fingerprint)) }
        return verifySignature(with: key)
    }

    /// Verifies `relay_sig` over `nonce ‖ utf8(timestamp)` whatever the pins, for
    /// `myc fingerprint --relay`, which must never print an unproven fingerprint.
    public func verifiedRelayKey() -> RelayIdentityCheck {
        guard let pkText = relayPublicKey else { return .failed(.identityMissing) }
        guard let key = try? SigningPublicKey(base64: pkText) else { return .failed(.identityError) }
        return verifySignature(with: key)
    }

    private func verifySignature(with key: SigningPublicKey) -> RelayIdentityCheck {
        guard let sig = relaySignature, let ts = timestamp else { return .failed(.signatureMissing) }
        guard key.verify(signatureBase64: sig, message: nonce + Array(ts.utf8)) else {
            return .failed(.signatureInvalid)
        }
        return .verified(key)
    }
}

public enum RelayIdentityCheck: Equatable, Sendable {
    case unpinned
    case verified(SigningPublicKey)
    case failed(RelayIdentityFailure)
}

/// Why a relay's identity was refused; each closes the connection with 4099 and this reason.
public enum RelayIdentityFailure: Error, Equatable, Sendable, CustomStringConvertible {
    case identityMissing
    case identityMismatch(Fingerprint)
    case signatureMissing
    case signatureInvalid
    case identityError
    case sealFailed

    /// The close reason text of PROTOCOL.md §7.1.
    public var closeReason: String {
        switch self {
        case .identityMissing: return "relay identity missing"
        case .identityMismatch: return "relay identity mismatch"
        case .signatureMissing: return "relay sig missing"
        case .signatureInvalid: return "relay sig invalid"
        case .identityError: return "relay identity error"
        case .sealFailed: return "seal failed"
        }
    }

    public var description: String {
        switch self {
        case let .identityMismatch(fp): return "RELAY IDENTITY MISMATCH: got \(fp), not in pinned set"
        case .identityMissing: return "relay sent no relay_pubkey in its challenge"
        case .signatureMissing: return "relay challenge carries no relay_sig or timestamp"
        case .signatureInvalid: return "relay challenge signature does not verify: the relay does not hold the key it presents"
        case .identityError: return "relay_pubkey is not a valid Ed25519 public key"
        case .sealFailed: return "could not seal the token to the relay key"
        }
    }
}
