import Foundation
import MycKit
import Testing

/// `myc trust` and `myc fingerprint --peer/--peers`, run as real processes against a state
/// database seeded the way a running peer leaves it.
@Suite struct TrustCLITests {
    /// A throwaway identity location and its state database with bob blocked in `default`
    /// (his key changed from `oldKey` to `newKey`, and STS failed).
    struct Fixture {
        let dir = TempDir()
        let oldKey = SigningKeyPair.generate().publicKey
        let newKey = SigningKeyPair.generate().publicKey
        var keyFile: String { dir.file("keys.json") }
        var database: String { SQLitePeerStore.defaultPath(forKeyFile: keyFile) }
        var args: [String] { ["--key-file", keyFile] }

        func blocked(_ room: String = "default", _ name: String = "bob", key: SigningPublicKey? = nil) -> BlockedKey {
            BlockedKey(
                peer: RoomPeer(room: room, name: name),
                keyInfo: KeyInfo(signPublicKey: (key ?? newKey).base64, ephemeralPublicKey: "eph", ephemeralPublicKeySignature: "sig", sessionID: "sid"),
                reason: .keyChanged, blockedAtMs: 1_700_000_000_000)
        }

        func seed(_ changes: [PeerStoreChange] = []) throws -> SQLitePeerStore {
            let store = try SQLitePeerStore(path: database)
            try store.apply([
                .setPin(Pin(peer: RoomPeer(room: "default", name: "bob"), key: oldKey.base64, firstSeenMs: 1000, lastSeenMs: 2000)),
                .setBlocked(blocked()), .addStsFailed(RoomPeer(room: "default", name: "bob")),
            ] + changes)
            return store
        }

        func snapshot() throws -> PeerStateSnapshot { try SQLitePeerStore(path: database).loadSnapshot(nowMs: 0) }
    }

    @Test func aMatchingFingerprintPinsTheKeyAndClearsTheBlock() throws {
        let f = Fixture()
        let peer = try f.seed()  // plays the running peer
        let token = try peer.externalChangeToken()
        let before = Int64(Date().timeIntervalSince1970 * 1000)
        let result = try Myc.run(["trust", "bob", "--fingerprint", f.newKey.fingerprint.text] + f.args)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("✅ bob@default trusted (\(f.newKey.fingerprint.text))"))
        #expect(try independentFingerprint(publicKeyBase64: f.newKey.base64) == f.newKey.fingerprint.text)

