import Foundation
import Testing
@testable import MycKit

@Suite struct WireRotationStatementTests {
    let v = Vectors.crypto
    let old = WireKeys.identity("alice")
    let new = WireKeys.identity("alice_rotated")

    @Test func continuitySignatureMatchesVector() {
        let ts = WireKeys.int64("rotation.ts")
        let message = RotationStatement.message(newPublicKey: new.publicKey.bytes, name: "alice", timestamp: String(ts))
        #expect(message == Vectors.hex(v, "rotation.continuity_input_hex"))
        let sig = RotationStatement.sign(oldKey: old, newPublicKey: new.publicKey, name: "alice", timestampMs: ts)
        #expect(sig == Vectors.string(v, "rotation.continuity_sig_b64"))
    }

    @Test func verifiesOnlyWithTheOldKeyAndTheSignedFields() {
        let sig = Vectors.string(v, "rotation.continuity_sig_b64")
        let newKey = Vectors.string(v, "rotation.new_public_b64")
        let ts = JSONValue.number(1_730_000_000_000)
        #expect(RotationStatement.verify(signature: sig, oldKey: old.publicKey, newPublicKey: newKey, name: "alice", timestamp: ts))
        #expect(!RotationStatement.verify(signature: sig, oldKey: new.publicKey, newPublicKey: newKey, name: "alice", timestamp: ts))
        #expect(!RotationStatement.verify(signature: sig, oldKey: WireKeys.identity("bob").publicKey, newPublicKey: newKey, name: "alice", timestamp: ts))
        #expect(!RotationStatement.verify(signature: sig, oldKey: old.publicKey, newPublicKey: newKey, name: "alicf", timestamp: ts))
        #expect(!RotationStatement.verify(signature: sig, oldKey: old.publicKey, newPublicKey: old.publicKey.base64, name: "alice", timestamp: ts))
        #expect(!RotationStatement.verify(signature: sig, oldKey: old.publicKey, newPublicKey: "not base64", name: "alice", timestamp: ts))
        #expect(!RotationStatement.verify(signature: "", oldKey: old.publicKey, newPublicKey: newKey, name: "alice", timestamp: ts))
    }

    /// The receiver verifies over `String(ts ?? "")`, so the number and its decimal string
    /// are the same statement, and anything printing differently is not.
    @Test(arguments: [
        (JSONValue?.some(.number(1_730_000_000_000)), true),
        (.some(.string("1730000000000")), true),
        (.some(.number(1_730_000_000_000.5)), false),
        (.some(.string("1730000000000.0")), false),
        (.some(.null), false),
        (nil, false),
    ])
    func timestampSemantics(ts: JSONValue?, verifies: Bool) {
        let ok = RotationStatement.verify(
            signature: Vectors.string(v, "rotation.continuity_sig_b64"), oldKey: old.publicKey,
            newPublicKey: Vectors.string(v, "rotation.new_public_b64"), name: "alice", timestamp: ts)
        #expect(ok == verifies)
    }

    @Test func missingTimestampSignsTheEmptyString() {
        let sig = old.signBase64(RotationStatement.message(newPublicKey: new.publicKey.bytes, name: "alice", timestamp: ""))
        for ts in [JSONValue?.none, .some(.null), .some(.string(""))] {
            #expect(RotationStatement.verify(signature: sig, oldKey: old.publicKey, newPublicKey: new.publicKey.base64, name: "alice", timestamp: ts))
        }
    }

    @Test(arguments: [
        (JSONValue?.none, ""), (.some(.null), ""), (.some(.bool(true)), "true"), (.some(.number(-0.0)), "0"),
        (.some(.number(1e21)), "1e+21"), (.some(.number(2.5)), "2.5"), (.some(.number(.infinity)), "Infinity"),
        (.some(.string("x")), "x"), (.some(.array([1, nil, "a", [2, 3]])), "1,,a,2,3"),
        (.some(.object(["a": 1])), "[object Object]"),
    ])
    func jsString(value: JSONValue?, text: String) {
        #expect(RotationStatement.jsString(value) == text)
    }

    @Test func authRotationField() {
        let record = RotationRecord(
            previousPublicKey: old.publicKey.base64,
            continuitySignature: Vectors.string(v, "rotation.continuity_sig_b64"),
            rotatedAt: 1_730_000_000_000)
        #expect(WireOrderedVectors.text(RotationStatement.authField(record))
                == WireOrderedVectors.text(WireOrderedVectors.object("rotation.auth_rotation_field")))
    }
}
