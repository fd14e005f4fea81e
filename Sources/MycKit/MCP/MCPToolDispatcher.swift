/// A tool result: the text the model reads, and whether the call itself was wrong.
public struct MCPToolResult: Sendable, Equatable {
    public var text: String
    /// True only for calls the model must fix (bad arguments). Refusals of the protocol
    /// (🔴, ❌ in a send result) are ordinary results, as in the reference.
    public var isError: Bool

    public init(text: String, isError: Bool = false) {
        self.text = text
        self.isError = isError
    }
}

/// A `tools/call` for a tool this server does not declare (a JSON-RPC error, §6.1).
public struct MCPUnknownToolError: Error, Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var description: String { "Unknown tool: \(name)" }
}

/// Turns tool calls into `PeerService` calls and their outcomes into text. No MCP types:
/// the face adapts this to the SDK, and tests drive it directly.
public struct MCPToolDispatcher: Sendable {
    public let service: any PeerService

    public init(service: any PeerService) {
        self.service = service
    }

    /// The declared tools, with the currently known peers in their descriptions.
    public func tools() async -> [MCPToolDefinition] {
        MCPToolCatalog.tools(profile: service.profile, knownPeers: Self.knownPeers(await service.peers()))
    }

    public func call(name: String, arguments: JSONObject) async throws(MCPUnknownToolError) -> MCPToolResult {
        switch MCPToolCall.parse(name: name, arguments: arguments) {
        case .failure(.unknownTool(let name)):
            throw MCPUnknownToolError(name: name)
        case .failure(.invalidArguments(let error)):
            return MCPToolResult(text: error.description, isError: true)
        case .success(let call):
            return MCPToolResult(text: await perform(call))
        }
    }

    private func perform(_ call: MCPToolCall) async -> String {
        switch call {
        case .send(let request):
            return MCPRenderer.send(await service.send(request), target: request.target)
        case .broadcast(let request):
            return MCPRenderer.broadcast(await service.broadcast(request))
        case let .recv(max, peek):
            return MCPRenderer.recv(await service.receive(max: max, peek: peek), peek: peek)
        case .peers:
            return MCPRenderer.peers(await service.peers())
        case .rooms:
            return MCPRenderer.rooms(await service.rooms())
        case let .trust(peer, room, confirm):
            return MCPRenderer.trust(await service.trust(peer: peer, room: room, confirm: confirm))
        case let .verify(peer, room):
            return MCPRenderer.verify(await service.verify(peer: peer, room: room), selfName: service.profile.name)
        case let .rotateKey(confirm):
            return MCPRenderer.rotateKey(await service.rotateKey(confirm: confirm))
        }
    }

    /// Every name seen in the snapshot (live or pinned), first appearance first.
    static func knownPeers(_ snapshot: PeersSnapshot) -> [String] {
        var seen = Set<String>()
        var names: [String] = []
        for room in snapshot.rooms {
            for name in room.live.map(\.name) + room.offlineKnown where seen.insert(name).inserted {
                names.append(name)
            }
        }
        return names
    }
}
