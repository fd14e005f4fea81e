import CSodium
import MycKit

/// The inputs every micro-benchmark works on: one live session between alice and bob and
/// the session frame alice sends for a message of `plaintextBytes`, as bob receives it.
struct MicroFixture {
    let signer: SigningKeyPair
    let alice: BoxKeyPair
    let bob: BoxKeyPair
    let shared: SharedKey
    let rawShared: [UInt8]
    let bobIdentity: SigningKeyPair
    let bobCurve: BoxKeyPair
    let plaintext: [UInt8]
    let nonce: [UInt8]
    let header: RoutedFrameHeader
    /// The frame as the relay forwards it (with `from`), parsed back as bob sees it.
    let frame: JSONObject
    let frameBytes: [UInt8]
    /// `C(frame)`: the bytes the signature covers.
    let canonical: [UInt8]
    let signature: [UInt8]
    let boxed: [UInt8]
    let sealed: [UInt8]
    let offlineFrame: JSONObject

    init(plaintextBytes: Int) throws {
        signer = SigningKeyPair.generate()
        alice = BoxKeyPair.generate()
        bob = BoxKeyPair.generate()
        shared = try alice.sharedKey(with: bob.publicKey)
        rawShared = shared.bytesCopy
        bobIdentity = SigningKeyPair.generate()
        bobCurve = try bobIdentity.curve25519()
        // Printable text, like a message a model writes (no escapes needed in JSON).
        let alphabet = Array("the quick brown fox jumps over the lazy dog 0123456789 ".utf8)
        plaintext = (0..<plaintextBytes).map { alphabet[$0 % alphabet.count] }
        nonce = RandomBytes.generate(PeerConstants.boxNonceByteCount)
        header = RoutedFrameHeader(
            target: "bob", room: "default", type: "info", sender: "alice",
            msgID: "m-" + Hex.encode(RandomBytes.generate(8)), ts: 1_760_000_000_000)
        var built = try SessionFrame.build(
            header: header, sessionID: Hex.encode(RandomBytes.generate(16)), seq: 41, plaintext: plaintext,
            key: shared, signer: signer, nonce: nonce)
        built["from"] = "alice"
        frameBytes = JSONSerializer.bytes(of: .object(built))
        frame = try JSONParser.parseObject(frameBytes)
        canonical = CanonicalSigningString.bytes(of: frame)
        signature = signer.sign(canonical)
        boxed = try shared.seal(plaintext, nonce: nonce)
        sealed = try SealedBox.seal(plaintext, to: bobCurve.publicKey)
        offlineFrame = try OfflineEnvelope.build(
            header: header, plaintext: plaintext, recipient: bobIdentity.publicKey, signer: signer)
    }
}

