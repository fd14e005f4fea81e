import FuzzSupport
import MycKit

/// The frame decoder: `JSONParser` and every typed view the relay and the peer build on a
/// parsed frame (challenge, routed frame, key info, auth fields, control payloads, chunk
/// wrappers). Arbitrary bytes must never crash, trap or hang any of them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrames(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = size > 0 ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    // Depth limits: the default and a shallow one (key files, admin bodies use others).
    for depth in [JSONParser.defaultMaxDepth, 3] {
        guard let value = try? JSONParser.parse(bytes, maxDepth: depth) else { continue }
        if case .object(let object) = value { exercise(object) }
        _ = JSONSerializer.bytes(of: value)
        _ = JSONSerializer.stringify(value, indent: 2)
    }
    // The relay's parse-free path (differential): whenever it takes a frame, the parser takes
    // it too, and the stamped bytes equal what parse, assign and serialize give.
    if let fast = CanonicalFrame(bytes) {
        let parsed = try? JSONParser.parseObject(bytes)
        fuzzCheck(parsed != nil, "CanonicalFrame took a frame the parser refuses")
        for msgID: JSONValue? in [nil, .string("relay-1")] {
            guard var object = parsed else { break }
            object["from"] = .string("al\"ice")
            if let msgID { object["msg_id"] = msgID }
            fuzzCheck(fast.stamped(from: "al\"ice", msgID: msgID) == JSONSerializer.bytes(of: .object(object)),
                      "CanonicalFrame printed other bytes than the full path")
        }
        fuzzCheck(fast.count == parsed?.count, "CanonicalFrame counted other members than the parser")
    }
    // The text forms of control payloads and chunk wrappers are parsed from decrypted
    // plaintext, which is arbitrary once decrypted: feed the raw input to them as well.
    if let text = String(validating: bytes, as: UTF8.self) { exercisePlaintext(text) }
    return 0
}

func exercise(_ object: JSONObject) {
    // Relay → peer frames.
    if let challenge = try? ChallengeFrame(object: object) {
        _ = challenge.verifiedRelayKey()
        _ = challenge.checkRelayIdentity(pins: ["0000:0000:0000:0000:0000:0000:0000:0000"])
    }
    _ = KeyInfo(object: object)
    for key in ["payload", "rooms", "keys", "peers"] {
        if case .object(let inner)? = object[key] { _ = KeyInfo(object: inner) }
        if case .array(let items)? = object[key] {
            for case .object(let inner) in items.prefix(8) { _ = KeyInfo(object: inner) }
        }
    }
    // Peer → peer routed frames: every accessor the gates use, and the signature check.
    let frame = InboundRoutedFrame(object)
    _ = (frame.type, frame.from, frame.sender, frame.senderMatchesFrom, frame.msgID, frame.seq, frame.sessionID,
         frame.room, frame.target, frame.isOffline, frame.isE2E, frame.encrypted, frame.nonce, frame.sig,
         frame.requestID, frame.ts, frame.isTruthy("no_queue"))
    _ = frame.verifySignature(with: Keys.alice.publicKey)
    _ = try? frame.openSession(key: Keys.shared)
    _ = try? frame.openOffline(identityCurve: Keys.aliceCurve)
    _ = try? CanonicalSigningString.validatedBytes(of: object)
    // Auth-frame fields as the relay reads them.
    if let rooms = object["room"]?.stringValue { _ = AuthFrame.normalizeRooms(rooms) }
    _ = AuthFrame.challengeSignatureInput(nonce: [1, 2, 3], peer: object["peer"]?.stringValue ?? "",
                                          rooms: object["rooms"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    _ = SendTypeFilter.filter(object["type"])
    if let permission = object["params"]?.objectValue { _ = MCPChannelNotification.permissionRequest(from: permission) }
}

func exercisePlaintext(_ text: String) {
    _ = ControlPayload.parseAck(text)
    _ = ControlPayload.parseNack(text)
    _ = ControlPayload.parseStsSignature(text)
    if let statement = KeyRotateAnnouncement(plaintext: text) {
        _ = statement.verify(name: "alice", pinnedKey: Keys.alice.publicKey)
    }
    _ = PermissionRequest(plaintext: text)
    _ = PermissionVerdict(plaintext: text)
    _ = ChunkSplitter.tryParseChunk(plaintext: text)
    _ = ChunkSplitter.tryParseChunk(plaintext: text, maxLogicalBytes: 1)
    _ = AuthFrame.normalizeRooms(text)
    _ = SendTypeFilter.filter(text: text)
    _ = RoutedFrame.decodePlaintext(Array(text.utf8))
}

enum Keys {
    static let alice = try! SigningKeyPair(seed: [UInt8](repeating: 0xA1, count: 32))
    static let aliceCurve = try! alice.curve25519()
    static let shared: SharedKey = {
        let mine = try! BoxKeyPair(secretKey: [UInt8](repeating: 0x11, count: 32))
        let theirs = try! BoxKeyPair(secretKey: [UInt8](repeating: 0x22, count: 32))
        return try! mine.sharedKey(with: theirs.publicKey)
    }()
}
