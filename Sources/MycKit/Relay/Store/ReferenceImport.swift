#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A store that can take in the TypeScript reference relay's files exactly once.
public protocol ReferenceImportTarget: RelayStore {
    /// Whether an import recorded under `marker` already happened.
    func hasImported(marker: String) throws -> Bool
    /// In one transaction: unless `marker` is already recorded, applies the changes built
    /// from the first free queue id (above every stored id) and records `marker` with
    /// `value`. Returns whether it applied them.
    func importOnce(
        marker: String, value: String, _ changes: (_ firstFreeQueueId: Int64) -> [StoreChange]
    ) throws -> Bool
}

/// First-start import of the reference relay's JSON files (PROTOCOL.md §4.11.2, §4.11.5)
/// into the store, so moving a relay from TypeScript to `myc` keeps its bindings,
/// revocations and offline queue.
///
/// - Each file is imported once per (resolved) path; a marker in the database records it,
///   and later starts do not even read the file. A missing file imports nothing and
///   records nothing, so it is picked up if it appears later.
/// - The reference's files are only read, never modified, rewritten or deleted.
/// - Fail closed (§8.16): a file that exists but cannot be read or parsed throws a
///   `RelayStoreError` and leaves the database untouched; the relay must not start
///   with an empty list and later lose the real one.
public enum ReferenceImport {
    /// The reference's default allow-list path (`RELAY_ALLOW_FILE`).
    public static var defaultAllowFilePath: String { Paths.inHome(".mycelium-relay-allow.json") }

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
        public var bindings = 0
        public var legacy = 0
        public var revoked = 0
        public var frames = 0

