import Testing
@testable import MycKit

/// Deterministic randomness: SplitMix64, with optional scripted values handed out first
/// (each only to a request of its exact length), e.g. the vector ephemeral key.
struct SeededPeerRandom: PeerRandomSource {
    var state: UInt64
    var scripted: [[UInt8]]

    init(seed: UInt64, scripted: [[UInt8]] = []) {
        self.state = seed
        self.scripted = scripted
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        if let first = scripted.first, first.count == count {
            scripted.removeFirst()
            return first
        }
        var out: [UInt8] = []
        out.reserveCapacity(count + 8)
        while out.count < count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            withUnsafeBytes(of: z) { out.append(contentsOf: $0) }
        }
        return Array(out.prefix(count))
    }
}

/// Fixed identities for the engine tests (alice and bob are the crypto.json vector keys).
enum PE {
    static let alice = try! SigningKeyPair(seed: Vectors.hex(Vectors.crypto, "identities.alice.seed_hex"))
    static let bob = try! SigningKeyPair(seed: Vectors.hex(Vectors.crypto, "identities.bob.seed_hex"))
    static let carol = try! SigningKeyPair(seed: [UInt8](repeating: 0xC3, count: 32))
    static let mallory = try! SigningKeyPair(seed: [UInt8](repeating: 0x66, count: 32))
    static let relayKey = try! SigningKeyPair(seed: Vectors.hex(Vectors.crypto, "identities.relay.seed_hex"))
    static let otherRelayKey = try! SigningKeyPair(seed: [UInt8](repeating: 0x77, count: 32))
    static let token = "invite-token-s3cret"
    static let urls = ["ws://relay-a.test", "ws://relay-b.test"]
    static let t0: Int64 = 1_730_000_000_000

    static func config(_ name: String, _ identity: SigningKeyPair, rooms: [String] = ["default"],
                       pins: Set<String> = [], urls: [String] = PE.urls, offlineMaxAgeMs: Int64 = PeerConstants.defaultOfflineMaxAgeMs) -> PeerEngineConfig {
        PeerEngineConfig(name: name, rooms: rooms, identity: identity, relayURLs: urls, relayPins: pins,
                         token: token, offlineMaxAgeMs: offlineMaxAgeMs)
    }
}

/// The crypto.json connection keys, so tests can compute session keys and craft frames.
enum VectorKeys {
    static func ephemeralSecret(_ who: String) -> [UInt8] { Vectors.hex(Vectors.crypto, "ephemeral.\(who).secret_hex") }
    static func sessionID(_ who: String) -> String { Vectors.string(Vectors.crypto, "session_ids.\(who)") }
    /// What the engine's random source must return at connect: eph secret, then session id bytes.
    static func script(_ who: String) -> [[UInt8]] { [ephemeralSecret(who), Hex.decode(sessionID(who))!] }
    static var sharedKey: SharedKey {
        let alice = try! BoxKeyPair(secretKey: ephemeralSecret("alice"))
        let bobPublic = try! BoxPublicKey(base64: Vectors.string(Vectors.crypto, "ephemeral.bob.public_b64"))
        return try! alice.sharedKey(with: bobPublic)
    }
}

/// Builds frames "from alice" (vector identity and session) the way a peer would, so
/// tests can vary one field at a time. `from` is stamped as the relay would.
struct Forge {
    var identity = PE.alice
    var key = VectorKeys.sharedKey
    var sender = "alice"
    var sessionID = VectorKeys.sessionID("alice")

    func frame(type: String = "info", msgID: String, text: String, seq: Int64, target: String = "bob",
               room: String = "default", ts: Int64 = PE.t0, requestID: String? = nil) -> JSONObject {
        let header = RoutedFrameHeader(target: target, room: room, type: type, sender: sender, msgID: msgID,
                                       ts: ts, requestID: requestID)
        var frame = try! SessionFrame.build(header: header, sessionID: sessionID, seq: seq, plaintext: Array(text.utf8),
                                            key: key, signer: identity, nonce: RandomBytes.generate(24))
        frame["from"] = .string(sender)
        return frame
    }

    /// Re-signs a frame after edits (so only the edited field differs).
    func resign(_ frame: JSONObject) -> JSONObject {
        var frame = frame
        frame["sig"] = nil
        frame["no_queue"] = nil
        let from = frame.removeValue(forKey: "from")
        frame["sig"] = .string(identity.signBase64(CanonicalSigningString.bytes(of: frame)))
        if let from { frame["from"] = from }
        return frame
    }
}
