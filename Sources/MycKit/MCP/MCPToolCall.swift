/// A `tools/call` turned into a typed command, or the reason it cannot be.
///
/// The SDK does not validate arguments against the schemas, so this does: a missing or
/// mistyped argument becomes an `MCPArgumentError`, which the face returns as a tool
/// result with `isError: true` (the model can read and fix it); an unknown tool name is a
/// JSON-RPC error instead (§6.1).
public enum MCPToolCall: Sendable, Equatable {
    case send(SendRequest)
    case broadcast(BroadcastRequest)
    case recv(max: Int, peek: Bool)
    case peers
    case rooms
    case trust(peer: String, room: String?, confirm: Bool)
    case verify(peer: String?, room: String?)
    case rotateKey(confirm: Bool)

    /// Why a call could not be parsed.
    public enum Failure: Error, Sendable, Equatable {
        case unknownTool(String)
        case invalidArguments(MCPArgumentError)
    }

    /// Parses `arguments` for the tool `name`.
    public static func parse(name: String, arguments: JSONObject) -> Result<MCPToolCall, Failure> {
        guard let tool = MCPToolName(rawValue: name) else { return .failure(.unknownTool(name)) }
        do {
            return .success(try parse(tool, ToolArguments(tool: tool, object: arguments)))
        } catch {
            return .failure(.invalidArguments(error))
        }
    }

    private static func parse(_ tool: MCPToolName, _ args: ToolArguments) throws(MCPArgumentError) -> MCPToolCall {
        switch tool {
        case .send:
            return .send(SendRequest(
                target: try args.requiredString("target"),
                text: try args.requiredString("text"),
                type: args.raw("type"),
                requestID: try args.optionalString("request_id"),
                room: try args.optionalRoom()))
        case .broadcast:
            return .broadcast(BroadcastRequest(
                text: try args.requiredString("text"),
                type: args.raw("type"),
                room: try args.optionalRoom(),
                includeOffline: try args.bool("include_offline")))
        case .recv:
            return .recv(max: try recvMax(args.raw("max")), peek: try args.bool("peek"))
        case .peers:
            return .peers
        case .rooms:
            return .rooms
        case .trust:
            return .trust(peer: try args.requiredString("peer_name"),
                          room: try args.optionalRoom(),
                          confirm: try args.bool("confirm"))
        case .verify:
            let peer = try args.optionalString("peer_name")
            return .verify(peer: peer?.isEmpty == true ? nil : peer, room: try args.optionalRoom())
        case .rotateKey:
            return .rotateKey(confirm: try args.bool("confirm"))
        }
    }

    /// `myc_recv`'s `max`: absent, null, 0, NaN, negative or below 1 → 50; fractions truncate
    /// (as `Array.slice` does); capped at 500. The reference does not guard negatives; we do.
    static func recvMax(_ value: JSONValue?) throws(MCPArgumentError) -> Int {
        let fallback = PeerConstants.recvDefault
        switch value {
        case nil, .null?:
            return fallback
        case .number(let n)?:
            // NaN, negatives and anything below 1 (which would return nothing) → default.
            guard n >= 1 else { return fallback }
            if n >= Double(PeerConstants.inboxCap) { return PeerConstants.inboxCap }
            return Int(n.rounded(.towardZero))
        default:
            throw MCPArgumentError(tool: MCPToolName.recv.rawValue, argument: "max", problem: .wrongType("a number"))
        }
    }
}

/// A tool argument that is missing or of the wrong type.
public struct MCPArgumentError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        case missing
        /// The JSON type the schema asks for ("a string", "a boolean", "a number").
        case wrongType(String)
    }
    public var tool: String
    public var argument: String
    public var problem: Problem

    public var description: String {
        switch problem {
        case .missing:
            return "❌ \(tool): missing required argument \"\(argument)\"."
        case .wrongType(let expected):
            return "❌ \(tool): argument \"\(argument)\" must be \(expected)."
        }
    }
}

/// Typed access to one call's arguments.
private struct ToolArguments {
    let tool: MCPToolName
    let object: JSONObject

    func raw(_ name: String) -> JSONValue? { object[name] }

    func requiredString(_ name: String) throws(MCPArgumentError) -> String {
        guard let value = object[name], !value.isNull else { throw error(name, .missing) }
        guard let s = value.stringValue else { throw error(name, .wrongType("a string")) }
        return s
    }

    /// A string, or nil when absent or null.
    func optionalString(_ name: String) throws(MCPArgumentError) -> String? {
        guard let value = object[name], !value.isNull else { return nil }
        guard let s = value.stringValue else { throw error(name, .wrongType("a string")) }
        return s
    }

    /// `room`: an empty string means "not given", as the reference's `args.room &&` does.
    func optionalRoom() throws(MCPArgumentError) -> String? {
        guard let room = try optionalString("room"), !room.isEmpty else { return nil }
        return room
    }

    /// A boolean flag; absent or null is false.
    func bool(_ name: String) throws(MCPArgumentError) -> Bool {
        guard let value = object[name], !value.isNull else { return false }
        guard let b = value.boolValue else { throw error(name, .wrongType("a boolean")) }
        return b
    }

    private func error(_ name: String, _ problem: MCPArgumentError.Problem) -> MCPArgumentError {
        MCPArgumentError(tool: tool.rawValue, argument: name, problem: problem)
    }
}
