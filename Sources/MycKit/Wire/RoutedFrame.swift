/// Stateless signing, verification and decryption of routed peer frames (PROTOCOL.md
/// §2, §5.6, §5.9). The gates that decide *which* key to use and in what order live in
/// the peer engine; these helpers only answer "is this signature good" and "what does
/// this ciphertext say".
public enum RoutedFrame {
    /// Appends `sig = b64(Ed25519(utf8(C(frame))))`. Anything added afterwards (`no_queue`,
    /// the relay's `from`) is outside the signature by construction.
    static func sign(_ frame: inout JSONObject, with signer: SigningKeyPair) {
        frame["sig"] = .string(signer.signBase64(CanonicalSigningString.bytes(of: frame)))
    }

    /// Verifies the frame's `sig` over `C(frame)` computed from the object *as parsed*
    /// (§2.4) — never from a re-built frame, since any field we failed to model would
    /// otherwise escape the check.
    ///
    /// `false` when `sig` is missing or not a string, when it is not strict base64, and
    /// when `seq`, `ts` or `proto` hold a number that is not an integer in [0, 2^53)
    /// (`CanonicalSigningString.validatedBytes`; the reference crashes on those, §8 item 11).
    public static func verifySignature(of frame: JSONObject, with key: SigningPublicKey) -> Bool {
        guard let sig = frame["sig"]?.stringValue,
              let message = try? CanonicalSigningString.validatedBytes(of: frame) else { return false }
        return key.verify(signatureBase64: sig, message: message)
    }

    /// Decrypts a session frame: `encrypted` and `nonce` are base64, opened with
    /// `crypto_box_open_easy_afternm` under the `(room, from)` session key.
    /// Every failure means "cannot decrypt" to the caller (R10: `_nack`, commit nothing).
    public static func openSession(frame: JSONObject, key: SharedKey) throws(RoutedFrameOpenError) -> String {
        let ciphertext = try field(frame, "encrypted")
        let nonce = try field(frame, "nonce")
        guard let plaintext = try? key.open(ciphertext, nonce: nonce) else { throw .decryptionFailed }
        return try decodeText(plaintext)
    }

    /// Opens an offline envelope's sealed box with our identity curve keys (`idCurve`, §5.3).
    public static func openOffline(frame: JSONObject, identityCurve: BoxKeyPair) throws(RoutedFrameOpenError) -> String {
        let sealed = try field(frame, "encrypted")
        guard let plaintext = try? identityCurve.openSealed(sealed) else { throw .decryptionFailed }
        return try decodeText(plaintext)
    }

    /// The reference's `TextDecoder('utf-8', {fatal: true})`: invalid UTF-8 is a failure
    /// (never U+FFFD), and **one** leading U+FEFF is removed (§1.3 quirk, reproduced so a
    /// message that starts with a BOM reads the same as at a TypeScript peer). Also used
    /// on reassembled chunked messages.
    public static func decodePlaintext(_ bytes: [UInt8]) -> String? {
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes[3...] : bytes[...]
        let text = String(decoding: body, as: UTF8.self)
        // Decoding repairs ill-formed input with U+FFFD; it round-trips only when valid.
        guard text.utf8.elementsEqual(body) else { return nil }
        return text
    }

    private static func decodeText(_ bytes: [UInt8]) throws(RoutedFrameOpenError) -> String {
        guard let text = decodePlaintext(bytes) else { throw .invalidUTF8 }
        return text
    }

    /// A base64 string field. The reference passes whatever is there to `from_base64`,
    /// which throws for non-strings, so a non-string is a decryption failure too.
    private static func field(_ frame: JSONObject, _ key: String) throws(RoutedFrameOpenError) -> [UInt8] {
        guard let text = frame[key]?.stringValue else { throw .missingField(key) }
        guard let bytes = try? Base64.decode(text) else { throw .invalidBase64(key) }
        return bytes
    }
}

/// Why a routed frame's ciphertext could not be turned into text. The engine treats all
/// cases alike (the frame "cannot be decrypted"); the cases exist for logs and tests.
public enum RoutedFrameOpenError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `encrypted` (or, for session frames, `nonce`) is missing or not a string.
    case missingField(String)
    /// The field is not strict padded base64.
    case invalidBase64(String)
    /// Authentication failed: wrong key, wrong nonce, or tampered ciphertext.
    case decryptionFailed
    /// The plaintext is not valid UTF-8.
    case invalidUTF8

    public var description: String {
        switch self {
        case let .missingField(key): return "\(key) is missing or not a string"
        case let .invalidBase64(key): return "\(key) is not valid base64"
        case .decryptionFailed: return "decryption failed (wrong key, or the frame was tampered with)"
        case .invalidUTF8: return "decrypted plaintext is not valid UTF-8"
        }
    }
}
