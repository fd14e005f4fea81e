/// The tools `myc mcp` declares (§6.2), with their input schemas.
///
/// Only `type`, `properties` and `required` of a schema carry meaning; the `description`
/// strings are for the model, and list the known peers and joined rooms where that helps
/// it pick a valid argument.
public enum MCPToolName: String, CaseIterable, Sendable {
    case send = "myc_send"
    case broadcast = "myc_broadcast"
    case recv = "myc_recv"
    case peers = "myc_peers"
    case rooms = "myc_rooms"
    case trust = "myc_trust"
    case verify = "myc_verify"
    case rotateKey = "myc_rotate_key"
}

/// One tool as it goes into `tools/list`.
public struct MCPToolDefinition: Sendable, Equatable {
    public var name: String
    public var description: String
    /// `{"type":"object","properties":{…},"required":[…]}` in that key order.
    public var inputSchema: JSONObject
}

public enum MCPToolCatalog {
    /// Every tool, in the order of §6.2. `knownPeers` are names this peer has seen
    /// (live or pinned); `profile.rooms` are the joined rooms.
    public static func tools(profile: PeerProfile, knownPeers: [String]) -> [MCPToolDefinition] {
        let rooms = list(profile.rooms, empty: "none")
        let peers = list(knownPeers, empty: "none yet")
        let typeHelp = "Message type (default \"info\"): printable ASCII, at most 64 characters; "
            + "names starting with _ are reserved, except _perm_verdict, which answers a permission_request "
            + "with text {\"request_id\": \"…\", \"behavior\": \"allow\"|\"deny\"}."
        return [
            MCPToolDefinition(
                name: MCPToolName.send.rawValue,
                description: "Send an end-to-end encrypted message to one peer. Result: 🔒 sent over a live "
                    + "session (PFS; 🆕 = key pinned just now), 📮 sealed offline envelope (no PFS, delivered when "
                    + "the peer reconnects), ⏳ queued locally (relay down), 🔴BLOCKED (key changed: verify, then "
                    + "myc_trust), ❌ refused. Known peers: \(peers).",
                inputSchema: schema([
                    ("target", string("Peer name. Known peers: \(peers).")),
                    ("text", string("The message text.")),
                    ("type", string(typeHelp)),
                    ("request_id", string("Correlation id, e.g. the request_id of the message you answer.")),
                    ("room", string("Room to send in; one of the joined rooms: \(rooms). Default: a room where the target is.")),
                ], required: ["target", "text"])),
            MCPToolDefinition(
                name: MCPToolName.broadcast.rawValue,
                description: "Send one end-to-end encrypted copy to every live peer (each identity once), in one "
                    + "joined room or all of them (\(rooms)). Each copy is tracked and retried on its own.",
                inputSchema: schema([
                    ("text", string("The message text.")),
                    ("type", string(typeHelp)),
                    ("room", string("Only this joined room: \(rooms). Default: all joined rooms.")),
                    ("include_offline", boolean("Also send offline envelopes (📮, no PFS) to pinned peers that are offline.")),
                ], required: ["text"])),
            MCPToolDefinition(
                name: MCPToolName.recv.rawValue,
                description: "Read pending messages and events from the inbox, oldest first (times in UTC). Use it "
                    + "when channel notifications are not visible to you.",
                inputSchema: schema([
                    ("max", number("Most entries to return (default 50, at most 500).")),
                    ("peek", boolean("Leave the entries in the inbox.")),
                ], required: [])),
            MCPToolDefinition(
                name: MCPToolName.peers.rawValue,
                description: "Show the peers of every joined room (\(rooms)) with their trust state: 🔒 pinned, 🆕 new, "
                    + "🤝 STS verified, 🔴 BLOCKED; offline peers reachable by envelope; inbox and relay status.",
                inputSchema: schema([], required: [])),
            MCPToolDefinition(
                name: MCPToolName.rooms.rawValue,
                description: "Ask the relay which rooms exist and how many peers each has (waits up to 5 s).",
                inputSchema: schema([], required: [])),
            MCPToolDefinition(
                name: MCPToolName.trust.rawValue,
                description: "Accept a BLOCKED peer's new key. Without confirm: shows the key's fingerprint (🔑) to "
                    + "check out of band (the peer runs myc_verify). With confirm=true: pins it. Only confirm "
                    + "after the fingerprints matched over a channel you trust.",
                inputSchema: schema([
                    ("peer_name", string("The blocked peer. Known peers: \(peers).")),
                    ("room", string("The room, when the peer is blocked in several (joined: \(rooms)).")),
                    ("confirm", boolean("Pin the presented key (only after out-of-band verification).")),
                ], required: ["peer_name"])),
            MCPToolDefinition(
                name: MCPToolName.verify.rawValue,
                description: "Show fingerprints for out-of-band verification: your own (no peer_name), or the key "
                    + "pinned for a peer next to yours. Read-only.",
                inputSchema: schema([
                    ("peer_name", string("The peer whose pinned key to show. Known peers: \(peers).")),
                    ("room", string("Only this room (joined: \(rooms)).")),
                ], required: [])),
            MCPToolDefinition(
                name: MCPToolName.rotateKey.rawValue,
                description: "Replace this peer's Ed25519 identity key. A continuity statement signed by the old key "
                    + "goes to every known peer (live sessions, and offline envelopes to pinned peers that are away), "
                    + "so their pins move without a key-change alarm, and the relay moves the name binding. "
                    + "Permanent. Without confirm: shows the current fingerprint and what will happen.",
                inputSchema: schema([
                    ("confirm", boolean("Must be true to rotate: rotation cannot be undone.")),
                ], required: [])),
        ]
    }

    /// The names of every declared tool.
    public static var names: [String] { MCPToolName.allCases.map(\.rawValue) }

    // MARK: Schema builders

    private static func schema(_ properties: [(String, JSONValue)], required: [String]) -> JSONObject {
        var props = JSONObject()
        for (name, property) in properties { props[name] = property }
        return ["type": "object", "properties": .object(props), "required": .array(required.map(JSONValue.string))]
    }

    private static func string(_ description: String) -> JSONValue {
        ["type": "string", "description": .string(description)]
    }

    private static func number(_ description: String) -> JSONValue {
        ["type": "number", "description": .string(description)]
    }

    private static func boolean(_ description: String) -> JSONValue {
        ["type": "boolean", "description": .string(description)]
    }

    private static func list(_ names: [String], empty: String) -> String {
        names.isEmpty ? empty : names.joined(separator: ", ")
    }
}
