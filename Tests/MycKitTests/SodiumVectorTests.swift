import Foundation
import Testing
@testable import MycKit

/// Every deterministic value in crypto.json reproduced with our sodium layer; randomized
/// values (sealed boxes) are opened instead of compared.
@Suite struct SodiumVectorTests {
    let v = Vectors.crypto

    @Test(arguments: ["alice", "bob", "relay", "alice_rotated"])
    func identityFromSeed(name: String) throws {
        let pair = try SigningKeyPair(seed: Vectors.hex(v, "identities.\(name).seed_hex"))
        #expect(pair.publicKey.base64 == Vectors.string(v, "identities.\(name).sign_public_b64"))
        #expect(Base64.encode(pair.secretKey.bytesCopy) == Vectors.string(v, "identities.\(name).sign_secret_b64"))
        #expect(pair.publicKey.fingerprint.text == Vectors.string(v, "identities.\(name).fingerprint"))
        let curve = try pair.curve25519()
        #expect(curve.publicKey.base64 == Vectors.string(v, "identities.\(name).curve25519_public_b64"))
        #expect(Base64.encode(curve.secretKey.bytesCopy) == Vectors.string(v, "identities.\(name).curve25519_secret_b64"))
        #expect(try pair.publicKey.curve25519() == curve.publicKey)
    }

