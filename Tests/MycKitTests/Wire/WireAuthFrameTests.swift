import Foundation
import Testing
@testable import MycKit

@Suite struct WireAuthFrameTests {
    let v = Vectors.crypto
    let alice = WireKeys.identity("alice")
    let relay = WireKeys.identity("relay")

    var challenge: ChallengeFrame {
        try! ChallengeFrame(object: WireOrderedVectors.object("handshake.challenge_frame"))
    }

    var relayPins: Set<String> { [Vectors.string(v, "handshake.relay_fingerprint")] }

    func build(
        challenge: ChallengeFrame? = nil, token: String? = "invite-token-0123456789abcdef",
        rotation: RotationRecord? = nil, pins: Set<String>
    ) throws(RelayIdentityFailure) -> JSONObject {
        try AuthFrame.build(
            identity: alice, peer: "alice", rooms: AuthFrame.normalizeRooms("default, ops"),
            ephemeralKey: WireKeys.ephemeral("alice").publicKey,
            sessionID: Vectors.string(v, "session_ids.alice"), challenge: challenge ?? self.challenge,
            token: token, rotation: rotation, relayPins: pins)
    }

    func openSealedToken(_ frame: JSONObject) throws -> String {
        let sealed = try Base64.decode(try #require(frame["sealed_token"]?.stringValue))
        return String(decoding: try relay.curve25519().openSealed(sealed), as: UTF8.self)
    }

    /// Everything but `sealed_token` (randomized) equals the vector, in the same key order;
    /// the sealed token opens to the token with the relay's curve key.
    @Test(arguments: [true, false])
    func reproducesTheExample(pinned: Bool) throws {
        var frame = try build(pins: pinned ? relayPins : [])
        var expected = WireOrderedVectors.object("handshake.auth_frame_example")
        #expect(frame.keys == expected.keys)
        #expect(try openSealedToken(frame) == Vectors.string(v, "handshake.sealed_token.token"))
        #expect(frame["sealed_token"] != expected["sealed_token"])
        frame["sealed_token"] = nil
        expected["sealed_token"] = nil
        #expect(WireOrderedVectors.text(frame) == WireOrderedVectors.text(expected))
        #expect(frame["challenge_sig"]?.stringValue == Vectors.string(v, "handshake.challenge_sig_b64"))
        #expect(frame["eph_enc_pubkey_sig"]?.stringValue == Vectors.string(v, "ephemeral.alice.eph_enc_pubkey_sig_b64"))
    }

    @Test func challengeSignatureInput() {
        let input = AuthFrame.challengeSignatureInput(
            nonce: Vectors.b64(v, "handshake.challenge_frame.nonce"), peer: "alice",
            rooms: Vectors.value(v, "handshake.rooms") as! [String])
        #expect(input == Vectors.hex(v, "handshake.challenge_sig_input_hex"))
    }

    @Test func rotationIsSentWhenPresent() throws {
        let record = RotationRecord(
            previousPublicKey: Vectors.string(v, "rotation.old_public_b64"),
            continuitySignature: Vectors.string(v, "rotation.continuity_sig_b64"), rotatedAt: 1_730_000_000_000)
        let frame = try build(rotation: record, pins: relayPins)
        #expect(frame.keys.suffix(3) == ["challenge_sig", "rotation", "sealed_token"])
        let rotation = try #require(frame["rotation"]?.objectValue)
        #expect(WireOrderedVectors.text(rotation)
                == WireOrderedVectors.text(WireOrderedVectors.object("rotation.auth_rotation_field")))
    }

    @Test func noTokenMeansNoTokenMember() throws {
        let frame = try build(token: nil, pins: relayPins)
        #expect(!frame.contains("sealed_token") && !frame.contains("token"))
    }

    // MARK: Pinning and the token downgrade (§3.2 steps 1 and 4)

