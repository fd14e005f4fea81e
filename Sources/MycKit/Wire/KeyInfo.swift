/// The keys a peer announced in its `auth`, as the relay hands them to the room
/// (PROTOCOL.md §3.5): `{"sign_pubkey","eph_enc_pubkey","eph_enc_pubkey_sig","session_id"}`.
///
/// The relay validates none of these except `sign_pubkey` (through the challenge). A field
/// the auth lacked — or carried as a non-string — is the empty string, so every keyinfo
/// object always has all four keys, in this order.
public struct KeyInfo: Sendable, Hashable {
    public var signPublicKey: String
    public var ephemeralPublicKey: String
    public var ephemeralPublicKeySignature: String
    public var sessionID: String

    public init(signPublicKey: String, ephemeralPublicKey: String, ephemeralPublicKeySignature: String, sessionID: String) {
        self.signPublicKey = signPublicKey
        self.ephemeralPublicKey = ephemeralPublicKey
        self.ephemeralPublicKeySignature = ephemeralPublicKeySignature
        self.sessionID = sessionID
    }

    /// Copies the four fields out of an `auth` frame (or a keyinfo object received from
    /// the relay); a missing or non-string field becomes `""`.
    public init(object: JSONObject) {
        self.signPublicKey = object["sign_pubkey"]?.stringValue ?? ""
        self.ephemeralPublicKey = object["eph_enc_pubkey"]?.stringValue ?? ""
        self.ephemeralPublicKeySignature = object["eph_enc_pubkey_sig"]?.stringValue ?? ""
        self.sessionID = object["session_id"]?.stringValue ?? ""
    }

    /// `{"sign_pubkey","eph_enc_pubkey","eph_enc_pubkey_sig","session_id"}`.
    public var object: JSONObject {
        [
            "sign_pubkey": .string(signPublicKey),
            "eph_enc_pubkey": .string(ephemeralPublicKey),
            "eph_enc_pubkey_sig": .string(ephemeralPublicKeySignature),
            "session_id": .string(sessionID),
        ]
    }

    /// Appends the four fields to `target` (the flat tail of a `peer_joined` payload).
    func appendFields(to target: inout JSONObject) {
        target["sign_pubkey"] = .string(signPublicKey)
        target["eph_enc_pubkey"] = .string(ephemeralPublicKey)
        target["eph_enc_pubkey_sig"] = .string(ephemeralPublicKeySignature)
        target["session_id"] = .string(sessionID)
    }

    /// A room's keyinfo map `{<name>: keyinfo, ...}` with the members in the given (join) order.
    public static func map(_ members: some Sequence<(name: String, keyInfo: KeyInfo)>) -> JSONObject {
        var map = JSONObject()
        for member in members { map[member.name] = .object(member.keyInfo.object) }
        return map
    }
}
