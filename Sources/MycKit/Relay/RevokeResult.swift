/// The answer to an admin revocation (PROTOCOL.md §4.11.6).
public struct RevokeResult: Sendable, Equatable {
    /// Something was revoked (or, for undo, un-revoked).
    public var revoked: Bool
    /// A live connection was evicted with `evicted "revoked"` and closed with 4022.
    public var disconnected: Bool

    public init(revoked: Bool, disconnected: Bool) {
        self.revoked = revoked
        self.disconnected = disconnected
    }

    /// `{"revoked":<bool>,"disconnected":<bool>}`.
    public var jsonObject: JSONObject {
        ["revoked": .bool(revoked), "disconnected": .bool(disconnected)]
    }
}