    @Test func pinnedRelayWithoutKeyIsRefusedNotDowngraded() {
        var bare = challenge
        bare.relayPublicKey = nil
        #expect(throws: RelayIdentityFailure.identityMissing) { try build(challenge: bare, pins: relayPins) }
    }

    @Test func pinnedRelayWithOtherKeyIsRefused() {
        let other = ChallengeFrame.signed(by: WireKeys.identity("bob"), nonce: challenge.nonce, timestampMs: 1)
        #expect(throws: RelayIdentityFailure.identityMismatch(WireKeys.identity("bob").publicKey.fingerprint)) {
            try build(challenge: other, pins: relayPins)
        }
    }

    @Test func pinnedRelayWithBadSignatureOrMalformedKeyIsRefused() {
        var forged = challenge
        forged.timestamp = "1730000000124"
        #expect(throws: RelayIdentityFailure.signatureInvalid) { try build(challenge: forged, pins: relayPins) }
        var unsigned = challenge
        unsigned.relaySignature = nil
        #expect(throws: RelayIdentityFailure.signatureMissing) { try build(challenge: unsigned, pins: relayPins) }
        var malformed = challenge
        malformed.relayPublicKey = "AAAA"
        #expect(throws: RelayIdentityFailure.identityError) { try build(challenge: malformed, pins: relayPins) }
    }

    @Test func sealFailureWithPinsNeverFallsBackToPlaintext() {
        #expect(throws: RelayIdentityFailure.sealFailed) {
            try AuthFrame.tokenField(token: "t", relayPublicKey: "AAAA", pinned: true)
        }
        #expect(throws: RelayIdentityFailure.identityMissing) {
            try AuthFrame.tokenField(token: "t", relayPublicKey: nil, pinned: true)
        }
    }

    /// Without pins the reference sends the plaintext token when it cannot seal; parity.
    @Test func unpinnedFallsBackToPlaintextToken() throws {
        let field = try AuthFrame.tokenField(token: "t", relayPublicKey: "AAAA", pinned: false)
        #expect(field?.key == "token" && field?.value == "t")
        var bare = challenge
        bare.relayPublicKey = nil
        let frame = try build(challenge: bare, pins: [])
        #expect(frame["token"]?.stringValue == "invite-token-0123456789abcdef")
        #expect(!frame.contains("sealed_token"))
        // An unpinned peer checks nothing else about the relay either (§3.2 step 2).
        var forged = challenge
        forged.relaySignature = "garbage"
        #expect(try build(challenge: forged, pins: []).contains("sealed_token"))
    }

    // MARK: MYC_ROOM normalisation

    @Test(arguments: [
        ("default,ops", ["default", "ops"]),
        (" a , b ,a,, c ", ["a", "b", "c"]),
        ("", []),
        (" , ,", []),
        ("1,2,3,4,5,6,7,8,9,10", ["1", "2", "3", "4", "5", "6", "7", "8"]),
        ("a,a,b,c,d,e,f,g,h,i", ["a", "b", "c", "d", "e", "f", "g", "h"]),
        ("\u{FEFF}x\u{3000},\u{A0}y\n", ["x", "y"]),
        ("\u{85}x", ["\u{85}x"]),
        ("é,e\u{301}", ["é", "e\u{301}"]),
        ("K,\u{212A}", ["K", "\u{212A}"]),
        ("a b, 😀 ", ["a b", "😀"]),
    ])
    func normalizeRooms(list: String, rooms: [String]) {
        let got = AuthFrame.normalizeRooms(list)
        #expect(got.map { Array($0.utf8) } == rooms.map { Array($0.utf8) })
    }

    @Test func emptyRoomListOmitsTheLegacyRoom() throws {
        let frame = try AuthFrame.build(
            identity: alice, peer: "alice", rooms: [], ephemeralKey: WireKeys.ephemeral("alice").publicKey,
            sessionID: "s", challenge: challenge, token: nil, rotation: nil, relayPins: [])
        #expect(!frame.contains("room"))
        #expect(frame["rooms"] == .array([]))
    }
}
