/// Why the relay's durable state could not be opened, read, written or imported.
///
/// Every message names the file and says what to do, because the relay refuses to start
/// (fails closed) rather than run with an empty allow-list: starting empty would let the
/// next save forget every binding and revocation (PROTOCOL.md §8.16).
public struct RelayStoreError: Error, CustomStringConvertible, Sendable, Equatable {
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
        /// A reference (TypeScript relay) allow-list file exists but cannot be used.
        case cannotImportAllowList
        /// A reference queue file exists but cannot be used.
        case cannotImportQueue
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
            return "\(path): cannot open the relay database: \(reason); check the file's owner and permissions, "
                + "or restore it from a backup (moving it aside starts with no bindings, revocations or queued frames)"
        case .readOnly:
            return "\(path): cannot open the relay database for writing: \(reason); the relay does not start on state it "
                + "cannot save: remount its file system read-write, or fix the owner and permissions of the file and its directory"
        case .newerSchema:
            return "\(path): the relay database was written by a newer version of myc (\(reason)); "
                + "upgrade myc, or point it at another database"
        case .operationFailed(let operation):
            return "\(path): cannot \(operation): \(reason); check free disk space and the file's permissions"
        case .cannotImportAllowList:
            return "\(path): cannot import allow-list: \(reason); fix or move the file"
        case .cannotImportQueue:
            return "\(path): cannot import queue: \(reason); fix or move the file"
        }
    }
}
