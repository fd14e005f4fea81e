import Testing
@testable import MycKit

/// `initialize` result, tool catalog and schemas (§6.1, §6.2).
@Suite struct MCPHandshakeTests {
    let profile = PeerProfile(name: "alice", rooms: ["general", "ops"], fingerprint: "f00d")

    @Test func initializeResult() {
        let result = MCPHandshake.initializeResult(clientVersion: "2025-06-18", profile: profile)
        #expect(result["protocolVersion"] == "2025-06-18")
        #expect(JSONSerializer.string(of: result["capabilities"]!)
            == #"{"experimental":{"claude/channel":{},"claude/channel/permission":{}},"tools":{}}"#)
        #expect(result["serverInfo"] == .object(["name": "myc-alice", "version": "0.3.0"]))
        let instructions = result["instructions"]?.stringValue ?? ""
        for needle in ["alice", "general, ops", "end-to-end encrypted", "forward secrecy", "offline envelopes",
                       "🔴 BLOCKED", "myc_trust", "myc_verify", "myc_recv", "Permission", "myc \(MycVersion.string)"] {
            #expect(instructions.contains(needle), "instructions lack \(needle)")
        }
    }

    @Test func versionNegotiation() {
        #expect(MCPHandshake.negotiatedVersion(clientRequested: "2024-11-05") == "2024-11-05")
        #expect(MCPHandshake.negotiatedVersion(clientRequested: "1999-01-01") == "2025-11-25")
        #expect(MCPHandshake.negotiatedVersion(clientRequested: nil) == "2025-11-25")
    }

    /// Only `type`, `properties` and `required` carry meaning; they are exactly §6.2's.
    @Test func schemasMatchTheSpecification() {
        let tools = MCPToolCatalog.tools(profile: profile, knownPeers: ["bob", "carol"])
        var shapes: [String: ([String: String], [String])] = [:]
        for tool in tools {
            #expect(tool.inputSchema["type"] == "object")
            var properties: [String: String] = [:]
            for (name, property) in tool.inputSchema["properties"]?.objectValue ?? JSONObject() {
                properties[name] = property.objectValue?["type"]?.stringValue
                #expect(property.objectValue?["description"]?.stringValue?.isEmpty == false)
            }
            let required = tool.inputSchema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
            shapes[tool.name] = (properties, required)
        }
        #expect(tools.map(\.name) == ["myc_send", "myc_broadcast", "myc_recv", "myc_peers", "myc_rooms", "myc_trust", "myc_verify", "myc_rotate_key"])
        #expect(shapes["myc_send"]!.0 == ["target": "string", "text": "string", "type": "string", "request_id": "string", "room": "string"])
        #expect(shapes["myc_send"]!.1 == ["target", "text"])
        #expect(shapes["myc_broadcast"]!.0 == ["text": "string", "type": "string", "room": "string", "include_offline": "boolean"])
        #expect(shapes["myc_broadcast"]!.1 == ["text"])
        #expect(shapes["myc_recv"]!.0 == ["max": "number", "peek": "boolean"])
        #expect(shapes["myc_recv"]!.1 == [])
        #expect(shapes["myc_peers"]!.0 == [:])
        #expect(shapes["myc_rooms"]!.0 == [:])
        #expect(shapes["myc_trust"]!.0 == ["peer_name": "string", "room": "string", "confirm": "boolean"])
        #expect(shapes["myc_trust"]!.1 == ["peer_name"])
        #expect(shapes["myc_verify"]!.0 == ["peer_name": "string", "room": "string"])
        #expect(shapes["myc_verify"]!.1 == [])
        #expect(shapes["myc_rotate_key"]!.0 == ["confirm": "boolean"])
        #expect(shapes["myc_rotate_key"]!.1 == [])
    }

    @Test func descriptionsListKnownPeersAndJoinedRooms() {
        let tools = MCPToolCatalog.tools(profile: profile, knownPeers: ["bob", "carol"])
        let send = tools.first { $0.name == "myc_send" }!
        let properties = send.inputSchema["properties"]!.objectValue!
        #expect(properties["target"]!.objectValue!["description"]!.stringValue!.contains("bob, carol"))
        #expect(properties["room"]!.objectValue!["description"]!.stringValue!.contains("general, ops"))
        let none = MCPToolCatalog.tools(profile: profile, knownPeers: [])
        #expect(none[0].inputSchema["properties"]!.objectValue!["target"]!.objectValue!["description"]!.stringValue!.contains("none yet"))
    }
}
