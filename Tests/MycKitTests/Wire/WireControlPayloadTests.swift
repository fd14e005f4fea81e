import Foundation
import Testing
@testable import MycKit

@Suite struct WireControlPayloadTests {
    let v = Vectors.crypto

    @Test func stsPlaintextsAreByteExact() {
        #expect(ControlPayload.stsInit == Vectors.string(v, "sts.init_plaintext"))
        #expect(ControlPayload.stsSignature(Vectors.string(v, "sts.bob_reply_sig_b64")) == Vectors.string(v, "sts.reply_plaintext"))
        #expect(ControlPayload.stsSignature(Vectors.string(v, "sts.alice_complete_sig_b64")) == Vectors.string(v, "sts.complete_plaintext"))
        #expect(ControlPayload.parseStsSignature(Vectors.string(v, "sts.reply_plaintext")) == Vectors.string(v, "sts.bob_reply_sig_b64"))
    }

    /// Unparseable or sig-less replies are ignored (nil), not treated as a mismatch.
    @Test(arguments: ["", "sts", #"{"sts":"init"}"#, #"{"sts_sig":5}"#, #"{"sts_sig":""}"#, #"{"sts_sig":null}"#, #"["x"]"#])
    func stsSignatureParseIgnores(text: String) {
        #expect(ControlPayload.parseStsSignature(text) == nil)
    }

    @Test func keyRotateAnnouncementIsByteExact() throws {
        let announcement = KeyRotateAnnouncement(
            newPublicKey: Vectors.string(v, "rotation.new_public_b64"),
            continuitySignature: Vectors.string(v, "rotation.continuity_sig_b64"), tsMs: WireKeys.int64("rotation.ts"))
        let expected = Vectors.string(v, "rotation.announcement_plaintext")
        #expect(announcement.plaintext == expected)
        let parsed = try #require(KeyRotateAnnouncement(plaintext: expected))
        #expect(parsed == announcement)
        #expect(parsed.verify(name: "alice", pinnedKey: WireKeys.identity("alice").publicKey))
        #expect(!parsed.verify(name: "alice", pinnedKey: WireKeys.identity("alice_rotated").publicKey))
        #expect(!parsed.verify(name: "bob", pinnedKey: WireKeys.identity("alice").publicKey))
    }

    @Test(arguments: [
        #"{"rotate":{"new_pubkey":5,"continuity_sig":"x","ts":1}}"#,
        #"{"rotate":{"new_pubkey":"x","ts":1}}"#,
        #"{"rotate":"x"}"#, #"{"new_pubkey":"x","continuity_sig":"y"}"#, "not json",
    ])
    func keyRotateRejectsMalformed(text: String) {
        #expect(KeyRotateAnnouncement(plaintext: text) == nil)
    }

    @Test func keyRotateKeepsTheRawTimestamp() throws {
        let missing = try #require(KeyRotateAnnouncement(plaintext: #"{"rotate":{"new_pubkey":"a","continuity_sig":"b"}}"#))
        #expect(missing.ts == nil)
        #expect(missing.plaintext == #"{"rotate":{"new_pubkey":"a","continuity_sig":"b"}}"#)
        let text = try #require(KeyRotateAnnouncement(plaintext: #"{"rotate":{"ts":"17","continuity_sig":"b","new_pubkey":"a"}}"#))
        #expect(text.ts == .string("17"))
    }

    @Test func ackAndNack() {
        #expect(ControlPayload.ack(Vectors.string(v, "signed_session_frame.frame_as_sent.msg_id")) == Vectors.string(v, "signed_ack_frame.plaintext"))
        #expect(ControlPayload.nack("m-1") == "nack:m-1")
        #expect(ControlPayload.parseAck("ack:m-1") == "m-1")
        #expect(ControlPayload.parseAck("ack:") == "")
        #expect(ControlPayload.parseAck("nack:m-1") == nil)
        #expect(ControlPayload.parseAck("ACK:m") == nil)
        #expect(ControlPayload.parseNack("nack:m#2") == "m#2")
        #expect(ControlPayload.parseNack("ack:m") == nil)
        // Code-unit prefix, as JavaScript's startsWith: a combining mark after the colon is the id's.
        #expect(ControlPayload.parseAck("ack:\u{301}x") == "\u{301}x")
    }

    @Test func permissionRequestKeyOrderAndEscaping() throws {
        let request = PermissionRequest(requestID: "r-1", toolName: "Bash", description: "run \"ls\"\n", inputPreview: "ls /tmp ✓")
        #expect(request.plaintext == #"{"request_id":"r-1","tool_name":"Bash","description":"run \"ls\"\n","input_preview":"ls /tmp ✓"}"#)
        #expect(PermissionRequest(plaintext: request.plaintext) == request)
        let sloppy = try #require(PermissionRequest(plaintext: #"{"tool_name":3,"request_id":"x"}"#))
        #expect(sloppy == PermissionRequest(requestID: "x", toolName: "", description: "", inputPreview: ""))
        #expect(PermissionRequest(plaintext: #"{"tool_name":"Bash"}"#) == nil)
        #expect(PermissionRequest(plaintext: "nope") == nil)
    }

    @Test func permissionVerdictIsCopiedVerbatim() throws {
        let verdict = try #require(PermissionVerdict(plaintext: #"{"behavior":"allow","x":1,"request_id":"r-1"}"#))
        #expect(WireOrderedVectors.text(verdict.params) == #"{"request_id":"r-1","behavior":"allow"}"#)
        let odd = try #require(PermissionVerdict(plaintext: #"{"request_id":7}"#))
        #expect(WireOrderedVectors.text(odd.params) == #"{"request_id":7}"#)
        #expect(PermissionVerdict(plaintext: "allow") == nil)
        #expect(PermissionVerdict(plaintext: "[1]") == nil)
        #expect(PermissionVerdict(requestID: "r", behavior: "deny").plaintext == #"{"request_id":"r","behavior":"deny"}"#)
    }

    @Test func reservedTypes() {
        #expect(ControlPayload.reservedTypes == ["_ack", "_nack", "_sts_init", "_sts_reply", "_sts_complete", "_key_rotate", "_perm_req", "_perm_verdict"])
        for type in ControlPayload.reservedTypes { #expect(ControlPayload.isReserved(type: type)) }
        for type in ["ack", "_foo", "info", "", "_ACK", "_ack "] { #expect(!ControlPayload.isReserved(type: type)) }
        #expect(ControlType(wireType: "_perm_req") == .permRequest)
    }

    @Test(arguments: [
        (JSONValue?.none, "info"), (.some(.null), "info"), (.some(""), "info"),
        (.some("info"), "info"), (.some("request"), "request"), (.some("_perm_verdict"), "_perm_verdict"),
        (.some(" ~x y!"), " ~x y!"), (.some(.string(String(repeating: "t", count: 64))), String(repeating: "t", count: 64)),
    ])
    func sendTypeAccepted(value: JSONValue?, type: String) {
        #expect(SendTypeFilter.filter(value) == .success(type))
    }

    @Test(arguments: [
        (JSONValue.number(1), SendTypeFilter.Rejection.notAString),
        (.bool(true), .notAString), (.array(["info"]), .notAString), (.object([:]), .notAString),
        (.string(String(repeating: "t", count: 65)), .tooLong(65)),
        (.string(String(repeating: "😀", count: 33)), .tooLong(66)),
        (.string("tab\there"), .invalidCharacter), (.string("dél"), .invalidCharacter),
        (.string("del\u{7F}"), .invalidCharacter), (.string("😀"), .invalidCharacter), (.string("a\nb"), .invalidCharacter),
        (.string("_ack"), .reserved("_ack")), (.string("_perm_req"), .reserved("_perm_req")),
        (.string("_"), .reserved("_")), (.string("_custom"), .reserved("_custom")),
        (.string("_perm_verdict "), .reserved("_perm_verdict ")),
    ])
    func sendTypeRejected(value: JSONValue, rejection: SendTypeFilter.Rejection) {
        #expect(SendTypeFilter.filter(value) == .failure(rejection))
    }
}

@Suite struct WireSendTypeTextTests {
    @Test func textOverloadAgreesWithJSONOverload() {
        #expect(SendTypeFilter.filter(text: nil) == .success("info"))
        #expect(SendTypeFilter.filter(text: "") == .success("info"))
        #expect(SendTypeFilter.filter(text: "_perm_verdict") == .success("_perm_verdict"))
        #expect(SendTypeFilter.filter(text: "_nack") == .failure(.reserved("_nack")))
    }
}
