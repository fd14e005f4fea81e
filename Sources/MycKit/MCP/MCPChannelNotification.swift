/// The notifications of the `claude/channel` extension (§6.3, §6.6), built as JSON-RPC
/// messages with their keys in order.
public enum MCPChannelNotification {
    /// peer → host: a delivered message or an event.
    public static let channelMethod = "notifications/claude/channel"
    /// peer → host: a remote approver's verdict, `{request_id, behavior}` verbatim.
    public static let permissionMethod = "notifications/claude/channel/permission"
    /// host → peer: `{request_id, tool_name, description, input_preview}`.
    public static let permissionRequestMethod = "notifications/claude/channel/permission_request"

    /// What goes to the host for one `PeerNotification`.
    public struct Outbound: Sendable, Equatable {
        /// The complete JSON-RPC notification.
        public var message: JSONObject
        /// Meta keys left out because Claude Code would drop them anyway.
        public var droppedKeys: [String]
    }

    /// A verdict goes out only as `…/permission` (never as a channel message); anything
    /// else as `notifications/claude/channel` with `{content, meta}`, meta in the given
    /// order minus keys that are not letters, digits and `_`.
    public static func outbound(for notification: PeerNotification) -> Outbound {
        if let verdict = notification.permissionVerdict {
            return Outbound(message: jsonRPC(permissionMethod, params: verdict.params), droppedKeys: [])
        }
        var meta = JSONObject()
        var dropped: [String] = []
        for (key, value) in notification.meta {
            if isValidMetaKey(key) { meta[key] = value } else { dropped.append(key) }
        }
        let params: JSONObject = ["content": .string(notification.content), "meta": .object(meta)]
        return Outbound(message: jsonRPC(channelMethod, params: params), droppedKeys: dropped)
    }

    /// Claude Code keeps only meta keys made of ASCII letters, digits and `_`.
    public static func isValidMetaKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_")
        }
    }

    /// The host's `permission_request` params as a `PermissionRequest`. `request_id` must
    /// be a non-empty string (no verdict could be matched without it); the other fields
    /// become `""` when missing or not strings.
    public static func permissionRequest(from params: JSONObject) -> PermissionRequest? {
        guard let id = params["request_id"]?.stringValue, !id.isEmpty else { return nil }
        return PermissionRequest(requestID: id,
                                 toolName: params["tool_name"]?.stringValue ?? "",
                                 description: params["description"]?.stringValue ?? "",
                                 inputPreview: params["input_preview"]?.stringValue ?? "")
    }

    static func jsonRPC(_ method: String, params: JSONObject) -> JSONObject {
        ["jsonrpc": "2.0", "method": .string(method), "params": .object(params)]
    }
}
