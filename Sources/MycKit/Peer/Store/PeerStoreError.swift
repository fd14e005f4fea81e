/// Why a peer's durable state could not be opened, read, written or imported.
///
/// Every message names the file and says what to do. A peer refuses to start (fails
/// closed) rather than run with empty state: forgetting pins would re-pin whatever key
/// a hostile relay offers next (TOFU), and forgetting replay state would accept replays.
public struct PeerStoreError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The database file could not be opened: damaged, not a database, or not accessible.
        case cannotOpen
        /// The database was migrated by a newer `myc` than this one.
        case newerSchema
        /// The database opens but cannot be written: a read-only file system, or no write
        /// permission on the file or its directory.
        case readOnly
        /// A read or write failed after the database was open (disk full, I/O error, busy).
        case operationFailed(operation: String)
        /// A reference (TypeScript peer) TOFU file exists but cannot be used.
        case cannotImportPins
        /// A reference replay-state file (or its `.wal`) exists but cannot be used.
        case cannotImportReplayState
    }

    /// The file the error is about (`:memory:` for an in-memory database).
    public let path: String
    public let kind: Kind
    /// What SQLite, the file system or the parser said.
    public let reason: String

    public init(path: String, kind: Kind, reason: String) {
        self.path = path
        self.kind = kind
        self.reason = reason
    }

    public var description: String {
        switch kind {
        case .cannotOpen:
            return "\(path): cannot open the peer state database: \(reason); check the file's owner and permissions, "
                + "or restore it from a backup (moving it aside forgets every pinned key and the replay state)"
        case .readOnly:
            return "\(path): cannot open the peer state database for writing: \(reason); the peer does not start on state it "
                + "cannot save: remount its file system read-write, or fix the owner and permissions of the file and its directory"
        case .newerSchema:
            return "\(path): the peer state database was written by a newer version of myc (\(reason)); "
                + "upgrade myc, or point it at another database (--state-db / MYC_STATE_DB)"
        case .operationFailed(let operation):
            return "\(path): cannot \(operation): \(reason); check free disk space and the file's permissions"
        case .cannotImportPins:
            return "\(path): cannot import pinned peer keys (TOFU file): \(reason); fix or move the file "
                + "(moving it aside forgets the reference peer's pins)"
        case .cannotImportReplayState:
            return "\(path): cannot import replay state: \(reason); fix or move the file"
        }
    }
}
