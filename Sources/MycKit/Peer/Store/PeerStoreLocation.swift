/// Where a peer's state database lives. One database per identity, next to its key file,
/// so two identities on one machine never share pins or replay state. Shared by every
/// command that opens it (`myc mcp`, `myc chat`, `myc trust`, `myc fingerprint --peer`).
extension SQLitePeerStore {
    /// The environment variable that overrides the database path.
    public static let pathVariable = "MYC_STATE_DB"

    /// The database next to `keyFile`: its name with a trailing `.json` replaced by
    /// `.state.db` (`~/.mycelium-keys.json` → `~/.mycelium-keys.state.db`), or `.state.db`
    /// appended when it has no `.json` extension. `~` is expanded.
    public static func defaultPath(forKeyFile keyFile: String) -> String {
        let keyFile = Paths.expand(keyFile)
        let lastComponent = keyFile.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        if lastComponent.hasSuffix(".json") && lastComponent.count > ".json".count {
            return String(keyFile.dropLast(".json".count)) + ".state.db"
        }
        return keyFile + ".state.db"
    }

    /// The database path in the usual order: the `--state-db` flag, then `MYC_STATE_DB`,
    /// then `defaultPath(forKeyFile:)` of the (already resolved) identity key file.
    public static func resolvePath(stateDB flag: String?, keyFile: String, _ config: Configuration) -> String {
        config.path(flag, pathVariable, default: defaultPath(forKeyFile: keyFile))
    }
}
