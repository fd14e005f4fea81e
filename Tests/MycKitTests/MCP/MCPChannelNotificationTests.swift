import Foundation
import Testing
@testable import MycKit

/// What goes to the host for each `PeerNotification` (§6.3, §6.6), and what comes in.
@Suite struct MCPChannelNotificationTests {
    @Test func deliveryKeepsMetaAndItsOrder() {
        let meta: JSONObject = [
            "from_peer": "bob", "type": "info", "room": "general", "msg_id": "m1", "e2e": "encrypted", "sig": "✅",
            "offline": true, "request_id": "q", "chunked": 3, "tofu": "📮",
        ]
        let out = MCPChannelNotification.outbound(for: PeerNotification(ts: 1, kind: .message, content: "hi\nthere", meta: meta))
        #expect(out.droppedKeys.isEmpty)
        #expect(JSONSerializer.string(of: .object(out.message)) ==
            #"{"jsonrpc":"2.0","method":"notifications/claude/channel","params":{"content":"hi\nthere","meta":"#
            + #"{"from_peer":"bob","type":"info","room":"general","msg_id":"m1","e2e":"encrypted","sig":"✅","#
            + #""offline":true,"request_id":"q","chunked":3,"tofu":"📮"}}}"#)
    }

    @Test func invalidMetaKeysAreDropped() {
        let meta: JSONObject = ["type": "peer_joined", "peer-name": "x", "room": "r", "émoji": "y", "": "z", "ok_2": "w"]
        let out = MCPChannelNotification.outbound(for: PeerNotification(ts: 1, kind: .event, content: "c", meta: meta))
        #expect(out.droppedKeys == ["peer-name", "émoji", ""])
        #expect(out.message["params"]?.objectValue?["meta"] == .object(["type": "peer_joined", "room": "r", "ok_2": "w"]))
    }

    @Test(arguments: [
        ("from_peer", true), ("msg_id", true), ("A9_z", true), ("_", true),
        ("", false), ("a-b", false), ("a.b", false), ("a b", false), ("ü", false), ("a/b", false), ("a\u{0}", false),
    ])
    func metaKeyValidation(key: String, valid: Bool) {
        #expect(MCPChannelNotification.isValidMetaKey(key) == valid)
    }

    @Test func verdictGoesOutOnlyAsPermission() {
        let verdict = PermissionVerdict(requestID: "abc", behavior: "allow")
        let note = PeerNotification(ts: 1, kind: .message, content: "ignored", meta: ["type": "_perm_verdict"],
                                    permissionVerdict: verdict)
        let out = MCPChannelNotification.outbound(for: note)
        #expect(JSONSerializer.string(of: .object(out.message)) ==
            #"{"jsonrpc":"2.0","method":"notifications/claude/channel/permission","params":{"request_id":"abc","behavior":"allow"}}"#)
    }

    @Test func verdictValuesAreCopiedVerbatim() {
        let verdict = PermissionVerdict(requestID: .number(7), behavior: nil)
        let out = MCPChannelNotification.outbound(for: PeerNotification(ts: 1, kind: .message, content: "", meta: [:],
                                                                         permissionVerdict: verdict))
        #expect(out.message["params"] == .object(["request_id": 7]))
    }

    @Test func permissionRequestFromHost() {
        let full: JSONObject = ["request_id": "r1", "tool_name": "Bash", "description": "run ls", "input_preview": "{\"command\":\"ls\"}"]
        #expect(MCPChannelNotification.permissionRequest(from: full)
            == PermissionRequest(requestID: "r1", toolName: "Bash", description: "run ls", inputPreview: "{\"command\":\"ls\"}"))
        #expect(MCPChannelNotification.permissionRequest(from: ["request_id": "r2"])
            == PermissionRequest(requestID: "r2", toolName: "", description: "", inputPreview: ""))
        #expect(MCPChannelNotification.permissionRequest(from: ["tool_name": "Bash"]) == nil)
        #expect(MCPChannelNotification.permissionRequest(from: ["request_id": 5]) == nil)
        #expect(MCPChannelNotification.permissionRequest(from: ["request_id": ""]) == nil)
    }

    @Test func everyLineIsOneLineOfValidJSON() throws {
        let note = PeerNotification(ts: 1, kind: .message, content: "a\nb\r\u{2028}\u{0}\"\\", meta: ["from_peer": "x\ny"])
        let text = JSONSerializer.string(of: .object(MCPChannelNotification.outbound(for: note).message))
        #expect(!text.contains("\n") && !text.contains("\r"))
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        let params = try #require(parsed?["params"] as? [String: Any])
        #expect(params["content"] as? String == "a\nb\r\u{2028}\u{0}\"\\")
    }
}