        public init(path: String, status: Status, bindings: Int = 0, legacy: Int = 0, revoked: Int = 0, frames: Int = 0) {
            self.path = path
            self.status = status
            self.bindings = bindings
            self.legacy = legacy
            self.revoked = revoked
            self.frames = frames
        }
    }

    /// Imports the allow-list and, when a path is given, the queue file. Returns one report
    /// per file, for the caller to log.
    public static func run(
        allowFile: String, queueFile: String?, into store: some ReferenceImportTarget, nowMs: Int64
    ) throws -> [Report] {
        var reports = [try importAllowList(from: allowFile, into: store, nowMs: nowMs)]
        if let queueFile { reports.append(try importQueue(from: queueFile, into: store, nowMs: nowMs)) }
        return reports
    }

    /// Imports a v1 or v2 allow-list file (§4.11.2).
    public static func importAllowList(
        from path: String, into store: some ReferenceImportTarget, nowMs: Int64
    ) throws -> Report {
        let path = Paths.expand(path)
        let marker = "import.allow-list:" + resolved(path)
        if try store.hasImported(marker: marker) { return Report(path: path, status: .alreadyImported) }
        guard let bytes = try read(path, kind: .cannotImportAllowList) else { return Report(path: path, status: .noFile) }
        let changes = try allowListChanges(from: bytes, path: path)
        guard try store.importOnce(marker: marker, value: "imported at \(nowMs) ms", { _ in changes }) else {
            return Report(path: path, status: .alreadyImported)
        }
        var report = Report(path: path, status: .imported)
        for change in changes {
            switch change {
            case .bind: report.bindings += 1
            case .addLegacy: report.legacy += 1
            case .revoke: report.revoked += 1
            default: break
            }
        }
        return report
    }

    /// Imports the live entries of a queue file (§4.11.5), giving them fresh ids above
    /// every stored one, in file order.
    public static func importQueue(
        from path: String, into store: some ReferenceImportTarget, nowMs: Int64
    ) throws -> Report {
        let path = Paths.expand(path)
        let marker = "import.queue:" + resolved(path)
        if try store.hasImported(marker: marker) { return Report(path: path, status: .alreadyImported) }
        guard let bytes = try read(path, kind: .cannotImportQueue) else { return Report(path: path, status: .noFile) }
        let entries = try queueEntries(from: bytes, path: path, nowMs: nowMs)
        let applied = try store.importOnce(marker: marker, value: "imported at \(nowMs) ms") { firstId in
            entries.enumerated().map { offset, entry in
                var frame = entry
                frame.id = firstId + Int64(offset)
                return .enqueue(frame)
            }
        }
        return applied
            ? Report(path: path, status: .imported, frames: entries.count)
            : Report(path: path, status: .alreadyImported)
    }

    // MARK: - Parsing (pure)

    /// The changes that reproduce an allow-list file, in file order: bindings, then legacy
    /// keys, then revocations. `version: 2` selects v2; anything else is v1, where every
    /// array value becomes that room's legacy list and other values are ignored.
    /// Non-string keys and names are skipped (the reference could never match them).
    static func allowListChanges(from bytes: [UInt8], path: String) throws(RelayStoreError) -> [StoreChange] {
        func fail(_ reason: String) -> RelayStoreError {
            RelayStoreError(path: path, kind: .cannotImportAllowList, reason: reason)
        }
        let root: JSONObject
        do {
            root = try JSONParser.parseObject(bytes)
        } catch {
            throw fail("not a JSON object (\(error))")
        }
        var changes: [StoreChange] = []
        guard root["version"] == .number(2) else {
            for (room, value) in root {
                for key in value.arrayValue ?? [] {
                    if let key = key.stringValue { changes.append(.addLegacy(room: room, key: key)) }
                }
            }
            return changes
        }
        func section(_ name: String) throws(RelayStoreError) -> JSONObject {
            switch root[name] {
            case nil, .null?: return JSONObject()
            case .object(let object)?: return object
            case let other?: throw fail("\"\(name)\" is \(other), not an object")
            }
        }
        for (room, names) in try section("bindings") {
            for (name, key) in names.objectValue ?? JSONObject() {
                if let key = key.stringValue { changes.append(.bind(room: room, name: name, key: key)) }
            }
        }
        for (room, keys) in try section("legacy") {
            for key in keys.arrayValue ?? [] {
                if let key = key.stringValue { changes.append(.addLegacy(room: room, key: key)) }
            }
        }
        for (room, keys) in try section("revoked") {
            for key in keys.arrayValue ?? [] {
                if let key = key.stringValue { changes.append(.revoke(room: room, key: key)) }
            }
        }
        return changes
    }

    /// The entries of a queue file worth keeping, in file order (ids are placeholders):
    /// `data` must be a string and `expiresAt` a number greater than `nowMs`. `size` is
    /// recomputed as UTF-8 bytes (§8.18); a missing or non-string `sender` becomes "".
    /// Queue names without the `\0` separator cannot be routed and are skipped.
    static func queueEntries(from bytes: [UInt8], path: String, nowMs: Int64) throws(RelayStoreError) -> [QueuedFrame] {
        func fail(_ reason: String) -> RelayStoreError {
            RelayStoreError(path: path, kind: .cannotImportQueue, reason: reason)
        }
        let root: JSONObject
        do {
            root = try JSONParser.parseObject(bytes)
        } catch {
            throw fail("not a JSON object (\(error))")
        }
        let queues: JSONObject
        switch root["queues"] {
        case nil, .null?: return []
        case .object(let object)?: queues = object
        case let other?: throw fail("\"queues\" is \(other), not an object")
        }
        var frames: [QueuedFrame] = []
        for (name, entries) in queues {
            guard let separator = name.firstIndex(of: "\u{0}") else { continue }
            let room = String(name[..<separator])
            let target = String(name[name.index(after: separator)...])
            for entry in entries.arrayValue ?? [] {
                guard let object = entry.objectValue,
                      let data = object["data"]?.stringValue,
                      let expiresAt = object["expiresAt"]?.numberValue,
                      expiresAt > Double(nowMs) else { continue }
                frames.append(QueuedFrame(
                    id: 0, room: room, target: target,
                    sender: object["sender"]?.stringValue ?? "",
                    data: data, size: data.utf8.count,
                    expiresAtMs: milliseconds(expiresAt)))
            }
        }
        return frames
    }

    // MARK: - Private

    /// `expiresAt` as whole milliseconds, rounded up so it stays greater than `now`.
    private static func milliseconds(_ value: Double) -> Int64 {
        value >= 9.2e18 ? Int64.max : Int64(value.rounded(.up))
    }

    private static func read(_ path: String, kind: RelayStoreError.Kind) throws(RelayStoreError) -> [UInt8]? {
        do {
            return try AtomicFile.read(path)
        } catch {
            throw RelayStoreError(path: path, kind: kind, reason: "\(error.operation) failed: \(errnoText(error.errno))")
        }
    }

    /// The canonical path (symlinks and `..` resolved) when the file exists, so two
    /// spellings of one file share one import marker.
    private static func resolved(_ path: String) -> String {
        guard let real = realpath(path, nil) else { return path }
        defer { free(real) }
        return String(cString: real)
    }

    private static func errnoText(_ code: Int32) -> String { String(cString: strerror(code)) }
}
