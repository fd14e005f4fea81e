/// A live session with one peer in one room (§5.5 step 5): the keys the relay advertised,
/// verified, and the shared key derived from our ephemeral key and theirs.
struct PeerSession: Sendable {
    enum Tofu: Sendable, Equatable {
        /// The pin was created by this key processing.
        case new
        /// The key matched an existing pin.
        case trusted
    }

    var peer: RoomPeer
    var keyInfo: KeyInfo
    var signKey: SigningPublicKey
    var ephemeralKey: BoxPublicKey
    var shared: SharedKey
    var tofu: Tofu
    var stsVerified = false

    /// The remote session id the relay distributed (`""` when it sent none); used in the
    /// STS binding and to recognise a retransmission already sent over this session.
    var remoteSessionID: String { keyInfo.sessionID }
}

/// Why key processing (§5.5) refused a peer's keys.
enum KeyProcessingFailure: Error, Sendable, Equatable {
    case missingKeys
    case stsFailed
    case badEphemeralSignature
    case keyChanged
    case malformed

    var blockReason: BlockedKey.Reason {
        switch self {
        case .keyChanged: return .keyChanged
        case .badEphemeralSignature: return .badEphemeralSignature
        case .stsFailed: return .stsFailed
        case .missingKeys, .malformed: return .other
        }
    }

    var text: String {
        switch self {
        case .missingKeys: return "incomplete keys"
        case .stsFailed: return "STS failed earlier; awaiting myc_trust"
        case .badEphemeralSignature: return "bad ephemeral key signature"
        case .keyChanged: return "identity key changed"
        case .malformed: return "malformed key material"
        }
    }
}
