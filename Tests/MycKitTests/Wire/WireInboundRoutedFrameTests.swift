import Foundation
import Testing
@testable import MycKit

@Suite struct WireInboundRoutedFrameTests {
    func frame(_ text: String) throws -> InboundRoutedFrame {
        InboundRoutedFrame(try JSONParser.parseObject(text))
    }

    @Test func exposesTheReceivedSessionFrame() throws {
        var object = WireOrderedVectors.object("signed_session_frame.frame_as_sent")
        object["from"] = "alice"
        let f = InboundRoutedFrame(object)
        #expect(f.object == object)
        #expect(f.type == "info" && f.from == "alice" && f.sender == "alice" && f.senderMatchesFrom)
        #expect(f.msgID == "alice-m2r1bzk8-0" && f.seq == 0 && f.sessionID == "f7bdd89ad7c81dc748bb1a0c90193a10")
        #expect(f.room == "default" && f.target == "bob" && !f.isOffline && f.isE2E)
        #expect(f.nonce == "Io8DxKILCUuDGKqzaw33d8dzZCbpzHcw" && f.encrypted != nil && f.sig != nil)
        #expect(f.requestID == nil && f.ts == 1_730_000_000_456)
        #expect(f.isTruthy("no_queue") && !f.isTruthy("payload") && !f.isTruthy("absent"))
    }

    @Test func exposesTheOfflineEnvelope() throws {
        var object = WireOrderedVectors.object("signed_offline_envelope.frame_as_sent")
        object["from"] = "alice"
        let f = InboundRoutedFrame(object)
        #expect(f.isOffline && f.seq == nil && f.sessionID == nil && f.nonce == nil && !f.isTruthy("nonce"))
        #expect(f.requestID == "req-42" && f.type == "request")
    }

    @Test(arguments: [
        (#"{"offline":true}"#, true), (#"{"offline":1}"#, false), (#"{"offline":"true"}"#, false),
        (#"{"offline":null}"#, false), (#"{"offline":false}"#, false), ("{}", false),
    ])
    func offlineIsStrictlyTrue(text: String, offline: Bool) throws {
        #expect(try frame(text).isOffline == offline)
    }

    @Test(arguments: [
        (#"{"sender":"bob","from":"bob"}"#, true),
        (#"{"sender":"bob","from":"alice"}"#, false),
        (#"{"sender":"","from":""}"#, false),
        (#"{"from":"bob"}"#, false),
        (#"{"sender":"bob"}"#, false),
        (#"{"sender":5,"from":"5"}"#, false),
        (#"{"sender":"K","from":"\u212a"}"#, false),
        (#"{"sender":"é","from":"e\u0301"}"#, false),
    ])
    func senderMustBeIdenticalToFrom(text: String, matches: Bool) throws {
        #expect(try frame(text).senderMatchesFrom == matches)
    }

    @Test(arguments: [
        (#"{"e2e":true}"#, true), (#"{"e2e":1}"#, true), (#"{"e2e":"x"}"#, true), (#"{"e2e":{}}"#, true),
        (#"{"e2e":0}"#, false), (#"{"e2e":""}"#, false), (#"{"e2e":null}"#, false), ("{}", false),
    ])
    func e2eTruthiness(text: String, truthy: Bool) throws {
        #expect(try frame(text).isE2E == truthy)
    }

    @Test func mistypedFieldsReadAsAbsentButStayInTheObject() throws {
        let f = try frame(#"{"type":1,"msg_id":"","seq":"0","session_id":"","room":["a"],"ts":"1","request_id":7,"sig":true}"#)
        #expect(f.type == nil && f.msgID == nil && f.seq == nil && f.sessionID == nil)
        #expect(f.room == nil && f.ts == nil && f.requestID == nil && f.sig == nil)
        #expect(f["seq"] == .string("0") && f.isTruthy("sig"))
    }
}
