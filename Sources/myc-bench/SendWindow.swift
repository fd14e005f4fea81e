import Synchronization

/// Flow control between one sender and its receivers, which may run on other event loops.
///
/// The sender adds the deliveries each frame will cause (1 for unicast, the receiver count
/// for broadcast) and stops at `limit`; each receiver releases one per frame it gets, and
/// an `error` frame for a dropped unicast releases one too. A bounded window keeps the
/// relay's per-socket buffers far below their 512 KiB backpressure limit, so the bench
/// measures routing rather than drops.
///
/// A parked sender is woken (once) when the window has drained to half; the sender also
/// re-polls on a short timer, so a lost wake-up costs a few milliseconds, never a stall.
final class SendWindow: Sendable {
    let limit: Int
    private let outstanding = Atomic<Int>(0)
    private let parked = Atomic<Bool>(false)
    private let wake: @Sendable () -> Void

    init(limit: Int, wake: @escaping @Sendable () -> Void) {
        self.limit = max(1, limit)
        self.wake = wake
    }

    var inFlight: Int { outstanding.load(ordering: .relaxed) }

    /// Sender side: reserves `cost` deliveries if the window has room.
    func tryAcquire(_ cost: Int) -> Bool {
        guard outstanding.load(ordering: .acquiring) < limit else { return false }
        outstanding.wrappingAdd(cost, ordering: .relaxed)
        return true
    }

    /// Sender side, after `tryAcquire` failed: asks to be woken. Returns true if the window
    /// drained meanwhile and the sender should carry on at once.
    func park() -> Bool {
        parked.store(true, ordering: .sequentiallyConsistent)
        if outstanding.load(ordering: .sequentiallyConsistent) <= limit / 2 {
            return parked.exchange(false, ordering: .sequentiallyConsistent)
        }
        return false
    }

    /// Receiver side: `count` deliveries arrived (or the relay reported them dropped).
    func release(_ count: Int = 1) {
        let now = outstanding.wrappingSubtract(count, ordering: .sequentiallyConsistent).newValue
        if now <= limit / 2, parked.load(ordering: .relaxed), parked.exchange(false, ordering: .sequentiallyConsistent) {
            wake()
        }
    }
}
