import Foundation
import Testing
@testable import MycKit

/// Outbound construction reproduces crypto.json's frames byte for byte; the receiving
/// helpers verify and open them; and every canonical field is covered by the signature.
@Suite struct WireRoutedFrameTests {
    let v = Vectors.crypto

    static let sessionOrder = [
        "target", "room", "type", "encrypted", "nonce", "e2e", "sender", "session_id",
        "payload", "msg_id", "seq", "ts", "proto", "sig", "no_queue",
    ]

    func header(_ path: String) -> RoutedFrameHeader {
        let f = "\(path).frame_as_sent"
        let request = (Vectors.value(v, f) as! [String: Any])["request_id"] as? String
        return RoutedFrameHeader(
            target: Vectors.string(v, "\(f).target"), room: Vectors.string(v, "\(f).room"),
            type: Vectors.string(v, "\(f).type"), sender: Vectors.string(v, "\(f).sender"),
            msgID: Vectors.string(v, "\(f).msg_id"), ts: WireKeys.int64("\(f).ts"), requestID: request)
    }

    /// `signed_session_frame` (alice, plaintext from session_crypto) or `signed_ack_frame` (bob).
    func buildSessionVector(_ path: String) throws -> JSONObject {
        let f = "\(path).frame_as_sent"
        let sender = Vectors.string(v, "\(f).sender")
        let plaintext = path == "signed_ack_frame"
            ? Vectors.string(v, "signed_ack_frame.plaintext") : Vectors.string(v, "session_crypto.plaintext")
        return try SessionFrame.build(
            header: header(path), sessionID: Vectors.string(v, "\(f).session_id"), seq: WireKeys.int64("\(f).seq"),
            plaintext: Array(plaintext.utf8), key: WireKeys.shared(as: sender), signer: WireKeys.identity(sender),
            nonce: Vectors.b64(v, "\(f).nonce"))
    }

    /// What the receiver gets: the frame re-serialized by the relay with `from` added.
    func received(_ frame: JSONObject, from: String) throws -> JSONObject {
        var stamped = frame
        stamped["from"] = .string(from)
        return try JSONParser.parseObject(JSONSerializer.bytes(of: .object(stamped)))
    }

    @Test(arguments: ["signed_session_frame", "signed_ack_frame"])
    func sessionFrameReproducesVector(path: String) throws {
        let frame = try buildSessionVector(path)
        let expected = WireOrderedVectors.object("\(path).frame_as_sent")
        #expect(frame.keys == Self.sessionOrder)
        #expect(frame.keys == expected.keys)
        #expect(WireOrderedVectors.text(frame) == WireOrderedVectors.text(expected))
        #expect(CanonicalSigningString.string(of: frame) == Vectors.string(v, "\(path).canonical"))
        #expect(frame["sig"]?.stringValue == Vectors.string(v, "\(path).sig_b64"))
        #expect(frame["no_queue"] == .bool(true))
        #expect(frame["encrypted"]?.stringValue == Vectors.string(v, "\(path).frame_as_sent.encrypted"))
    }

    @Test(arguments: ["signed_session_frame", "signed_ack_frame"])
    func sessionFrameVerifiesAndOpensAtTheReceiver(path: String) throws {
        let sender = Vectors.string(v, "\(path).frame_as_sent.sender")
        let receiver = sender == "alice" ? "bob" : "alice"
        // Both our build and the vector's own frame, as delivered.
        for object in [try buildSessionVector(path), WireOrderedVectors.object("\(path).frame_as_sent")] {
            let frame = InboundRoutedFrame(try received(object, from: sender))
            #expect(frame.senderMatchesFrom)
            #expect(frame.verifySignature(with: WireKeys.identity(sender).publicKey))
            #expect(!frame.verifySignature(with: WireKeys.identity(receiver).publicKey))
            let text = try frame.openSession(key: WireKeys.shared(as: receiver))
            let expected = path == "signed_ack_frame"
                ? Vectors.string(v, "signed_ack_frame.plaintext") : Vectors.string(v, "session_crypto.plaintext")
            #expect(text == expected)
        }
    }

