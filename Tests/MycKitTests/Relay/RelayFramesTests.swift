import Testing
@testable import MycKit

@Suite struct RelayFramesTests {
    private func text(_ frame: JSONObject) -> String {
        String(decoding: RelayFrames.bytes(frame), as: UTF8.self)
    }

    private let info = KeyInfo(signPublicKey: "S", ephemeralPublicKey: "E", ephemeralPublicKeySignature: "G", sessionID: "I")
    private let infoJSON = #"{"sign_pubkey":"S","eph_enc_pubkey":"E","eph_enc_pubkey_sig":"G","session_id":"I"}"#

    @Test func closeCodesCoverSection7_1() {
        let expected: [UInt16] = [1000, 1001, 1009, 4000, 4001, 4002, 4003, 4004, 4005, 4006, 4010, 4020, 4021, 4022, 4099, 4100, 4200]
        #expect(CloseCode.allCases.map(\.rawValue) == expected)
        #expect(CloseCode.goingAway.defaultReason == "shutdown")
        #expect(CloseCode.pongTimeout.defaultReason == "pong timeout")
        #expect(CloseCode.authTimeout.defaultReason == "auth timeout")
        #expect(CloseCode.superseded.defaultReason == "superseded")
        #expect(CloseCode(rawValue: 4022) == .revoked)
    }

    @Test func keyInfoFillsMissingFieldsWithEmptyStrings() {
        let k = KeyInfo(object: ["sign_pubkey": "S", "session_id": 5])
        #expect(text(k.object) == #"{"sign_pubkey":"S","eph_enc_pubkey":"","eph_enc_pubkey_sig":"","session_id":""}"#)
    }

    @Test func authOKShapes() {
        let room = RelayFrames.RoomKeys(room: "default", members: [.init(name: "alice", keyInfo: info)])
        let ops = RelayFrames.RoomKeys(room: "ops", members: [])
        #expect(text(RelayFrames.authOK(peer: "alice", rooms: [room, ops])) ==
            #"{"type":"auth_ok","from":"_relay","proto":2,"payload":{"peer":"alice","rooms":["default","ops"],"peers":{"default":{"alice":\#(infoJSON)},"ops":{}}}}"#)
        #expect(text(RelayFrames.legacyAuthOK(peer: "alice", room: room)) ==
            #"{"type":"auth_ok","from":"_relay","payload":{"peer":"alice","room":"default","peers":{"alice":\#(infoJSON)}}}"#)
    }

    @Test func statusFrames() {
        #expect(text(RelayFrames.authError("invalid token")) == #"{"type":"auth_error","from":"_relay","payload":"invalid token"}"#)
        #expect(text(RelayFrames.error("invalid JSON")) == #"{"type":"error","from":"_relay","payload":"invalid JSON"}"#)
        #expect(text(RelayFrames.error("rate limited", msgID: "m-1")) == #"{"type":"error","from":"_relay","payload":"rate limited","msg_id":"m-1"}"#)
        #expect(text(RelayFrames.error("rate limited", msgID: .null)) == #"{"type":"error","from":"_relay","payload":"rate limited","msg_id":null}"#)
        #expect(text(RelayFrames.queued(target: "bob", msgID: "m-2", ttlSeconds: 3600)) ==
            #"{"type":"queued","from":"_relay","payload":"bob offline","msg_id":"m-2","ttl_s":3600}"#)
        #expect(text(RelayFrames.evicted(.superseded)) == #"{"type":"evicted","from":"_relay","payload":"superseded"}"#)
        #expect(text(RelayFrames.evicted(.revoked)) == #"{"type":"evicted","from":"_relay","payload":"revoked"}"#)
        #expect(text(RelayFrames.relayShutdown()) == #"{"type":"relay_shutdown","from":"_relay","payload":"restarting"}"#)
    }

    @Test func statusPayloadTexts() {
        #expect(RelayStatusPayload.notMember("ops") == #"not a member of room "ops""#)
        #expect(RelayStatusPayload.backpressured("bob") == "bob backpressured; message dropped")
        #expect(RelayStatusPayload.notQueuedSessionFrame("bob") == "bob offline; not queued (session frame)")
        #expect(RelayStatusPayload.queueFull("bob") == "bob offline; queue full, message dropped")
        #expect(RelayStatusPayload.notQueuedUnknownPeer("bob") == "bob offline; not queued (unknown peer)")
        #expect(RelayStatusPayload.reservedType("auth") == #"type "auth" is reserved for the relay"#)
    }

    @Test func membershipFrames() {
        let room = RelayFrames.RoomKeys(room: "default", members: [.init(name: "bob", keyInfo: info), .init(name: "alice", keyInfo: info)])
        #expect(text(RelayFrames.peerJoined(peer: "alice", room: room, keyInfo: info)) ==
            #"{"type":"peer_joined","from":"_relay","payload":{"peer":"alice","room":"default","peers":{"bob":\#(infoJSON),"alice":\#(infoJSON)},"sign_pubkey":"S","eph_enc_pubkey":"E","eph_enc_pubkey_sig":"G","session_id":"I"}}"#)
        let left = RelayFrames.RoomKeys(room: "default", members: [.init(name: "bob", keyInfo: info)])
        #expect(text(RelayFrames.peerLeft(peer: "alice", room: left)) ==
            #"{"type":"peer_left","from":"_relay","payload":{"peer":"alice","room":"default","peers":{"bob":\#(infoJSON)}}}"#)
    }

    @Test func roomsFrame() {
        let frame = RelayFrames.rooms(discovery: true, rooms: [
            .init(name: "default", peerCount: 2, members: ["alice", "bob"]),
            .init(name: "ops", peerCount: 1, members: nil),
        ])
        #expect(text(frame) ==
            #"{"type":"rooms","from":"_relay","payload":{"discovery":true,"rooms":[{"name":"default","peers":2,"members":["alice","bob"]},{"name":"ops","peers":1}]}}"#)
    }
}
