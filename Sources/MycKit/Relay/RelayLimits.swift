/// Every tunable of the relay (PROTOCOL.md §4.12, §7.2), with the reference's defaults —
/// except `requireChallenge`, which defaults to `true` (§8.3: without it, anyone who knows
/// a bound name and public key gets in with no proof and no token).
///
/// The core reads the ones marked "core"; the rest are carried here so a single value
/// configures the whole relay, and are enforced by the HTTP/WebSocket edge.
public struct RelayLimits: Sendable, Equatable {
    /// `RELAY_MAX_PEERS`: connections per room (core).
    public var maxPeersPerRoom: Int = 50
    /// `RELAY_MAX_MSG_BYTES`: largest WebSocket message; bigger ones close with 1009 (edge).
    public var maxMessageBytes: Int = 65_536
    /// `RELAY_PING_INTERVAL` (given in seconds): time between ping rounds (core).
    public var pingIntervalMs: Int64 = 30_000
    /// `RELAY_RATE_LIMIT`: token-bucket capacity and refill per minute (core).
    public var rateLimitPerMinute: Int = 300
    /// `RELAY_QUEUE_MAX_MSGS`: entries per `(room, target)` queue (core).
    public var queueMaxMessages: Int = 50
    /// `RELAY_QUEUE_MAX_BYTES`: total size per queue, in UTF-8 bytes of the frame text (core).
    public var queueMaxBytes: Int = 524_288
    /// `RELAY_QUEUE_TTL_S`: lifetime of a queued frame, echoed as `ttl_s` (core).
    public var queueTTLSeconds: Int64 = 3600
    /// `RELAY_MAX_IP_CONNS`: open WebSockets per client IP (edge).
    public var maxConnectionsPerIP: Int = 10
    /// `RELAY_AUTH_TIMEOUT_MS`: deadline for a successful auth; closes with 4003 (core).
    public var authTimeoutMs: Int64 = 5000
    /// `RELAY_REQUIRE_TLS`: require `X-Forwarded-Proto: https` on upgrades (edge).
    public var requireTLS: Bool = false
    /// `RELAY_TRUSTED_PROXY`: take the client IP from `X-Forwarded-For` / `X-Real-IP` (edge).
    public var trustedProxy: Bool = false
    /// `RELAY_REQUIRE_CHALLENGE`: refuse auths without `challenge_sig` (core). Default ON (§8.3).
    public var requireChallenge: Bool = true
    /// `RELAY_DISCOVERY`: list rooms the requester has not joined in `rooms` (core).
    public var discovery: Bool = true
    /// `RELAY_ROOM`: room of legacy auths that carry neither `rooms` nor `room` (core).
    public var defaultRoom: String = "default"
    /// Rooms per connection; fixed at 8 by the protocol (core).
    public var maxRoomsPerConnection: Int = 8
    /// Delay between a successful auth and the drain of its offline queues (core).
    public var drainDelayMs: Int64 = 50
    /// Period of the stale sweep; a connection whose last pong is older than
    /// `4 × pingIntervalMs` is closed with 4001 (core).
    public var staleSweepIntervalMs: Int64 = 300_000
    /// Period of the offline-queue expiry sweep (core).
    public var queueSweepIntervalMs: Int64 = 30_000
    /// Per-socket send backpressure limit; a socket over it is closed (edge).
    public var backpressureLimitBytes: Int = 524_288
    /// Shutdown: poll period and the longest wait for sockets to close (edge).
    public var shutdownPollMs: Int64 = 100
    public var shutdownGraceMs: Int64 = 5000

    public init() {}

    /// Last pong older than this → closed by the stale sweep.
    public var staleThresholdMs: Int64 { 4 * pingIntervalMs }

    /// Queue TTL in milliseconds.
    public var queueTTLMs: Int64 { queueTTLSeconds * 1000 }
}
