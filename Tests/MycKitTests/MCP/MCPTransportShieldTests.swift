import Foundation
import MCP
import Testing
@testable import MycKit

/// The SDK turns strings that look like data URLs into binary; the gate shields tool
/// arguments so message text survives byte for byte.
@Suite struct MCPTransportShieldTests {
    @Test(arguments: ["", "hello", "data:", "data:,Hello%2C%20World", "data:text/plain;charset=utf-8,hi",
                      "\u{E000}", "\u{E000}data:,x", "\u{E000}\u{E000}", "Data:,x", "xdata:,y", "data:\u{301},x"])
    func shieldRoundTrips(text: String) {
        #expect(DataURLShield.unshield(DataURLShield.shield(text)) == text)
    }

    @Test func theSDKWouldRewriteDataURLs() throws {
        // The reason for the shield: a plain decode of this argument changes it.
        let raw = #"{"text":"data:,Hello%2C%20World"}"#
        let decoded = try JSONDecoder().decode([String: Value].self, from: Data(raw.utf8))
        #expect(decoded["text"]?.stringValue == nil)
    }

    @Test func toolCallArgumentsSurviveTheSDKDecode() throws {
        let texts = ["data:,Hello%2C%20World", "data:text/plain;charset=utf-8,hi", "\u{E000}x", "plain"]
        for text in texts {
            let arguments: JSONObject = ["target": "bob", "text": .string(text), "nested": ["a": .string(text)]]
            let request: JSONObject = ["jsonrpc": "2.0", "id": 1, "method": "tools/call",
                                       "params": ["name": "myc_send", "arguments": .object(arguments)]]
            let wire = Data(JSONSerializer.bytes(of: .object(request)))
            let shielded = MCPStdioGate.shieldingInbound(wire)
            // What the SDK does: decode params as `Value`, then as `CallTool.Parameters`.
            let params = try JSONDecoder().decode([String: Value].self, from: shielded)["params"]!
            let call = try JSONDecoder().decode(CallTool.Parameters.self, from: JSONEncoder().encode(params))
            let back = MCPValueBridge.arguments(call.arguments)
            #expect(back["text"] == .string(text))
            #expect(back["nested"]?.objectValue?["a"] == .string(text))
            #expect(call.name == "myc_send")
        }
    }

    @Test func otherMessagesPassUntouched() {
        let messages = [
            #"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
            #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"myc_recv","arguments":{"max":1e400}}}"#,
            "not json",
            #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        ]
        for message in messages {
            let data = Data(message.utf8)
            #expect(MCPStdioGate.shieldingInbound(data) == data)
        }
    }

    @Test func permissionRequestParamsAreShieldedToo() throws {
        let message = #"{"jsonrpc":"2.0","method":"notifications/claude/channel/permission_request","params":{"request_id":"r","tool_name":"Write","description":"d","input_preview":"data:,x%20y"}}"#
        let shielded = MCPStdioGate.shieldingInbound(Data(message.utf8))
        let params = try JSONDecoder().decode([String: Value].self, from: shielded)["params"]!
        #expect(MCPValueBridge.json(from: params).objectValue?["input_preview"] == "data:,x%20y")
    }

    @Test func valueBridgeRoundTrip() {
        let json: JSONValue = ["a": 1, "b": 1.5, "c": true, "d": nil, "e": ["x", 2], "f": ["g": "h"]]
        #expect(MCPValueBridge.json(from: MCPValueBridge.value(from: json))
            == ["a": 1, "b": 1.5, "c": true, "d": nil, "e": ["x", 2], "f": ["g": "h"]])
        #expect(MCPFace.sdkSafe("data:,x") == " data:,x")
        #expect(MCPFace.sdkSafe("bob 🔒") == "bob 🔒")
    }
}