        // The running peer notices the outside change, and reads the new pin.
        #expect(try peer.externalChangeToken() != token)
        let state = try peer.loadSnapshot(nowMs: 0)
        #expect(state.pins.count == 1)
        #expect(state.pins.first?.key == f.newKey.base64)
        #expect(state.pins.first.map { $0.firstSeenMs >= before && $0.firstSeenMs == $0.lastSeenMs } == true)
        #expect(state.blocked.isEmpty)
        #expect(state.stsFailed.isEmpty)
        #expect(try fileMode(f.database) == 0o600)
    }

    @Test func theFingerprintIsComparedTrimmedAndLowercased() throws {
        let f = Fixture()
        _ = try f.seed()
        let typed = "  " + f.newKey.fingerprint.text.uppercased() + " "
        let result = try Myc.run(["trust", "bob", "--fingerprint", typed], env: ["MYC_KEY_FILE": f.keyFile])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try f.snapshot().pins.first?.key == f.newKey.base64)
    }

    @Test func aWrongFingerprintIsRefusedAndNothingChanges() throws {
        let f = Fixture()
        _ = try f.seed()
        let before = try f.snapshot()
        for wrong in [f.oldKey.fingerprint.text, "0000:0000:0000:0000:0000:0000:0000:0000", ""] {
            let result = try Myc.run(["trust", "bob", "--fingerprint", wrong, "--yes"] + f.args)
            #expect(result.status == 1)
            #expect(result.stderr.contains("does not match the blocked key's \(f.newKey.fingerprint.text)"), "\(result.stderr)")
            #expect(result.stderr.contains("nothing was changed"))
        }
        #expect(try f.snapshot() == before)
    }

    @Test func withoutATerminalAFingerprintIsRequired() throws {
        let f = Fixture()
        _ = try f.seed()
        let before = try f.snapshot()
        for extra in [[], ["--yes"]] {
            let result = try Myc.run(["trust", "bob"] + extra + f.args, stdin: "yes\n")
            #expect(result.status == 1)
            #expect(result.stdout.contains("🔑 \(f.newKey.fingerprint.text)"), "the key to check is shown")
            #expect(result.stdout.contains("identity key changed"))
            #expect(result.stderr.contains("pass it with --fingerprint"), "\(result.stderr)")
        }
        #expect(try f.snapshot() == before)
    }

    @Test func severalRoomsNeedARoom() throws {
        let f = Fixture()
        let devKey = SigningKeyPair.generate().publicKey
        _ = try f.seed([.setBlocked(f.blocked("dev", key: devKey)), .setBlocked(f.blocked("ops", "amy"))])
        let before = try f.snapshot()
        let ambiguous = try Myc.run(["trust", "bob", "--fingerprint", devKey.fingerprint.text] + f.args)
        #expect(ambiguous.status == 1)
        #expect(ambiguous.stderr.contains(#"blocked in several rooms: "default", "dev"; pass --room ROOM"#), "\(ambiguous.stderr)")
        #expect(try f.snapshot() == before)

        let dev = try Myc.run(["trust", "bob", "--room", "dev", "--fingerprint", devKey.fingerprint.text] + f.args)
        #expect(dev.status == 0, "\(dev.stderr)")
        let after = try f.snapshot()
        #expect(after.blocked.map(\.peer) == [RoomPeer(room: "default", name: "bob"), RoomPeer(room: "ops", name: "amy")])
        #expect(after.pins.map(\.peer) == [RoomPeer(room: "default", name: "bob"), RoomPeer(room: "dev", name: "bob")])
        #expect(after.pins.last?.key == devKey.base64)
        #expect(after.stsFailed == [RoomPeer(room: "default", name: "bob")], "only the trusted room's mark is cleared")
    }

    @Test func nothingBlockedOrNoDatabaseIsAClearError() throws {
        let f = Fixture()
        let missing = try Myc.run(["trust", "bob", "--fingerprint", "x"] + f.args)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("\(f.database): no peer state database here"), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: f.database), "trust never creates a database")

        _ = try f.seed()
        let nobody = try Myc.run(["trust", "carol", "--fingerprint", "x"] + f.args)
        #expect(nobody.status == 1)
        #expect(nobody.stderr.contains(#"no blocked key for "carol""#), "\(nobody.stderr)")
        let wrongRoom = try Myc.run(["trust", "bob", "--room", "ops", "--fingerprint", "x"] + f.args)
        #expect(wrongRoom.stderr.contains(#"no blocked key for "bob" in room "ops""#), "\(wrongRoom.stderr)")
    }

    @Test func stateDatabaseFlagAndEnvironmentVariable() throws {
        let f = Fixture()
        let elsewhere = f.dir.file("elsewhere/state.db")
        let store = try SQLitePeerStore(path: elsewhere)
        try store.apply([.setBlocked(f.blocked())])
        let viaFlag = try Myc.run(["trust", "bob", "--state-db", elsewhere, "--fingerprint", f.newKey.fingerprint.text] + f.args)
        #expect(viaFlag.status == 0, "\(viaFlag.stderr)")
        try store.apply([.setBlocked(f.blocked(key: f.oldKey))])
        let viaEnv = try Myc.run(["trust", "bob", "--fingerprint", f.oldKey.fingerprint.text], env: ["MYC_STATE_DB": elsewhere])
        #expect(viaEnv.status == 0, "\(viaEnv.stderr)")
        #expect(try store.loadSnapshot(nowMs: 0).pins.map(\.key) == [f.oldKey.base64])
    }

    @Test func fingerprintPeerAndPeersPrintThePins() throws {
        let f = Fixture()
        let amy = SigningKeyPair.generate().publicKey
        _ = try f.seed([
            .setPin(Pin(peer: RoomPeer(room: "ops", name: "amy"), key: amy.base64, firstSeenMs: 0, lastSeenMs: 1_784_370_030_123)),
            .setPin(Pin(peer: RoomPeer(room: "ops", name: "bob"), key: f.oldKey.base64, firstSeenMs: 86_400_000, lastSeenMs: 86_400_000)),
        ])
        let bob = try Myc.run(["fingerprint", "--peer", "bob"] + f.args)
        #expect(bob.status == 0, "\(bob.stderr)")
        let oldFP = try independentFingerprint(publicKeyBase64: f.oldKey.base64)
        #expect(bob.stdout.contains("ROOM\tFINGERPRINT\tFIRST SEEN\tLAST SEEN\n"))
        #expect(bob.stdout.contains("default\t\(oldFP)\t1970-01-01T00:00:01.000Z\t1970-01-01T00:00:02.000Z\n"))
        #expect(bob.stdout.contains("ops\t\(oldFP)\t1970-01-02T00:00:00.000Z\t1970-01-02T00:00:00.000Z\n"))
        #expect(bob.stdout.contains("BLOCKED\tbob@default\t\(f.newKey.fingerprint.text)\tkey_changed"))
        #expect(!bob.stdout.contains("amy"))

        let all = try Myc.run(["fingerprint", "--peers", "--json"] + f.args)
        #expect(all.status == 0, "\(all.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [String: Any]
        let pins = object?["pins"] as? [[String: Any]] ?? []
        #expect(pins.map { "\($0["room"] ?? "")/\($0["name"] ?? "")" } == ["default/bob", "ops/amy", "ops/bob"])
        #expect(pins[1]["fingerprint"] as? String == amy.fingerprint.text)
        #expect(pins[1]["public_key"] as? String == amy.base64)
        #expect(pins[1]["last_seen"] as? String == "2026-07-18T10:20:30.123Z")
        let blocked = object?["blocked"] as? [[String: Any]] ?? []
        #expect(blocked.first?["fingerprint"] as? String == f.newKey.fingerprint.text)

        let text = try Myc.run(["fingerprint", "--peers"] + f.args)
        #expect(text.stdout.hasPrefix("ROOM\tNAME\tFINGERPRINT\tLAST SEEN\ndefault\tbob\t\(oldFP)\t1970-01-01T00:00:02.000Z\n"))
        let peerJSON = try Myc.run(["fingerprint", "--peer", "amy", "--json"] + f.args)
        #expect(peerJSON.stdout.contains(#""peer": "amy""#))

        // After `myc trust`, the new key is what --peer shows.
        _ = try Myc.run(["trust", "bob", "--fingerprint", f.newKey.fingerprint.text] + f.args)
        let trusted = try Myc.run(["fingerprint", "--peer", "bob"] + f.args)
        #expect(trusted.stdout.contains("default\t\(f.newKey.fingerprint.text)\t"))
        #expect(!trusted.stdout.contains("BLOCKED"))
    }

    @Test func fingerprintPeerErrors() throws {
        let f = Fixture()
        _ = try f.seed()
        let unknown = try Myc.run(["fingerprint", "--peer", "carol"] + f.args)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains(#"no pinned or blocked key for "carol""#), "\(unknown.stderr)")
        let both = try Myc.run(["fingerprint", "--peer", "bob", "--pubkey", f.newKey.base64] + f.args)
        #expect(both.status != 0)
        #expect(both.stderr.contains("are alternatives"))
        let relayKey = try Myc.run(["fingerprint", "--peers", "--relay-key"] + f.args)
        #expect(relayKey.status != 0)
        let noDB = try Myc.run(["fingerprint", "--peers", "--key-file", f.dir.file("other.json")])
        #expect(noDB.status == 1)
        #expect(noDB.stderr.contains("no peer state database here"))
        // The default mode is untouched: with no key file there is nothing to fingerprint.
        let own = try Myc.run(["fingerprint"] + f.args)
        #expect(own.status != 0)
    }
}

private func fileMode(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}