    @Test func ackPlaintextAcknowledgesTheSessionFrame() throws {
        let frame = InboundRoutedFrame(WireOrderedVectors.object("signed_ack_frame.frame_as_sent"))
        let text = try frame.openSession(key: WireKeys.shared(as: "alice"))
        #expect(ControlPayload.parseAck(text) == Vectors.string(v, "signed_session_frame.frame_as_sent.msg_id"))
    }

    @Test func offlineEnvelopeMatchesVector() throws {
        let alice = WireKeys.identity("alice")
        let bob = WireKeys.identity("bob")
        let plaintext = Vectors.string(v, "signed_offline_envelope.plaintext")
        var frame = try OfflineEnvelope.build(
            header: header("signed_offline_envelope"), plaintext: Array(plaintext.utf8),
            recipient: bob.publicKey, signer: alice)
        let expected = WireOrderedVectors.object("signed_offline_envelope.frame_as_sent")
        #expect(frame.keys == expected.keys)
        #expect(!frame.contains("no_queue"))

        // Our own (randomized) envelope verifies and opens with bob's identity curve keys only.
        let inbound = InboundRoutedFrame(try received(frame, from: "alice"))
        #expect(inbound.isOffline)
        #expect(inbound.verifySignature(with: alice.publicKey))
        #expect(try inbound.openOffline(identityCurve: bob.curve25519()) == plaintext)
        #expect(throws: RoutedFrameOpenError.decryptionFailed) { try inbound.openOffline(identityCurve: alice.curve25519()) }

        // With the vector's ciphertext in place, canonical string, signature and the whole frame are exact.
        frame["encrypted"] = expected["encrypted"]
        #expect(CanonicalSigningString.string(of: frame) == Vectors.string(v, "signed_offline_envelope.canonical"))
        RoutedFrame.sign(&frame, with: alice)
        #expect(frame["sig"]?.stringValue == Vectors.string(v, "signed_offline_envelope.sig_b64"))
        #expect(WireOrderedVectors.text(frame) == WireOrderedVectors.text(expected))

        let vectorFrame = InboundRoutedFrame(try received(expected, from: "alice"))
        #expect(vectorFrame.verifySignature(with: alice.publicKey))
        #expect(try vectorFrame.openOffline(identityCurve: bob.curve25519()) == plaintext)
    }

    // MARK: What the signature covers

