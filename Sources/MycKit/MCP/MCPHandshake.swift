import MCP

/// What `myc mcp` answers to `initialize` (§6.1).
///
/// The SDK's built-in `initialize` cannot be used: `Server.Capabilities` has no
/// `experimental` member, and its decoder refuses Claude Code's
/// `capabilities.experimental` (objects where it expects strings). `MCPFace` registers
/// `MycInitialize` in its place, with `Value` in and out.
public enum MCPHandshake {
    /// The version in `serverInfo`: the reference's (0.3.0), which hosts may key on. Our
    /// own version goes into the instructions.
    public static let serverVersion = "0.3.0"

    /// `myc-<PEER>`.
    public static func serverName(peer: String) -> String { "myc-\(peer)" }

    /// `{"experimental":{"claude/channel":{},"claude/channel/permission":{}},"tools":{}}`.
    public static let capabilities: JSONObject = [
        "experimental": ["claude/channel": .object(JSONObject()), "claude/channel/permission": .object(JSONObject())],
        "tools": .object(JSONObject()),
    ]

    /// The client's protocol version when the SDK supports it, else the newest it does.
    public static func negotiatedVersion(clientRequested: String?) -> String {
        if let clientRequested, Version.supported.contains(clientRequested) { return clientRequested }
        return Version.latest
    }

    /// The `initialize` result for a client that asked for `clientVersion`.
    public static func initializeResult(clientVersion: String?, profile: PeerProfile) -> JSONObject {
        [
            "protocolVersion": .string(negotiatedVersion(clientRequested: clientVersion)),
            "capabilities": .object(capabilities),
            "serverInfo": ["name": .string(serverName(peer: profile.name)), "version": .string(serverVersion)],
            "instructions": .string(instructions(profile: profile)),
        ]
    }

    /// One line per point, in the spirit of the reference's (§6.1), plus `myc_verify`.
    public static func instructions(profile: PeerProfile) -> String {
        let tools = MCPToolCatalog.names.joined(separator: ", ")
        return [
            "You are peer \"\(profile.name)\" on Mycelium, in room(s): \(profile.rooms.joined(separator: ", ")) "
                + "(myc \(MycVersion.string), wire protocol v\(WireProtocol.version)).",
            "All traffic is end-to-end encrypted; msg_id, seq and room are bound by signatures, so the relay cannot "
                + "read, reorder or redirect messages.",
            "Live sessions (🔒) have perfect forward secrecy; offline envelopes (📮) do not.",
            "Retransmission is automatic: you only hear about confirmed delivery of deferred sends (✅) or terminal "
                + "failure (⚠️ FAILED, NOT delivered).",
            "Pinned identities fail closed: a changed key shows 🔴 BLOCKED. Call myc_trust only after comparing "
                + "fingerprints out of band (myc_verify on both sides).",
            "Encrypted traffic with a bad signature is hard-blocked and never shown to you.",
            "Permission requests and verdicts travel encrypted like any message; answer a permission_request "
                + "with myc_send type _perm_verdict.",
            "Tools: \(tools).",
            "Incoming messages arrive as channel notifications; if you do not see them, call myc_recv.",
        ].joined(separator: "\n")
    }
}

/// `initialize` with free-form params and result (see `MCPHandshake`).
struct MycInitialize: MCP.Method {
    static let name = "initialize"
    typealias Parameters = Value
    typealias Result = Value
}

/// `notifications/initialized`: the host is ready for notifications.
struct MycInitialized: MCP.Notification {
    static let name = "notifications/initialized"
    typealias Parameters = Value
}

/// `notifications/claude/channel/permission_request` from the host (§5.17).
struct MycPermissionRequestNotification: MCP.Notification {
    static let name = MCPChannelNotification.permissionRequestMethod
    typealias Parameters = Value
}
