/// The reserved frame types of PROTOCOL.md §5.11. Their plaintexts (inside `encrypted`)
/// are built and read by `ControlPayload`.
public enum ControlType: String, CaseIterable, Sendable {
    case ack = "_ack"
    case nack = "_nack"
    case stsInit = "_sts_init"
    case stsReply = "_sts_reply"
    case stsComplete = "_sts_complete"
    case keyRotate = "_key_rotate"
    case permRequest = "_perm_req"
    case permVerdict = "_perm_verdict"

    /// The control type a wire `type` names, compared by code units as the reference's
    /// `===` does (Swift's `==` would also accept canonically equivalent spellings).
    public init?(wireType: String) {
        guard let match = ControlType(rawValue: wireType), match.rawValue.utf8.elementsEqual(wireType.utf8)
        else { return nil }
        self = match
    }
}

/// Plaintexts of control frames (§5.11), byte-identical to the reference's so both
/// implementations read each other's control traffic. JSON payloads go through
/// `JSONSerializer`, so key order and escaping are exactly `JSON.stringify`'s.
public enum ControlPayload {
    /// Every reserved type, `_perm_verdict` included.
    public static let reservedTypes: Set<String> = Set(ControlType.allCases.map(\.rawValue))

    /// Whether `type` is one of the §5.11 control types.
    public static func isReserved(type: String) -> Bool { ControlType(wireType: type) != nil }

    // MARK: _ack / _nack

    /// `_ack` plaintext: `ack:<msg_id>`.
    public static func ack(_ msgID: String) -> String { "ack:" + msgID }

    /// `_nack` plaintext: `nack:<msg_id>` (asks the sender to retransmit at once).
    public static func nack(_ msgID: String) -> String { "nack:" + msgID }

    /// The id after `ack:`, or `nil` if the plaintext does not start with it (then the
    /// frame is ignored). The id may be empty, as `slice(4)` would give.
    public static func parseAck(_ plaintext: String) -> String? { suffix(of: plaintext, after: "ack:") }

    /// The id after `nack:`, or `nil`.
    public static func parseNack(_ plaintext: String) -> String? { suffix(of: plaintext, after: "nack:") }

    /// `startsWith` + `slice` by code units: `hasPrefix` compares Characters, so it would
    /// miss `ack:` when a combining mark follows the colon.
    private static func suffix(of text: String, after prefix: String) -> String? {
        guard text.utf8.starts(with: prefix.utf8) else { return nil }
        return String(decoding: text.utf8.dropFirst(prefix.utf8.count), as: UTF8.self)
    }

    // MARK: STS (§5.8)

    /// `_sts_init` plaintext. The responder ignores its content.
    public static let stsInit = #"{"sts":"init"}"#

    /// `_sts_reply` / `_sts_complete` plaintext: `{"sts_sig":"<b64 sig over the binding>"}`.
    public static func stsSignature(_ signatureBase64: String) -> String {
        serialize(["sts_sig": .string(signatureBase64)])
    }

    /// The `sts_sig` of a reply or complete, or `nil` when the plaintext is not a JSON
    /// object or `sts_sig` is missing, empty or not a string. The reference *ignores*
    /// such frames (no STS failure), so `nil` means "ignore", not "mismatch".
    public static func parseStsSignature(_ plaintext: String) -> String? {
        guard let sig = parseObject(plaintext)?["sts_sig"]?.stringValue, !sig.isEmpty else { return nil }
        return sig
    }

    // MARK: Helpers

    static func serialize(_ object: JSONObject) -> String {
        JSONSerializer.string(of: .object(object))
    }

    static func parseObject(_ text: String) -> JSONObject? {
        try? JSONParser.parseObject(text)
    }
}

/// `_key_rotate` plaintext: `{"rotate":{"new_pubkey","continuity_sig","ts"}}` (§5.14).
public struct KeyRotateAnnouncement: Sendable, Hashable {
    /// The new identity key, base64.
    public var newPublicKey: String
    /// `RotationStatement` signature by the old key, base64.
    public var continuitySignature: String
    /// The rotation time exactly as parsed; the statement is verified over
    /// `String(ts ?? "")`, so it is kept as a raw value (absent = `nil`).
    public var ts: JSONValue?

    public init(newPublicKey: String, continuitySignature: String, ts: JSONValue?) {
        self.newPublicKey = newPublicKey
        self.continuitySignature = continuitySignature
        self.ts = ts
    }

    /// An announcement as the rotating peer sends it, with `ts` in milliseconds.
    public init(newPublicKey: String, continuitySignature: String, tsMs: Int64) {
        self.init(newPublicKey: newPublicKey, continuitySignature: continuitySignature, ts: .number(Double(tsMs)))
    }

    /// Reads a plaintext. `rotate` must be an object whose `new_pubkey` and
    /// `continuity_sig` are strings (§5.14); otherwise `nil` (announcement ignored).
    public init?(plaintext: String) {
        guard let rotate = ControlPayload.parseObject(plaintext)?["rotate"]?.objectValue,
              let key = rotate["new_pubkey"]?.stringValue,
              let sig = rotate["continuity_sig"]?.stringValue else { return nil }
        self.init(newPublicKey: key, continuitySignature: sig, ts: rotate["ts"])
    }

