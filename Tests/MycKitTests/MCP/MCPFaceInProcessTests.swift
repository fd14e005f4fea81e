import Foundation
import Logging
import MCP
import Testing
@testable import MycKit

/// `MCPFace` over the SDK's in-memory transport: the same server, handlers and gate as
/// `myc mcp`, without a child process.
@Suite struct MCPFaceInProcessTests {
    /// Raw JSON-RPC on the client side of an in-memory pair.
    actor RawClient {
        let transport: InMemoryTransport
        private var received: [JSONObject] = []
        private var reader: Task<Void, Never>?

        init(_ transport: InMemoryTransport) { self.transport = transport }

        func start() async throws {
            try await transport.connect()
            let stream = await transport.receive()
            reader = Task {
                do {
                    for try await data in stream {
                        let object = (try? JSONParser.parseObject(data)) ?? ["_invalid": .string(String(decoding: data, as: UTF8.self))]
                        self.append(object)
                    }
                } catch {}
            }
        }

        private func append(_ object: JSONObject) { received.append(object) }

        func send(_ json: String) async throws { try await transport.send(Data(json.utf8)) }

        /// The first received message matching `predicate`, waiting up to `seconds`.
        func waitFor(_ seconds: Double = 5, _ predicate: @Sendable (JSONObject) -> Bool) async -> JSONObject? {
            let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
            while ContinuousClock.now < deadline {
                if let hit = received.first(where: predicate) { return hit }
                try? await Task.sleep(for: .milliseconds(5))
            }
            return nil
        }

        func all() -> [JSONObject] { received }
        func stop() { reader?.cancel() }
    }

    private func withFace(_ body: (RawClient, DemoPeerService) async throws -> Void) async throws {
        let service = DemoPeerService(name: "alice", rooms: ["general"])
        let (clientSide, serverSide) = await InMemoryTransport.createConnectedPair()
        let client = RawClient(clientSide)
        try await client.start()
        let face = MCPFace(service: service, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
                           readyFallback: .seconds(30))
        let running = Task { try await face.serve(over: serverSide) }
        defer { running.cancel() }
        // The in-memory transport drops what arrives before the server connects (the stdin
        // race itself is covered by the integration test, MCPFaceTests), so `initialize` is
        // repeated until answered: on a loaded machine the server may take a while to connect.
        for _ in 0..<40 {
            try await client.send(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{"experimental":{"claude/channel":{}}},"clientInfo":{"name":"t","version":"1"}}}"#)
            if await client.waitFor(0.5, { $0["id"] == 1 }) != nil { break }
        }
        try await body(client, service)
        await client.stop()
    }

    @Test func initializeThenChannelAndPermission() async throws {
        try await withFace { client, service in
            let initialized = await client.waitFor { $0["id"] == 1 }
            let result = try #require(initialized?["result"]?.objectValue)
            let experimental = result["capabilities"]?.objectValue?["experimental"]?.objectValue
            #expect(experimental?["claude/channel"] != nil && experimental?["claude/channel/permission"] != nil)
            #expect(result["serverInfo"]?.objectValue?["name"] == "myc-alice")

            try await client.send(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
            try await client.send(#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"myc_send","arguments":{"target":"bob","text":"data:,hi%20there"}}}"#)
            let sent = await client.waitFor { $0["id"] == 2 }
            let content = sent?["result"]?.objectValue?["content"]?.arrayValue?.first?.objectValue
            #expect(content?["text"] == "bob 🔒")
            let channel = await client.waitFor { $0["method"] == "notifications/claude/channel" }
            let params = channel?["params"]?.objectValue
            #expect(params?["content"] == "data:,hi%20there")
            #expect(params?["meta"]?.objectValue?.keys == ["from_peer", "type", "room", "msg_id", "e2e", "sig", "tofu"])

            try await client.send(#"{"jsonrpc":"2.0","method":"notifications/claude/channel/permission_request","params":{"request_id":"abcde","tool_name":"Bash","description":"list","input_preview":"ls"}}"#)
            let verdict = await client.waitFor { $0["method"] == "notifications/claude/channel/permission" }
            #expect(verdict?["params"] == ["request_id": "abcde", "behavior": "allow"])
            #expect(await service.permissionRequests == [PermissionRequest(requestID: "abcde", toolName: "Bash", description: "list", inputPreview: "ls")])

            try await client.send(#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"nope","arguments":{}}}"#)
            let unknown = await client.waitFor { $0["id"] == 3 }
            let error = try #require(unknown?["error"]?.objectValue)
            #expect(error["code"] == -32602)
            #expect(error["message"]?.stringValue?.contains("Unknown tool: nope") == true)
        }
    }

    @Test func notificationsWaitForInitialized() async throws {
        try await withFace { client, service in
            _ = await client.waitFor { $0["id"] == 1 }
            await service.inject(PeerNotification(ts: 0, kind: .event, content: "early", meta: ["type": "peer_joined"]))
            try await Task.sleep(for: .milliseconds(200))
            #expect(await client.all().allSatisfy { $0["method"] == nil })
            try await client.send(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
            let early = await client.waitFor { $0["method"] == "notifications/claude/channel" }
            #expect(early?["params"]?.objectValue?["content"] == "early")
        }
    }
}
