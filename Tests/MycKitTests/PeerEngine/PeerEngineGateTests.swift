import Testing
@testable import MycKit

/// Every rejection of the inbound gate (§5.9), each with its log line and no delivery.
@Suite("PeerEngine inbound gate")
struct PeerEngineGateTests {
    let net: EngineNet
    let alice: EngineNode
    let bob: EngineNode
    let forge = Forge()

    init() {
        (net, alice, bob) = EngineNet.vectorPair()
    }

    func rejected(_ frame: JSONObject, line: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let before = bob.messages.count
        let acks = bob.sent.count
        net.inject(bob, frame)
        #expect(bob.messages.count == before, "must not be delivered", sourceLocation: sourceLocation)
        #expect(bob.sent.count == acks, "must not be acked or nacked", sourceLocation: sourceLocation)
        #expect(bob.lines.contains(line), "missing log line: \(line)\n\(bob.lines)", sourceLocation: sourceLocation)
    }

    @Test func aForgedButValidFrameIsDelivered() {
        net.inject(bob, forge.frame(msgID: "alice-x-1", text: "genuine", seq: 1000))
        #expect(bob.texts == ["genuine"])
        #expect(bob.messages.first?.meta == [
            "from_peer": "alice", "type": "info", "room": "default", "msg_id": "alice-x-1",
            "e2e": "encrypted", "sig": "✅", "tofu": "🆕",
        ])
    }

    @Test func missingE2E() {
        var frame = forge.frame(msgID: "g-1", text: "x", seq: 1001)
        frame["e2e"] = nil
        rejected(frame, line: "BLOCKED: non-E2E peer message from alice")
    }

    @Test func missingSender() {
        var frame = forge.frame(msgID: "g-2", text: "x", seq: 1002)
        frame["sender"] = nil
        rejected(frame, line: "BLOCKED: unsigned sender in frame from alice@default")
    }

    @Test func senderIsNotFrom() {
        var frame = forge.frame(msgID: "g-3", text: "x", seq: 1003)
        frame["from"] = "carol"
        rejected(frame, line: "BLOCKED: sender ≠ from in frame from carol@default")
    }

    @Test func missingSignature() {
        var frame = forge.frame(msgID: "g-4", text: "x", seq: 1004)
        frame["sig"] = nil
        rejected(frame, line: "BLOCKED: unsigned frame from alice@default")
    }

    @Test func missingCiphertext() {
        var frame = forge.frame(msgID: "g-5", text: "x", seq: 1005)
        frame["encrypted"] = ""
        rejected(frame, line: "BLOCKED: unencrypted frame from alice@default")
    }

    @Test func missingNonce() {
        var frame = forge.frame(msgID: "g-6", text: "x", seq: 1006)
        frame["nonce"] = nil
        rejected(frame, line: "BLOCKED: session frame without nonce from alice@default")
    }

    @Test func badSignature() {
        var frame = forge.frame(msgID: "g-7", text: "x", seq: 1007)
        frame["type"] = "note"
        rejected(frame, line: "BLOCKED: bad signature from alice@default")
        var signedByOther = Forge(identity: PE.mallory).frame(msgID: "g-7b", text: "x", seq: 1008)
        signedByOther["from"] = "alice"
        rejected(signedByOther, line: "BLOCKED: bad signature from alice@default")
    }

    @Test func roomNotJoinedIsRejectedNotRehomed() {
        rejected(forge.frame(msgID: "g-8", text: "x", seq: 1009, room: "ops"),
                 line: "BLOCKED: frame from alice for a room not joined (ops)")
        var noRoom = forge.frame(msgID: "g-9", text: "x", seq: 1010)
        noRoom["room"] = nil
        rejected(forge.resign(noRoom), line: "BLOCKED: frame from alice for a room not joined (no room)")
    }

    @Test func noSessionWithTheSender() {
        var frame = Forge(identity: PE.carol, sender: "carol").frame(msgID: "g-10", text: "x", seq: 1)
        frame["from"] = "carol"
        rejected(frame, line: "BLOCKED: no session with carol@default")
    }

    @Test func relayControlFromAPeerIsNotObeyed() {
        let fake: JSONObject = ["type": "peer_left", "from": "alice", "room": "default",
                                "payload": ["peer": "alice", "room": "default", "peers": [:]]]
        rejected(fake, line: "BLOCKED: non-E2E peer message from alice")
        #expect(bob.events("peer_left").isEmpty)
        // The session survives: alice can still talk to bob.
        _ = net.sendText(alice, to: "bob", "still here")
        net.settle()
        #expect(bob.texts == ["still here"])
        // The same frame from `_relay` is relay control.
        var real = fake
        real["from"] = "_relay"
        net.inject(bob, real)
        #expect(bob.events("peer_left").map(\.meta) == [["type": "peer_left", "peer": "alice", "room": "default"]])
    }

    @Test func unknownReservedTypeIsDroppedOnTheSessionPath() {
        net.inject(bob, forge.frame(type: "_evil", msgID: "g-11", text: "boo", seq: 1011))
        #expect(bob.messages.isEmpty)
        #expect(bob.logs.contains { $0.message == "unknown reserved type dropped" })
        #expect(!bob.sent.contains { $0["type"] == "_ack" && $0["msg_id"] == "g-11" })
    }

    @Test func permissionVerdictFromAPeerNotAskedIsIgnored() {
        let verdict = PermissionVerdict(requestID: "req-1", behavior: "allow").plaintext
        net.inject(bob, forge.frame(type: "_perm_verdict", msgID: "g-12", text: verdict, seq: 1012))
        #expect(bob.notifications.filter { $0.permissionVerdict != nil }.isEmpty)
        #expect(bob.messages.isEmpty, "verdicts never reach the inbox")
    }
}
