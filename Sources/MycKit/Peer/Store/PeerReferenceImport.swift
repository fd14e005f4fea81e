#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A store that can take in the TypeScript reference peer's files exactly once.
public protocol PeerReferenceImportTarget: PeerStore {
    /// Whether an import recorded under `marker` already happened.
    func hasImported(marker: String) throws -> Bool
    /// In one transaction: unless `marker` is already recorded, applies the changes built
    /// from the current state and records `marker` with `value`. Returns whether it applied them.
    func importOnce(
        marker: String, value: String, _ changes: (_ current: PeerStateSnapshot) -> [PeerStoreChange]
    ) throws -> Bool
}

/// First-start import of the reference peer's JSON files (PROTOCOL.md §5.4, §5.10): the TOFU
/// pins (`MYC_TOFU_FILE`), the replay state (`MYC_REPLAY_FILE`) and its `.wal`, so moving a
/// peer from TypeScript to `myc` keeps its pins and cannot be replayed into.
///
/// - Each file is imported once per (resolved) path; a marker in the database records it,
///   and later starts do not even read the file. A missing file imports nothing and records
///   nothing, so it is picked up if it appears later.
/// - What the database already holds wins over the file (it is at least as new): an
///   imported pin never replaces a pin, an imported window never replaces a window.
/// - The reference's files are only read, never modified, rewritten or deleted.
/// - Fail closed: a file that exists but cannot be read or parsed throws a `PeerStoreError`
///   naming it and leaves the database untouched. (The reference silently starts empty,
///   §8.16, which re-pins whatever key comes next and forgets what it has seen.)
public enum PeerReferenceImport {
    /// The reference's default TOFU file (`MYC_TOFU_FILE`).
    public static var defaultPinsFilePath: String { Paths.inHome(".mycelium-known-peers.json") }
    /// The reference's default replay-state file (`MYC_REPLAY_FILE`).
    public static var defaultReplayFilePath: String { Paths.inHome(".mycelium-replay-state.json") }

    /// `MYC_TOFU_FILE`, else the default.
    public static func pinsFilePath(_ config: Configuration) -> String {
        config.path(nil, "MYC_TOFU_FILE", default: defaultPinsFilePath)
    }

    /// `MYC_REPLAY_FILE`, else the default. Its WAL is this path plus `.wal`.
    public static func replayFilePath(_ config: Configuration) -> String {
        config.path(nil, "MYC_REPLAY_FILE", default: defaultReplayFilePath)
    }

    public struct Report: Sendable, Equatable {
        public enum Status: Sendable, Equatable {
            case imported
            /// Imported on an earlier start; the file was not read.
            case alreadyImported
            /// No file at the path.
            case noFile
        }

        public var path: String
        public var status: Status
        public var pins = 0
        public var seen = 0
        public var windows = 0
        /// Entries the store already held (kept), or keys that name no room and sender.
        public var skipped = 0

        public init(path: String, status: Status, pins: Int = 0, seen: Int = 0, windows: Int = 0, skipped: Int = 0) {
            self.path = path
            self.status = status
            self.pins = pins
            self.seen = seen
            self.windows = windows
            self.skipped = skipped
        }
    }

    /// Imports the TOFU file, the replay file and the replay WAL. `rooms` is the peer's
    /// configured room list (`ROOMS`, §5.1; empty means `["default"]`): a v1 TOFU file is
    /// copied into every room, and pre-0.3.0 replay windows go to the first. Returns one
    /// report per file, for the caller to log.
    public static func run(
        pinsFile: String, replayFile: String, rooms: [String], into store: some PeerReferenceImportTarget, nowMs: Int64
    ) throws -> [Report] {
        [
            try importPins(from: pinsFile, rooms: rooms, into: store, nowMs: nowMs),
            try importReplayState(from: replayFile, rooms: rooms, into: store, nowMs: nowMs),
            try importReplayWAL(from: Paths.expand(replayFile) + ".wal", into: store, nowMs: nowMs),
        ]
    }

    /// Imports a v1 or v2 TOFU file (§5.4).
    public static func importPins(
        from path: String, rooms: [String], into store: some PeerReferenceImportTarget, nowMs: Int64
    ) throws -> Report {
        let path = Paths.expand(path)
        let marker = "import.tofu:" + resolved(path)
        if try store.hasImported(marker: marker) { return Report(path: path, status: .alreadyImported) }
        guard let bytes = try read(path, kind: .cannotImportPins) else { return Report(path: path, status: .noFile) }
        let pins = try ReferenceFileParser.pins(from: bytes, path: path, rooms: effectiveRooms(rooms), nowMs: nowMs)
        var report = Report(path: path, status: .imported)
        let applied = try store.importOnce(marker: marker, value: "imported at \(nowMs) ms") { current in
            let held = Set(current.pins.map(\.peer))
            let fresh = pins.filter { !held.contains($0.peer) }
            report.pins = Set(fresh.map(\.peer)).count
            report.skipped = pins.count - fresh.count
            return fresh.map { .setPin($0) }
        }
        return applied ? report : Report(path: path, status: .alreadyImported)
    }