    /// The compact JSON plaintext (an absent `ts` is left out, as `JSON.stringify` does).
    public var plaintext: String {
        var inner: JSONObject = ["new_pubkey": .string(newPublicKey), "continuity_sig": .string(continuitySignature)]
        if let ts { inner["ts"] = ts }
        return ControlPayload.serialize(["rotate": .object(inner)])
    }

    /// Verifies the continuity statement for `name` against the key we currently trust.
    public func verify(name: String, pinnedKey: SigningPublicKey) -> Bool {
        RotationStatement.verify(signature: continuitySignature, oldKey: pinnedKey,
                                 newPublicKey: newPublicKey, name: name, timestamp: ts)
    }
}

/// `_perm_req` plaintext (§5.17): the host's permission request, forwarded to peers as
/// `{"request_id","tool_name","description","input_preview"}` in that key order.
public struct PermissionRequest: Sendable, Hashable {
    public var requestID: String
    public var toolName: String
    public var description: String
    public var inputPreview: String

    public init(requestID: String, toolName: String, description: String, inputPreview: String) {
        self.requestID = requestID
        self.toolName = toolName
        self.description = description
        self.inputPreview = inputPreview
    }

    /// Reads a received request. It must be a JSON object with a string `request_id`
    /// (without one no verdict could ever be matched to it); the other fields become `""`
    /// when missing or not strings, so a sloppy sender's request is still shown.
    public init?(plaintext: String) {
        guard let object = ControlPayload.parseObject(plaintext),
              let id = object["request_id"]?.stringValue else { return nil }
        self.init(requestID: id,
                  toolName: object["tool_name"]?.stringValue ?? "",
                  description: object["description"]?.stringValue ?? "",
                  inputPreview: object["input_preview"]?.stringValue ?? "")
    }

    public var plaintext: String {
        ControlPayload.serialize([
            "request_id": .string(requestID),
            "tool_name": .string(toolName),
            "description": .string(description),
            "input_preview": .string(inputPreview),
        ])
    }
}

/// `_perm_verdict` plaintext (§5.17): `{"request_id":...,"behavior":...}`, composed by the
/// remote model and forwarded to our host verbatim.
public struct PermissionVerdict: Sendable, Hashable {
    /// Copied as parsed (any JSON value); `nil` when absent, and then left out of the params.
    public var requestID: JSONValue?
    /// Copied as parsed; its meaning belongs to the host (Claude Code: `allow` / `deny`).
    public var behavior: JSONValue?

    public init(requestID: JSONValue?, behavior: JSONValue?) {
        self.requestID = requestID
        self.behavior = behavior
    }

    public init(requestID: String, behavior: String) {
        self.init(requestID: .string(requestID), behavior: .string(behavior))
    }

    /// Reads a verdict; `nil` (dropped silently) unless the plaintext is a JSON object.
    public init?(plaintext: String) {
        guard let object = ControlPayload.parseObject(plaintext) else { return nil }
        self.init(requestID: object["request_id"], behavior: object["behavior"])
    }

    /// Params of `notifications/claude/channel/permission`: `{request_id, behavior}`, each
    /// only if present, as `JSON.stringify` drops `undefined` members.
    public var params: JSONObject {
        var o = JSONObject()
        if let requestID { o["request_id"] = requestID }
        if let behavior { o["behavior"] = behavior }
        return o
    }

    public var plaintext: String { ControlPayload.serialize(params) }
}

/// The send-type filter of `myc_send` / `myc_broadcast` (§5.16): what `type` a model or
/// user may put on an outbound message.
public enum SendTypeFilter {
    /// Why a type was refused.
    public enum Rejection: Error, Equatable, Sendable, CustomStringConvertible {
        case notAString
        /// Longer than 64 UTF-16 code units (the length is carried).
        case tooLong(Int)
        /// Contains a character outside printable ASCII (U+0020–U+007E).
        case invalidCharacter
        /// Starts with `_` (reserved for control frames) and is not `_perm_verdict`.
        case reserved(String)

        public var description: String {
            switch self {
            case .notAString: return "type must be a string"
            case let .tooLong(n): return "type is \(n) characters long; at most \(PeerConstants.maxTypeLength) are allowed"
            case .invalidCharacter: return "type may only contain printable ASCII characters (U+0020–U+007E)"
            case let .reserved(t): return "type \"\(t)\" is reserved for protocol control frames (only _perm_verdict may be sent)"
            }
        }
    }

    /// Missing, `null` or `""` → `"info"`; otherwise the type unchanged, or why not.
    public static func filter(_ value: JSONValue?) -> Result<String, Rejection> {
        switch value {
        case nil, .null?: return .success(PeerConstants.defaultType)
        case .string(let s)?: return filter(text: s)
        default: return .failure(.notAString)
        }
    }

    /// `filter` for a type already known to be a string (`nil` = not given), e.g. from a
    /// command-line flag.
    public static func filter(text type: String?) -> Result<String, Rejection> {
        guard let type, !type.isEmpty else { return .success(PeerConstants.defaultType) }
        let length = type.utf16.count
        if length > PeerConstants.maxTypeLength { return .failure(.tooLong(length)) }
        if !type.utf16.allSatisfy({ (0x20...0x7E).contains($0) }) { return .failure(.invalidCharacter) }
        if type.utf8.first == UInt8(ascii: "_"), ControlType(wireType: type) != .permVerdict {
            return .failure(.reserved(type))
        }
        return .success(type)
    }
}
