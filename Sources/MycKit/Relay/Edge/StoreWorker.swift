import NIOPosix

/// The one thread that touches the relay store. Jobs run in submission order, so the store
/// sees changes in exactly the order the core produced them (submissions happen while the
/// core's lock is held). Disk waits (fsync) never block an event loop.
final class StoreWorker: Sendable {
    private let pool: NIOThreadPool

    init() {
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        pool.submit { state in
            guard case .active = state else { return }
            job()
        }
    }

    /// Runs every job submitted so far, then stops the thread.
    func shutdown() async {
        try? await pool.shutdownGracefully()
    }
}
