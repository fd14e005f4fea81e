/// Relay-minted message ids, `<base36(ms)>-<base36(counter)>` (PROTOCOL.md §1.4), used only
/// when a routed frame arrives with a falsy `msg_id`. The counter starts at 0, increases on
/// every id minted, and is never reset.
struct RelayMessageID: Sendable, Equatable {
    private(set) var counter: UInt64 = 0

    mutating func next(nowMs: Int64) -> String {
        defer { counter &+= 1 }
        return Self.base36(nowMs) + "-" + String(counter, radix: 36)
    }

    /// JavaScript's `n.toString(36)`: lowercase digits, no padding, `-` for negatives.
    static func base36(_ value: Int64) -> String {
        String(value, radix: 36)
    }
}
