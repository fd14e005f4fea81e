/// Mints peer msg_ids, `<peerName>-<base36(ms)>-<base36(counter)>` (PROTOCOL.md §1.4),
/// e.g. `alice-m2r1bzk8-0`.
///
/// The counter is per process: it starts at 0, grows on every id minted (logical ids of
/// chunked messages, acks and control frames included) and is never reset, not even on
/// reconnect or key rotation. Together with the millisecond clock that keeps ids unique
/// for this sender, which is all receivers rely on: they dedup on `(room, from, msg_id)`
/// and otherwise treat the id as opaque.
///
/// A value type with the clock passed in, so the engine stays pure and tests are exact.
/// The engine owns the one generator of the process.
public struct MessageIDGenerator: Sendable, Equatable {
    /// The sender name embedded in every id.
    public let peerName: String

    /// The counter value the next id will carry.
    public private(set) var counter: UInt64

    public init(peerName: String, counter: UInt64 = 0) {
        self.peerName = peerName
        self.counter = counter
    }

    /// The next id at wall-clock time `nowMs` (milliseconds since the epoch).
    public mutating func next(nowMs: Int64) -> String {
        defer { counter &+= 1 }
        return peerName + "-" + Base36.encode(nowMs) + "-" + Base36.encode(counter)
    }

    /// The msg_id of chunk part `index` (0-based) of a logical message: `<id>#<i>` (§5.13).
    public static func chunkPart(_ logical: String, index: Int) -> String {
        logical + "#" + String(index)
    }
}
