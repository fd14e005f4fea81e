/// The per-connection rate limiter of PROTOCOL.md §4.1: capacity `RELAY_RATE_LIMIT`,
/// starting full, refilled continuously at `capacity` tokens per minute
/// (`tokens = min(cap, tokens + elapsed_ms / 60000 × cap)`); every frame costs one token.
struct TokenBucket: Sendable, Equatable {
    let capacity: Double
    private(set) var tokens: Double
    private(set) var lastRefillMs: Int64

    init(capacity: Int, nowMs: Int64) {
        self.capacity = Double(capacity)
        self.tokens = Double(capacity)
        self.lastRefillMs = nowMs
    }

    /// Refills for the time elapsed, then takes one token if at least one is left.
    mutating func take(nowMs: Int64) -> Bool {
        let elapsed = nowMs - lastRefillMs
        if elapsed > 0 {
            tokens = min(capacity, tokens + Double(elapsed) / 60_000 * capacity)
            lastRefillMs = nowMs
        }
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
