/// Everything that can go wrong with a key file, each with a message that says what to do.
/// None of these ever leads to a silently generated replacement identity.
public enum KeyFileError: Error, Equatable, Sendable, CustomStringConvertible {
    case missing(path: String)
    case alreadyExists(path: String)
    case unreadable(path: String, reason: String)
    case corrupt(path: String, reason: String)
    case passphraseRequired(path: String, variable: String)
    case wrongPassphrase(path: String)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .missing(path):
            return "\(path): no key file here (create one with `myc keygen --key-file \(path)`)"
        case let .alreadyExists(path):
            return "\(path): a key file already exists; refusing to overwrite an identity (use --force to replace it, which breaks every pin and binding of the old key)"
        case let .unreadable(path, reason):
            return "\(path): cannot read key file: \(reason)"
        case let .corrupt(path, reason):
            return "\(path): key file is corrupt (\(reason)); refusing to start rather than create a new identity. Restore it from a backup, or move it away and run `myc keygen`."
        case let .passphraseRequired(path, variable):
            return "\(path): key file is passphrase-protected; set \(variable) or pass --passphrase-file / --passphrase"
        case let .wrongPassphrase(path):
            // Wording kept from the reference: operators grep for it.
            return "\(path): wrong passphrase"
        case let .writeFailed(path, reason):
            return "\(path): cannot write key file: \(reason)"
        }
    }
}