/// The operations, wrapper first and raw libsodium (the floor) second.
enum MicroSuite {
    static func rows(_ f: MicroFixture, _ timer: MicroTimer) throws -> [MicroRow] {
        var rows: [MicroRow] = []
        func add(_ name: String, _ what: String, floor: (() -> Void)? = nil, _ body: () throws -> Void) throws {
            let ns = try timer.nsPerOp(body)
            rows.append(MicroRow(name: name, what: what, ns: ns, floorNs: floor.map { timer.nsPerOp($0) }))
        }

        // Raw buffers for the floors, allocated once.
        let sk = f.signer.secretKey.bytesCopy
        let pk = f.signer.publicKey.bytes
        let canonical = f.canonical
        let plaintext = f.plaintext
        let nonce = f.nonce
        let rawShared = f.rawShared
        var sig = [UInt8](repeating: 0, count: crypto_sign_bytes())
        var boxOut = [UInt8](repeating: 0, count: plaintext.count + crypto_box_macbytes())
        var openOut = [UInt8](repeating: 0, count: plaintext.count)
        var sealOut = [UInt8](repeating: 0, count: plaintext.count + crypto_box_sealbytes())
        let bobCurvePK = f.bobCurve.publicKey.bytes
        let bobCurveSK = f.bobCurve.secretKey.bytesCopy
        let boxed = f.boxed
        let sealed = f.sealed
        let signature = f.signature
        let alicePK = f.alice.publicKey.bytes
        let bobSK = f.bob.secretKey.bytesCopy
        var beforeOut = [UInt8](repeating: 0, count: crypto_box_beforenmbytes())

        func rawSign() { _ = crypto_sign_detached(&sig, nil, canonical, UInt64(canonical.count), sk); consume(sig) }
        func rawVerify() { consume(crypto_sign_verify_detached(signature, canonical, UInt64(canonical.count), pk) == 0) }
        func rawBox() {
            _ = crypto_box_easy_afternm(&boxOut, plaintext, UInt64(plaintext.count), nonce, rawShared)
            consume(boxOut)
        }
        func rawOpen() {
            consume(crypto_box_open_easy_afternm(&openOut, boxed, UInt64(boxed.count), nonce, rawShared) == 0)
        }
        func rawSeal() { _ = crypto_box_seal(&sealOut, plaintext, UInt64(plaintext.count), bobCurvePK); consume(sealOut) }
        func rawSealOpen() {
            consume(crypto_box_seal_open(&openOut, sealed, UInt64(sealed.count), bobCurvePK, bobCurveSK) == 0)
        }

        // Wire: JSON and the canonical signing string.
        try add("canonical string C(frame)", "CanonicalSigningString.bytes of a parsed session frame (\(canonical.count) B)") {
            consume(CanonicalSigningString.bytes(of: f.frame))
        }
        try add("canonical + validate", "validatedBytes: C(frame) plus the seq/ts/proto integer checks (receiver side)") {
            consume(try CanonicalSigningString.validatedBytes(of: f.frame))
        }
        try add("JSON serialize frame", "JSONSerializer.bytes of the session frame (\(f.frameBytes.count) B)") {
            consume(JSONSerializer.bytes(of: .object(f.frame)))
        }
        try add("JSON parse frame", "JSONParser.parseObject of the frame's bytes (\(f.frameBytes.count) B)") {
            consume(try JSONParser.parseObject(f.frameBytes).count == 0)
        }
        // What the relay does to each routed frame: stamp `from`, by splicing bytes when the
        // frame is already in JSON.stringify form, else by parse + assign + serialize.
        try add("relay stamp, parse-free", "CanonicalFrame scan + routing fields + splice `from` (\(f.frameBytes.count) B)") {
            guard let frame = CanonicalFrame(f.frameBytes) else { throw BenchError("the session frame is not canonical") }
            consume(frame["type"] != nil && frame["target"] != nil && frame["room"] != nil && frame["msg_id"] != nil)
            consume(frame.stamped(from: "alice", msgID: nil))
        }
        try add("relay stamp, full parse", "parseObject + assign `from` + serialize: the path for other frames") {
            var frame = try JSONParser.parseObject(f.frameBytes)
            consume(frame["type"] != nil && frame["target"] != nil && frame["room"] != nil && frame["msg_id"] != nil)
            frame["from"] = .string("alice")
            consume(JSONSerializer.bytes(of: .object(frame)))
        }
        try add("base64 encode ciphertext", "Base64.encode of the \(boxed.count) B ciphertext") { consume(Base64.encode(boxed)) }

        // Primitives: wrapper vs raw call.
        try add("Ed25519 sign", "SigningKeyPair.sign(C(frame)) vs crypto_sign_detached", floor: rawSign) {
            consume(f.signer.sign(canonical))
        }
        try add("Ed25519 verify", "SigningPublicKey.verify vs crypto_sign_verify_detached", floor: rawVerify) {
            consume(f.signer.publicKey.verify(signature: signature, message: canonical))
        }
        try add("box seal (afternm)", "SharedKey.seal (\(plaintext.count) B) vs crypto_box_easy_afternm", floor: rawBox) {
            consume(try f.shared.seal(plaintext, nonce: nonce))
        }
        try add("box open (afternm)", "SharedKey.open vs crypto_box_open_easy_afternm", floor: rawOpen) {
            consume(try f.shared.open(boxed, nonce: nonce))
        }
        try add("sealed box seal", "SealedBox.seal vs crypto_box_seal", floor: rawSeal) {
            consume(try SealedBox.seal(plaintext, to: f.bobCurve.publicKey))
        }
        try add("sealed box open", "BoxKeyPair.openSealed vs crypto_box_seal_open", floor: rawSealOpen) {
            consume(try f.bobCurve.openSealed(sealed))
        }
        try add("session key (beforenm)", "BoxKeyPair.sharedKey vs crypto_box_beforenm (once per session)", floor: {
            _ = crypto_box_beforenm(&beforeOut, alicePK, bobSK)
            consume(beforeOut)
        }) {
            consume(try f.bob.sharedKey(with: f.alice.publicKey).bytesCopy)
        }

        // Composed: what the engine does per frame, vs the crypto it cannot avoid.
        try add("session frame build", "SessionFrame.build + serialize (box, C, sign, base64) vs box + sign", floor: {
            rawBox()
            rawSign()
        }) {
            let frame = try SessionFrame.build(
                header: f.header, sessionID: "00112233445566778899aabbccddeeff", seq: 41, plaintext: plaintext,
                key: f.shared, signer: f.signer, nonce: nonce)
            consume(JSONSerializer.bytes(of: .object(frame)))
        }
        try add("session frame open", "parse + verifySignature + openSession vs verify + open", floor: {
            rawVerify()
            rawOpen()
        }) {
            let frame = try JSONParser.parseObject(f.frameBytes)
            consume(RoutedFrame.verifySignature(of: frame, with: f.signer.publicKey))
            consume(try RoutedFrame.openSession(frame: frame, key: f.shared))
        }
        try add("offline envelope build", "OfflineEnvelope.build (seal to identity, C, sign) vs seal + sign", floor: {
            rawSeal()
            rawSign()
        }) {
            let frame = try OfflineEnvelope.build(
                header: f.header, plaintext: plaintext, recipient: f.bobIdentity.publicKey, signer: f.signer)
            consume(JSONSerializer.bytes(of: .object(frame)))
        }
        try add("offline envelope open", "verifySignature + openOffline vs verify + seal_open", floor: {
            rawVerify()
            rawSealOpen()
        }) {
            consume(RoutedFrame.verifySignature(of: f.offlineFrame, with: f.signer.publicKey))
            consume(try RoutedFrame.openOffline(frame: f.offlineFrame, identityCurve: f.bobCurve))
        }
        return rows
    }
}