    /// Imports a replay-state file (§5.10), with its migrations.
    public static func importReplayState(
        from path: String, rooms: [String], into store: some PeerReferenceImportTarget, nowMs: Int64
    ) throws -> Report {
        let path = Paths.expand(path)
        let marker = "import.replay:" + resolved(path)
        if try store.hasImported(marker: marker) { return Report(path: path, status: .alreadyImported) }
        guard let bytes = try read(path, kind: .cannotImportReplayState) else { return Report(path: path, status: .noFile) }
        let state = try ReferenceFileParser.replayState(from: bytes, path: path, rooms: effectiveRooms(rooms), nowMs: nowMs)
        var report = Report(path: path, status: .imported, skipped: state.unscoped)
        let applied = try store.importOnce(marker: marker, value: "imported at \(nowMs) ms") { current in
            let heldSeen = Set(current.seen.map(SeenKey.init))
            let heldWindows = Set(current.windows.map(WindowKey.init))
            let seen = state.seen.filter { !heldSeen.contains(SeenKey($0)) }
            let windows = state.windows.filter { !heldWindows.contains(WindowKey($0)) }
            report.seen = seen.count
            report.windows = windows.count
            report.skipped += state.seen.count - seen.count + state.windows.count - windows.count
            return seen.map { .addSeen($0) } + windows.map { .setWindow($0) }
        }
        return applied ? report : Report(path: path, status: .alreadyImported)
    }

    /// Imports a replay WAL: each non-empty line (after trimming the whole file) is a dedup
    /// key, added as seen at `nowMs` (an entry already held is refreshed, as the reference
    /// does). Lines that are not `room\0from\0msg_id` are skipped.
    public static func importReplayWAL(
        from path: String, into store: some PeerReferenceImportTarget, nowMs: Int64
    ) throws -> Report {
        let path = Paths.expand(path)
        let marker = "import.replay-wal:" + resolved(path)
        if try store.hasImported(marker: marker) { return Report(path: path, status: .alreadyImported) }
        guard let bytes = try read(path, kind: .cannotImportReplayState) else { return Report(path: path, status: .noFile) }
        let wal = ReferenceFileParser.walEntries(from: bytes, nowMs: nowMs)
        let applied = try store.importOnce(marker: marker, value: "imported at \(nowMs) ms") { _ in
            wal.seen.map { .addSeen($0) }
        }
        return applied
            ? Report(path: path, status: .imported, seen: wal.seen.count, skipped: wal.unscoped)
            : Report(path: path, status: .alreadyImported)
    }

    // MARK: - Private

    /// A dedup key compared by bytes.
    private struct SeenKey: Hashable {
        let peer: RoomPeer
        let msgID: [UInt8]
        init(_ entry: SeenEntry) {
            peer = entry.peer
            msgID = Array(entry.msgID.utf8)
        }
    }

    /// A window key compared by bytes.
    private struct WindowKey: Hashable {
        let peer: RoomPeer
        let sessionID: [UInt8]
        init(_ window: ReplayWindowRecord) {
            peer = window.peer
            sessionID = Array(window.sessionID.utf8)
        }
    }

    private static func effectiveRooms(_ rooms: [String]) -> [String] {
        var seen = Set<[UInt8]>()
        let unique = rooms.filter { seen.insert(Array($0.utf8)).inserted }
        return unique.isEmpty ? ["default"] : unique
    }

    private static func read(_ path: String, kind: PeerStoreError.Kind) throws(PeerStoreError) -> [UInt8]? {
        do {
            return try AtomicFile.read(path)
        } catch {
            throw PeerStoreError(path: path, kind: kind, reason: "\(error.operation) failed: \(String(cString: strerror(error.errno)))")
        }
    }

    /// The canonical path (symlinks and `..` resolved) when the file exists, so two
    /// spellings of one file share one import marker.
    private static func resolved(_ path: String) -> String {
        guard let real = realpath(path, nil) else { return path }
        defer { free(real) }
        return String(cString: real)
    }
}
