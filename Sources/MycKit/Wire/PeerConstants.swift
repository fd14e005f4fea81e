/// Every peer-side constant of PROTOCOL.md §7.2 (and the §5 sections that use them),
/// in one place so the engine, its tests and the help text agree.
///
/// Durations are integer milliseconds because the peer engine is pure and driven by a
/// millisecond clock (the reference's `Date.now()`), so timers are plain arithmetic.
/// Values that depend on configuration (`MYC_OFFLINE_MAX_AGE_S`, `MYC_MAX_MSG_BYTES`)
/// have a `default…` constant and a function deriving the dependent value.
public enum PeerConstants {
    // MARK: Identity, rooms and types

    /// Most rooms one connection may join; `MYC_ROOM` keeps the first 8 after
    /// de-duplication (§5.1), and the relay refuses more (§3.4).
    public static let maxRooms = 8

    /// The room used when `MYC_ROOM` is unset (§5.1).
    public static let defaultRoom = "default"

    /// Longest `type` a peer accepts for sending, in UTF-16 code units (§5.16).
    public static let maxTypeLength = 64

    /// The type substituted for a missing, `null` or empty send type (§5.16).
    public static let defaultType = "info"

    /// Random bytes in a session id; it travels as twice as many hex digits (§1.4).
    public static let sessionIDByteCount = 16

    /// Box nonce size for session frames (`crypto_box_NONCEBYTES`, §5.6).
    public static let boxNonceByteCount = 24

    // MARK: Acknowledgement and retransmission (§5.12)

    /// How long a session send waits for `_ack` before retransmitting.
    public static let ackTimeoutMs: Int64 = 30_000

    /// Margin added to the offline freshness window for deferred (offline or local)
    /// sends and for dedup retention: 5 minutes.
    public static let offlineGraceMs: Int64 = 300_000

    /// The ack timer for offline and local sends: the receiver may legitimately accept
    /// the envelope until the freshness window closes, so wait that long plus a margin.
    public static func offlineAckTimeoutMs(offlineMaxAgeMs: Int64) -> Int64 {
        offlineMaxAgeMs + offlineGraceMs
    }

    /// `offlineAckTimeoutMs` with the default window: 3 900 000 ms (65 min).
    public static let defaultOfflineAckTimeoutMs: Int64 = offlineAckTimeoutMs(offlineMaxAgeMs: defaultOfflineMaxAgeMs)

    /// Retransmissions after the first send; a message goes out at most 6 times.
    public static let retryMax = 5

    /// Most unacknowledged messages (chunk parts count one each); checked once per
    /// logical message before it is split.
    public static let outboxMax = 200

    /// Delay before retrying the outbox for a peer whose session just came up (§5.5 step 6).
    public static let outboxRetryAfterSessionMs: Int64 = 200

    /// Delay before retrying the outbox after `auth_ok`.
    public static let outboxRetryAfterAuthMs: Int64 = 500

    /// Delay before resending a message the relay refused with `rate limited`; any other
    /// relay error resends immediately.
    public static let rateLimitResendDelayMs: Int64 = 5_000

    /// Longest relay `error` detail kept (after CR/LF runs become one space), in characters.
    public static let relayErrorDetailMax = 160

    // MARK: Offline envelopes and replay protection (§5.9, §5.10)

    /// Default freshness window for offline envelopes (`MYC_OFFLINE_MAX_AGE_S` = 3600),
    /// compared as `abs(now − ts)`.
    public static let defaultOfflineMaxAgeMs: Int64 = 3_600_000

    /// How long a committed msg_id stays in the dedup set: the freshness window plus
    /// 5 min, so an envelope still fresh enough to pass O4 is always remembered.
    public static func seenExpiryMs(offlineMaxAgeMs: Int64) -> Int64 {
        offlineMaxAgeMs + offlineGraceMs
    }

    /// Most dedup entries kept after a sweep (oldest-inserted evicted first).
    public static let dedupCap = 10_000

    /// Interval of the dedup sweep and of the replay-state save.
    public static let replaySweepIntervalMs: Int64 = 10_000

    /// Width of the per-session sequence window (a 64-bit mask).
    public static let replayWindow = 64

    // MARK: Chunking (§5.13)

    /// Largest slice of UTF-8 bytes per chunk part; texts longer than this are split.
    /// A full part is ~43 KB on the wire, well under the relay's 64 KiB frame limit.
    public static let chunkLimitBytes = 24_000

    /// Default largest logical message accepted or sent (`MYC_MAX_MSG_BYTES`).
    public static let defaultMaxLogicalBytes = 1_048_576

    /// Largest `n` a chunk may announce: `ceil(maxLogicalBytes / 24000) + 1`. The `+ 1`
    /// is the reference's slack; it is kept so parts it sends are never refused.
    public static func maxChunkParts(maxLogicalBytes: Int) -> Int {
        (maxLogicalBytes + chunkLimitBytes - 1) / chunkLimitBytes + 1
    }

    /// `maxChunkParts` for the default logical limit: 45.
    public static let defaultMaxChunkParts = maxChunkParts(maxLogicalBytes: defaultMaxLogicalBytes)

    /// Most reassembly buffers open at once per `(room, sender)`; more are dropped so one
    /// sender cannot make us hold unbounded partial messages.
    public static let chunkBuffersPerSender = 8

    /// A reassembly buffer is discarded (and `chunk_timeout` emitted) this long after it opened.
    public static let chunkTimeoutMs: Int64 = 120_000

    // MARK: STS (§5.8)

    /// Delay between key processing and the initiator's `_sts_init` (§5.5 step 6).
    public static let stsStartDelayMs: Int64 = 100

    /// The initiator forgets a pending STS after this long; the session stays usable.
    public static let stsTimeoutMs: Int64 = 10_000

    // MARK: Relay link (§5.15)

    /// How often the heartbeat checks for silence, from `auth_ok` on.
    public static let heartbeatIntervalMs: Int64 = 10_000

    /// Silence after which the link is closed with 4100 (`heartbeat`).
    public static let heartbeatSilenceMs: Int64 = 45_000

    /// Reconnect delay is `random × min(cap, base × 2^attempt)`; this is the base.
    public static let reconnectBackoffBaseMs: Int64 = 1_000

    /// Upper bound of the reconnect delay.
    public static let reconnectBackoffCapMs: Int64 = 60_000

    /// How long `myc_rooms` waits for the relay's `rooms` reply.
    public static let roomsWaitMs: Int64 = 5_000

    // MARK: Inbox (§6.5)

    /// Most inbox entries kept; the oldest is dropped (and counted) beyond this.
    public static let inboxCap = 500

    /// Entries `myc_recv` returns when `max` is missing, 0 or NaN (and its cap is `inboxCap`).
    public static let recvDefault = 50
}
