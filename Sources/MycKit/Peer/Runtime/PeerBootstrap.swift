import Logging

/// Assembles a running peer from `PeerSettings`: identity, store (with the one-time import
/// of the reference's files), engine and runtime. Fails with a clear error before touching
/// the network if anything it needs is unreadable; never invents a replacement identity
/// for a file that exists but cannot be opened.
public enum PeerBootstrap {
    /// `onStoreFailure` runs once if a write to the peer database fails (disk full, read-only
    /// directory); the default prints the reason and exits with 74 (EX_IOERR), fail-stop.
    public static func makeRuntime(_ settings: PeerSettings, logger: Logger,
                                   onStoreFailure: @escaping @Sendable (String) -> Void = exitOnStoreFailure) throws -> PeerRuntime {
        let file = KeyFile(path: settings.keyFile, layout: .peer)
        let identity: Identity
        if file.exists {
            identity = try file.load(passphrase: settings.keyPassphrase)
        } else {
            identity = try file.create(passphrase: settings.keyPassphrase, overwrite: false)
            logger.notice("created a new identity", metadata: ["path": "\(settings.keyFile)"])
        }
        let store = try SQLitePeerStore(path: settings.stateDB)
        let now = RelayRuntime.wallClockMs()
        for report in try PeerReferenceImport.run(pinsFile: settings.pinsFile, replayFile: settings.replayFile,
                                                   rooms: settings.rooms, into: store, nowMs: now)
        where report.status == .imported {
            logger.notice("imported reference state", metadata: [
                "path": "\(report.path)", "pins": "\(report.pins)", "seen": "\(report.seen)", "windows": "\(report.windows)",
            ])
        }
        let config = PeerEngineConfig(
            name: settings.name, rooms: settings.rooms, identity: identity.keyPair, rotation: identity.previous,
            relayURLs: settings.relays.map(\.description), relayPins: settings.relayPins, token: settings.token,
            offlineMaxAgeMs: settings.offlineMaxAgeMs, maxLogicalBytes: settings.maxLogicalBytes, approvers: settings.approvers)
        let engine = PeerEngine(config: config, snapshot: try store.loadSnapshot(nowMs: now))
        let passphrase = settings.keyPassphrase
        return PeerRuntime(engine: engine, store: store, logger: logger, trustRootsPEM: settings.trustRootsPEM,
                           identityWriter: { identity in try file.write(identity, passphrase: passphrase) },
                           onStoreFailure: onStoreFailure)
    }

    public static let exitOnStoreFailure: @Sendable (String) -> Void = StoreFailureExit.exitProcess
}