    @Test func storedPairMustMatch() throws {
        let alice = try SigningKeyPair(seed: Vectors.hex(v, "identities.alice.seed_hex"))
        let bob = try SigningKeyPair(seed: Vectors.hex(v, "identities.bob.seed_hex"))
        #expect(throws: SodiumError.self) {
            _ = try SigningKeyPair(publicKey: bob.publicKey.bytes, secretKey: alice.secretKey.bytesCopy)
        }
        let again = try SigningKeyPair(publicKey: alice.publicKey.bytes, secretKey: alice.secretKey.bytesCopy)
        #expect(again.publicKey == alice.publicKey)
    }

    @Test(arguments: ["alice", "bob"])
    func ephemeralKeysAndSignatures(name: String) throws {
        let identity = try SigningKeyPair(seed: Vectors.hex(v, "identities.\(name).seed_hex"))
        let eph = try BoxKeyPair(secretKey: Vectors.hex(v, "ephemeral.\(name).secret_hex"))
        #expect(eph.publicKey.base64 == Vectors.string(v, "ephemeral.\(name).public_b64"))
        let sig = identity.signBase64(eph.publicKey.bytes)
        #expect(sig == Vectors.string(v, "ephemeral.\(name).eph_enc_pubkey_sig_b64"))
        #expect(identity.publicKey.verify(signatureBase64: sig, message: eph.publicKey.bytes))
    }

    @Test func relayChallengeSignature() throws {
        let relay = try SigningKeyPair(seed: Vectors.hex(v, "identities.relay.seed_hex"))
        let nonce = Vectors.b64(v, "handshake.challenge_frame.nonce")
        let ts = Vectors.string(v, "handshake.challenge_frame.timestamp")
        #expect(nonce + Array(ts.utf8) == Vectors.hex(v, "handshake.relay_sig_input_hex"))
        let frame = ChallengeFrame.signed(by: relay, nonce: nonce, timestampMs: Int64(ts)!)
        #expect(frame.relaySignature == Vectors.string(v, "handshake.challenge_frame.relay_sig"))
        guard case let .verified(key) = frame.verifiedRelayKey() else {
            Issue.record("challenge did not verify"); return
        }
        #expect(key.fingerprint.text == Vectors.string(v, "handshake.relay_fingerprint"))
    }

    @Test func peerChallengeSignature() throws {
        let alice = try SigningKeyPair(seed: Vectors.hex(v, "identities.alice.seed_hex"))
        let input = Vectors.b64(v, "handshake.challenge_frame.nonce") + Array("alice".utf8) + Array("default,ops".utf8)
        #expect(input == Vectors.hex(v, "handshake.challenge_sig_input_hex"))
        #expect(alice.signBase64(input) == Vectors.string(v, "handshake.challenge_sig_b64"))
    }

    @Test func sealedTokenOpensWithRelayCurveKey() throws {
        let relay = try SigningKeyPair(seed: Vectors.hex(v, "identities.relay.seed_hex"))
        let curve = try relay.curve25519()
        let opened = try curve.openSealed(Vectors.b64(v, "handshake.sealed_token.sealed_token_b64"))
        #expect(String(decoding: opened, as: UTF8.self) == Vectors.string(v, "handshake.sealed_token.token"))
        // Our own seal opens the same way, and is randomized.
        let token = Array("invite-token-0123456789abcdef".utf8)
        let a = try SealedBox.seal(token, to: relay.publicKey.curve25519())
        let b = try SealedBox.seal(token, to: relay.publicKey.curve25519())
        #expect(a.count == 77 && a != b)
        #expect(try curve.openSealed(a) == token)
        var tampered = a
        tampered[40] ^= 1
        #expect(throws: SodiumError.decryptionFailed) { try curve.openSealed(tampered) }
        #expect(throws: SodiumError.decryptionFailed) { try curve.openSealed([1, 2, 3]) }
    }

    @Test func sessionKeyAndCiphertext() throws {
        let a = try BoxKeyPair(secretKey: Vectors.hex(v, "ephemeral.alice.secret_hex"))
        let b = try BoxKeyPair(secretKey: Vectors.hex(v, "ephemeral.bob.secret_hex"))
        let ab = try a.sharedKey(with: b.publicKey)
        let ba = try b.sharedKey(with: a.publicKey)
        #expect(ab.bytesCopy == Vectors.hex(v, "session_crypto.shared_key_hex"))
        #expect(ba.bytesCopy == ab.bytesCopy)
        let nonce = Vectors.b64(v, "session_crypto.nonce_b64")
        let plain = Array(Vectors.string(v, "session_crypto.plaintext").utf8)
        let sealed = try ab.seal(plain, nonce: nonce)
        #expect(Base64.encode(sealed) == Vectors.string(v, "session_crypto.ciphertext_b64"))
        #expect(try ba.open(sealed, nonce: nonce) == plain)
        var bad = sealed
        bad[0] ^= 0x80
        #expect(throws: SodiumError.decryptionFailed) { try ba.open(bad, nonce: nonce) }
        #expect(throws: SodiumError.decryptionFailed) { try ba.open(sealed, nonce: [UInt8](repeating: 0, count: 24)) }
        #expect(throws: SodiumError.decryptionFailed) { try ba.open(sealed, nonce: [1]) }
    }

    @Test func signedFramesVerifyAndReproduce() throws {
        let alice = try SigningKeyPair(seed: Vectors.hex(v, "identities.alice.seed_hex"))
        let bob = try SigningKeyPair(seed: Vectors.hex(v, "identities.bob.seed_hex"))
        for (path, signer) in [("signed_session_frame", alice), ("signed_ack_frame", bob), ("signed_offline_envelope", alice)] {
            let canonical = Vectors.string(v, "\(path).canonical")
            let sig = Vectors.string(v, "\(path).sig_b64")
            #expect(signer.signBase64(Array(canonical.utf8)) == sig, "\(path)")
            #expect(signer.publicKey.verify(signatureBase64: sig, message: Array(canonical.utf8)))
            var tampered = Array(canonical.utf8)
            tampered[tampered.count - 3] ^= 1
            #expect(!signer.publicKey.verify(signatureBase64: sig, message: tampered))
        }
    }

    @Test func ackAndOfflineEnvelopeOpen() throws {
        let shared = try SharedKey(bytes: Vectors.hex(v, "session_crypto.shared_key_hex"))
        let ack = try shared.open(Vectors.b64(v, "signed_ack_frame.frame_as_sent.encrypted"),
                                  nonce: Vectors.b64(v, "signed_ack_frame.frame_as_sent.nonce"))
        #expect(String(decoding: ack, as: UTF8.self) == Vectors.string(v, "signed_ack_frame.plaintext"))
        let bob = try SigningKeyPair(seed: Vectors.hex(v, "identities.bob.seed_hex"))
        let opened = try bob.curve25519().openSealed(Vectors.b64(v, "signed_offline_envelope.frame_as_sent.encrypted"))
        #expect(String(decoding: opened, as: UTF8.self) == Vectors.string(v, "signed_offline_envelope.plaintext"))
        let alice = try SigningKeyPair(seed: Vectors.hex(v, "identities.alice.seed_hex"))
        #expect(throws: SodiumError.decryptionFailed) {
            try alice.curve25519().openSealed(Vectors.b64(v, "signed_offline_envelope.frame_as_sent.encrypted"))
        }
    }

    @Test func stsBindingSignatures() throws {
        let alice = try SigningKeyPair(seed: Vectors.hex(v, "identities.alice.seed_hex"))
        let bob = try SigningKeyPair(seed: Vectors.hex(v, "identities.bob.seed_hex"))
        let binding = Vectors.hex(v, "sts.binding_hex")
        let expected = Vectors.b64(v, "ephemeral.alice.public_b64") + Vectors.b64(v, "ephemeral.bob.public_b64")
            + Array(Vectors.string(v, "session_ids.alice").utf8) + Array(Vectors.string(v, "session_ids.bob").utf8)
            + Array("default".utf8)
        #expect(binding == expected)
        #expect(bob.signBase64(binding) == Vectors.string(v, "sts.bob_reply_sig_b64"))
        #expect(alice.signBase64(binding) == Vectors.string(v, "sts.alice_complete_sig_b64"))
    }

    @Test func rotationContinuity() throws {
        let old = try SigningKeyPair(seed: Vectors.hex(v, "identities.alice.seed_hex"))
        let new = try SigningKeyPair(seed: Vectors.hex(v, "identities.alice_rotated.seed_hex"))
        let input = new.publicKey.bytes + Array("alice".utf8) + Array("1730000000000".utf8)
        #expect(input == Vectors.hex(v, "rotation.continuity_input_hex"))
        #expect(old.signBase64(input) == Vectors.string(v, "rotation.continuity_sig_b64"))
        #expect(!new.publicKey.verify(signatureBase64: Vectors.string(v, "rotation.continuity_sig_b64"), message: input))
    }
}

