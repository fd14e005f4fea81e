/// A read-only, typed view of a routed frame as received (PROTOCOL.md §5.9), for the
/// acceptance gates.
///
/// The view never replaces the parsed object: signatures are checked over `object`
/// exactly as parsed, so a field the view does not model (or models loosely) still
/// counts. Accessors return `nil` for absent keys *and* for values of the wrong JSON
/// type; `isTruthy(_:)` answers the reference's truthiness tests on the raw value.
///
/// String comparisons that the reference makes with `===` compare code units here, not
/// Swift's canonical equivalence (under which `"\u{212A}"`, KELVIN SIGN, equals `"K"`).
public struct InboundRoutedFrame: Sendable, Hashable {
    /// The frame as parsed, `from` (and possibly a relay-minted `msg_id`) included.
    public let object: JSONObject

    public init(_ object: JSONObject) {
        self.object = object
    }

    /// The raw value of any key; `nil` when absent.
    public subscript(key: String) -> JSONValue? { object[key] }

    /// JavaScript truthiness of `frame[key]` (absent is falsy), for gates R1, R2, R4, R5, R7.
    public func isTruthy(_ key: String) -> Bool { object[key]?.isTruthy ?? false }

    /// `type`, if a string. Dispatch compares it with the control types.
    public var type: String? { object["type"]?.stringValue }

    /// The relay-stamped sender name: the authenticated connection, not a claim.
    public var from: String? { object["from"]?.stringValue }

    /// The signed sender name claimed by the frame.
    public var sender: String? { object["sender"]?.stringValue }

    /// Gates R2 + R3: `sender` is truthy and `sender === from`. Ties the signed claim to
    /// the connection, so a member cannot replay another member's signed frame as its own.
    public var senderMatchesFrom: Bool {
        guard let sender, !sender.isEmpty, let from else { return false }
        return sender.utf8.elementsEqual(from.utf8)
    }

    /// `msg_id` when it is a non-empty string ("if msg_id is set" in §5.9/§5.10).
    /// A non-string id (never sent by a conforming peer, and never minted by a relay,
    /// which only replaces falsy ids) is treated as unset: nothing is keyed or acked on it.
    public var msgID: String? { nonEmptyString("msg_id") }

    /// `seq` when it is a number. The replay window applies only then (§5.10); whether it
    /// is a valid integer is decided by signature verification (`validatedBytes`).
    public var seq: Double? { object["seq"]?.numberValue }

    /// `session_id` when it is a non-empty string; the window is keyed by it (§5.10).
    public var sessionID: String? { nonEmptyString("session_id") }

    /// The signed `room`, if a string. Room resolution (§5.9 step 4) maps it to one of ours.
    public var room: String? { object["room"]?.stringValue }

    /// The signed `target`, if a string.
    public var target: String? { object["target"]?.stringValue }

    /// `offline === true`: only the boolean `true` selects the offline gate; `1`,
    /// `"true"` and `null` do not.
    public var isOffline: Bool { object["offline"] == .bool(true) }

    /// `e2e` is truthy (gate R1).
    public var isE2E: Bool { isTruthy("e2e") }

    /// `encrypted`, if a string (base64 ciphertext or sealed box).
    public var encrypted: String? { object["encrypted"]?.stringValue }

    /// `nonce`, if a string (session frames only).
    public var nonce: String? { object["nonce"]?.stringValue }

    /// `sig`, if a string.
    public var sig: String? { object["sig"]?.stringValue }

    /// `request_id`, if a string; copied into delivery meta and onto acks' correlations.
    public var requestID: String? { object["request_id"]?.stringValue }

    /// `ts`, if a number; the offline freshness gate (O4) needs a number.
    public var ts: Double? { object["ts"]?.numberValue }

    /// `RoutedFrame.verifySignature(of: object, with:)`.
    public func verifySignature(with key: SigningPublicKey) -> Bool {
        RoutedFrame.verifySignature(of: object, with: key)
    }

    /// `RoutedFrame.openSession(frame: object, key:)`.
    public func openSession(key: SharedKey) throws(RoutedFrameOpenError) -> String {
        try RoutedFrame.openSession(frame: object, key: key)
    }

    /// `RoutedFrame.openOffline(frame: object, identityCurve:)`.
    public func openOffline(identityCurve: BoxKeyPair) throws(RoutedFrameOpenError) -> String {
        try RoutedFrame.openOffline(frame: object, identityCurve: identityCurve)
    }

    private func nonEmptyString(_ key: String) -> String? {
        guard let s = object[key]?.stringValue, !s.isEmpty else { return nil }
        return s
    }
}