    static let canonicalTampers: [(String, @Sendable (inout JSONObject) -> Void)] = [
        ("room", { $0["room"] = "ops" }),
        ("room removed", { $0["room"] = nil }),
        ("room null", { $0["room"] = .null }),
        ("msg_id", { $0["msg_id"] = "alice-m2r1bzk8-1" }),
        ("target", { $0["target"] = "carol" }),
        ("seq", { $0["seq"] = 1 }),
        ("seq null", { $0["seq"] = .null }),
        ("sender", { $0["sender"] = "mallory" }),
        ("offline added", { $0["offline"] = true }),
        ("offline null added", { $0["offline"] = .null }),
        ("type", { $0["type"] = "_perm_verdict" }),
        ("session_id", { $0["session_id"] = "dd69c194f6616f963f1775f6a12002c5" }),
        ("ts", { $0["ts"] = 1_730_000_000_457 }),
        ("ts removed", { $0["ts"] = nil }),
        ("proto removed", { $0["proto"] = nil }),
        ("nonce", { $0["nonce"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }),
        ("encrypted", { $0["encrypted"] = "AAAA" }),
        ("e2e", { $0["e2e"] = 1 }),
        ("payload", { $0["payload"] = "" }),
        ("request_id added", { $0["request_id"] = "r" }),
        ("fractional seq", { $0["seq"] = 0.5 }),
        ("sig removed", { $0["sig"] = nil }),
        ("sig not a string", { $0["sig"] = 5 }),
        ("sig not base64", { $0["sig"] = "!!" }),
    ]

    @Test(arguments: canonicalTampers.map(\.0))
    func canonicalFieldChangesBreakTheSignature(name: String) throws {
        var frame = try received(WireOrderedVectors.object("signed_session_frame.frame_as_sent"), from: "alice")
        Self.canonicalTampers.first { $0.0 == name }!.1(&frame)
        #expect(!RoutedFrame.verifySignature(of: frame, with: WireKeys.identity("alice").publicKey))
    }

    @Test func offlineFlagIsCoveredOnEnvelopes() throws {
        let key = WireKeys.identity("alice").publicKey
        for change in [{ (f: inout JSONObject) in f["offline"] = nil }, { $0["offline"] = false }, { $0["offline"] = .null }] {
            var frame = try received(WireOrderedVectors.object("signed_offline_envelope.frame_as_sent"), from: "alice")
            #expect(RoutedFrame.verifySignature(of: frame, with: key))
            change(&frame)
            #expect(!RoutedFrame.verifySignature(of: frame, with: key))
        }
    }

    static let nonCanonicalChanges: [(String, @Sendable (inout JSONObject) -> Void)] = [
        ("from", { $0["from"] = "mallory" }),
        ("from removed", { $0["from"] = nil }),
        ("no_queue removed", { $0["no_queue"] = nil }),
        ("no_queue false", { $0["no_queue"] = false }),
        ("unknown field", { $0["x_extra"] = ["a": 1] }),
        ("ttl_s", { $0["ttl_s"] = 3600 }),
        ("key order", { f in
            let copy = f
            f = JSONObject()
            for (k, val) in copy.reversed() { f[k] = val }
        }),
    ]

    @Test(arguments: nonCanonicalChanges.map(\.0))
    func fieldsOutsideTheSignatureDoNotMatter(name: String) throws {
        var frame = try received(WireOrderedVectors.object("signed_session_frame.frame_as_sent"), from: "alice")
        Self.nonCanonicalChanges.first { $0.0 == name }!.1(&frame)
        #expect(RoutedFrame.verifySignature(of: frame, with: WireKeys.identity("alice").publicKey))
    }

    /// The signature is over parsed values: `0.0` on the wire is the number 0 (§2.3).
    @Test func wireNumberSpellingIsNormalized() throws {
        let text = WireOrderedVectors.text(WireOrderedVectors.object("signed_session_frame.frame_as_sent"))
        let respelled = text.replacingOccurrences(of: #""seq":0,"#, with: #""seq":0.0e0,"#)
            .replacingOccurrences(of: #""proto":2,"#, with: #""proto":2.00,"#)
        #expect(respelled != text)
        let frame = try JSONParser.parseObject(respelled)
        #expect(RoutedFrame.verifySignature(of: frame, with: WireKeys.identity("alice").publicKey))
    }

    // MARK: Opening failures and the UTF-8 decode

    func sessionFrame(plaintext: [UInt8]) throws -> JSONObject {
        try SessionFrame.build(
            header: RoutedFrameHeader(target: "bob", room: "default", type: "info", sender: "alice", msgID: "m", ts: 1),
            sessionID: "s", seq: 0, plaintext: plaintext, key: WireKeys.shared(as: "alice"), signer: WireKeys.identity("alice"))
    }

    @Test(arguments: [[0xC3, 0x28], [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF0, 0x9F, 0x98], [0x61, 0x80]] as [[UInt8]])
    func invalidUTF8IsADecryptFailure(bytes: [UInt8]) throws {
        let frame = try sessionFrame(plaintext: bytes)
        #expect(throws: RoutedFrameOpenError.invalidUTF8) { try RoutedFrame.openSession(frame: frame, key: WireKeys.shared(as: "bob")) }
        let bob = WireKeys.identity("bob")
        let envelope = try OfflineEnvelope.build(
            header: RoutedFrameHeader(target: "bob", room: "default", type: "info", sender: "alice", msgID: "m", ts: 1),
            plaintext: bytes, recipient: bob.publicKey, signer: WireKeys.identity("alice"))
        #expect(throws: RoutedFrameOpenError.invalidUTF8) { try RoutedFrame.openOffline(frame: envelope, identityCurve: bob.curve25519()) }
        #expect(RoutedFrame.decodePlaintext(bytes) == nil)
    }

    @Test func exactlyOneLeadingBOMIsStripped() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let cases: [([UInt8], String)] = [
            (bom + Array("hi".utf8), "hi"),
            (bom + bom + Array("hi".utf8), "\u{FEFF}hi"),
            (Array("h".utf8) + bom + Array("i".utf8), "h\u{FEFF}i"),
            (bom, ""),
            ([], ""),
            (Array("ünï 👋".utf8), "ünï 👋"),
        ]
        for (bytes, text) in cases {
            #expect(RoutedFrame.decodePlaintext(bytes) == text)
            #expect(try RoutedFrame.openSession(frame: sessionFrame(plaintext: bytes), key: WireKeys.shared(as: "bob")) == text)
        }
    }

    @Test func malformedCiphertextFields() throws {
        let key = WireKeys.shared(as: "bob")
        let good = try sessionFrame(plaintext: Array("x".utf8))
        let cases: [(String, (inout JSONObject) -> Void, RoutedFrameOpenError)] = [
            ("no nonce", { $0["nonce"] = nil }, .missingField("nonce")),
            ("null nonce", { $0["nonce"] = .null }, .missingField("nonce")),
            ("numeric encrypted", { $0["encrypted"] = 1 }, .missingField("encrypted")),
            ("bad base64", { $0["encrypted"] = "AR==" }, .invalidBase64("encrypted")),
            ("url-safe nonce", { $0["nonce"] = "Io8DxKILCUuDGKqzaw33d8dzZCbpzHc_" }, .invalidBase64("nonce")),
            ("short nonce", { $0["nonce"] = "AAAA" }, .decryptionFailed),
            ("other nonce", { $0["nonce"] = "Io8DxKILCUuDGKqzaw33d8dzZCbpzHcw" }, .decryptionFailed),
        ]
        for (name, change, error) in cases {
            var frame = good
            change(&frame)
            #expect(throws: error, "\(name)") { try RoutedFrame.openSession(frame: frame, key: key) }
        }
        let stranger = try BoxKeyPair.generate().sharedKey(with: WireKeys.ephemeral("alice").publicKey)
        #expect(throws: RoutedFrameOpenError.decryptionFailed) { try RoutedFrame.openSession(frame: good, key: stranger) }
    }

    @Test func nonceIsRandomByDefault() throws {
        let a = try sessionFrame(plaintext: [0x61])
        let b = try sessionFrame(plaintext: [0x61])
        #expect(a["nonce"] != b["nonce"])
        #expect(try Base64.decode(#require(a["nonce"]?.stringValue)).count == 24)
        #expect(throws: SodiumError.self) {
            try SessionFrame.build(
                header: RoutedFrameHeader(target: "b", room: "r", type: "info", sender: "a", msgID: "m", ts: 1),
                sessionID: "s", seq: 0, plaintext: [], key: WireKeys.shared(as: "alice"),
                signer: WireKeys.identity("alice"), nonce: [1, 2, 3])
        }
    }

    @Test func requestIDIsSignedAndPlacedAfterProto() throws {
        let frame = try SessionFrame.build(
            header: RoutedFrameHeader(target: "bob", room: "default", type: "_perm_req", sender: "alice", msgID: "m", ts: 7, requestID: "req-1"),
            sessionID: "s", seq: 3, plaintext: [], key: WireKeys.shared(as: "alice"), signer: WireKeys.identity("alice"))
        #expect(Array(frame.keys.suffix(4)) == ["proto", "request_id", "sig", "no_queue"])
        #expect(CanonicalSigningString.string(of: frame).contains(#""request_id":"req-1","#))
        #expect(RoutedFrame.verifySignature(of: frame, with: WireKeys.identity("alice").publicKey))
    }
}