@Suite struct Base64Tests {
    @Test func strictDecoding() throws {
        #expect(try Base64.decode("AQ==") == [1])
        #expect(try Base64.decode("") == [])
        #expect(try Base64.decode("AAEC") == [0, 1, 2])
        for bad in ["AR==", "AQ", "AQ=", "AQ===", " AQ==", "AQ==\n", "A Q==", "-_8=", "AQ==AQ==", "@@@@", "A"] {
            #expect(throws: SodiumError.invalidBase64, "\(bad.debugDescription) must be rejected") { try Base64.decode(bad) }
        }
    }

    @Test func roundTripsEveryLength() throws {
        for n in 0..<70 {
            let bytes = RandomBytes.generate(n)
            let text = Base64.encode(bytes)
            #expect(text == Data(bytes).base64EncodedString())
            #expect(try Base64.decode(text) == bytes)
        }
    }

    @Test func fixedLengthDecoding() {
        #expect(throws: SodiumError.invalidLength(what: "key", expected: 32, got: 1)) {
            try Base64.decode("AQ==", length: 32, what: "key")
        }
    }
}

@Suite struct PrimitiveTests {
    @Test func sha512KnownAnswer() {
        // SHA-512("abc"), FIPS 180-2 appendix C.
        #expect(Hex.encode(Hash.sha512(Array("abc".utf8))).hasPrefix("ddaf35a193617abacc417349ae204131"))
    }

    @Test func constantTimeComparisons() {
        #expect(ConstantTime.equalStrings("token", "token"))
        #expect(!ConstantTime.equalStrings("token", "tokem"))
        #expect(!ConstantTime.equalStrings("token", "token2"))
        #expect(!ConstantTime.equal([1, 2], [1, 2, 3]))
        #expect(ConstantTime.equal([], []))
    }

    @Test func randomBytesDiffer() {
        #expect(RandomBytes.generate(32) != RandomBytes.generate(32))
        #expect(RandomBytes.generate(0).isEmpty)
    }

    @Test func secretsNeverPrint() throws {
        let pair = SigningKeyPair.generate()
        let text = "\(pair.secretKey) \(String(reflecting: pair.secretKey))"
        #expect(text.contains("redacted"))
        #expect(!text.contains(Base64.encode(pair.secretKey.bytesCopy)))
    }

    @Test func hexRoundTrip() {
        #expect(Hex.encode([0, 0xab, 0xff]) == "00abff")
        #expect(Hex.decode("00abFF") == [0, 0xab, 0xff])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}
