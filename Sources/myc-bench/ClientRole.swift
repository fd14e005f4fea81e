/// What an authenticated client does in a scenario. Roles live on their client's event
/// loop and are only called from it.
protocol ClientRole: AnyObject {
    /// The scenario starts (the client is authenticated and every other client too).
    func start(_ client: BenchClient)
    /// A bench frame arrived (its latency is already recorded).
    func receivedBench(from sender: String, on client: BenchClient)
    /// The relay answered one of our frames with `error` or `queued`: it was not delivered.
    func relayRejected(on client: BenchClient)
    /// Periodic poll (every few ms) and cross-loop wake-ups. Returns false when the role
    /// needs no more ticks.
    func tick(_ client: BenchClient) -> Bool
    /// How often `tick` runs; the first tick comes after a random fraction of it, so the
    /// ticks of many clients spread out instead of firing together.
    var tickIntervalNs: Int64 { get }
    /// Whether a `queued` reply is this role's expected outcome (offline-queue fill) rather
    /// than an error.
    var expectsQueued: Bool { get }
    /// The relay queued one of our frames (only called when `expectsQueued`).
    func relayQueued(on client: BenchClient)
}

extension ClientRole {
    var tickIntervalNs: Int64 { 5_000_000 }
    /// Whether a `queued` reply is this role's expected outcome (offline-queue fill) rather
    /// than an error.
    var expectsQueued: Bool { false }
    /// The relay queued one of our frames (only called when `expectsQueued`).
    func relayQueued(on client: BenchClient) {}
}
