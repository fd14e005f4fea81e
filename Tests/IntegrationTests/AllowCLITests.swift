import Foundation
import MycKit
import Testing

/// `myc allow` against a running relay: through its database, and through its admin API.
@Suite(.serialized) struct AllowCLITests {
    @Test func localDatabaseEditsReachTheRunningRelay() async throws {
        let relay = try RelayProcess()
        let alice = ProtocolTestClient(url: relay.url, name: "alice")
        try await alice.connectAndAuth(token: relay.token)
        let db = ["--db", relay.database]

        let list = try Myc.run(["allow", "list"] + db)
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("default\talice\t\(alice.identity.publicKey.fingerprint.text)\tbound"))

        // Pre-register dave: he gets in without the invite token.
        let dave = SigningKeyPair.generate()
        let add = try Myc.run(["allow", "add", "--room", "default", "--name", "dave", "--pubkey", dave.publicKey.base64] + db)
        #expect(add.status == 0, "\(add.stderr)")
        try await Task.sleep(for: .milliseconds(1200))
        let daveClient = ProtocolTestClient(url: relay.url, name: "dave", identity: dave)
        #expect(try await daveClient.connectAndAuth(token: nil)["type"]?.stringValue == "auth_ok")
        // Conflicts are refused with a reason.
        let clash = try Myc.run(["allow", "add", "--room", "default", "--name", "dave", "--pubkey", SigningKeyPair.generate().publicKey.base64] + db)
        #expect(clash.status != 0)
        #expect(clash.stderr.contains("already bound to a different key"))

        // Revoke alice in the database: the running relay evicts her.
        let revoke = try Myc.run(["allow", "revoke", "--room", "default", "--name", "alice"] + db)
        #expect(revoke.status == 0, "\(revoke.stderr)")
        #expect(await alice.next(type: "evicted", timeout: .seconds(5))?["payload"]?.stringValue == "revoked")
        #expect(await alice.waitForClose()?.closeCode == .unknown(4022))
        let json = try Myc.run(["allow", "list", "--json", "--room", "default"] + db)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        #expect((object["revoked"] as? [String: [String]])?["default"] == [alice.identity.publicKey.base64])

        // Unrevoke: alice may register again with the token.
        let unrevoke = try Myc.run(["allow", "unrevoke", "--room", "default", "--pubkey", alice.identity.publicKey.base64] + db)
        #expect(unrevoke.status == 0, "\(unrevoke.stderr)")
        try await Task.sleep(for: .milliseconds(1200))
        let aliceAgain = ProtocolTestClient(url: relay.url, name: "alice", identity: alice.identity)
        #expect(try await aliceAgain.connectAndAuth(token: relay.token)["type"]?.stringValue == "auth_ok")

        let nothing = try Myc.run(["allow", "revoke", "--room", "default", "--name", "nobody"] + db)
        #expect(nothing.status != 0)
        #expect(nothing.stderr.contains("nothing to revoke"))
        let usage = try Myc.run(["allow", "revoke", "--room", "default"] + db)
        #expect(usage.status != 0)
        #expect(usage.stderr.contains("--name or --pubkey"))
        relay.terminate()
    }

    @Test func adminAPIRemoteMode() async throws {
        let relay = try RelayProcess(env: ["RELAY_ADMIN_TOKEN": "adm"])
        let bob = ProtocolTestClient(url: relay.url, name: "bob")
        try await bob.connectAndAuth(token: relay.token)
        let remote = ["--admin-url", relay.httpBase, "--admin-token", "adm"]

        let denied = try Myc.run(["allow", "list", "--admin-url", relay.httpBase, "--admin-token", "wrong"])
        #expect(denied.status != 0)
        #expect(denied.stderr.contains("401"))

        let list = try Myc.run(["allow", "list", "--json"] + remote)
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains(bob.identity.publicKey.base64))

        let erin = SigningKeyPair.generate()
        let add = try Myc.run(["allow", "add", "--room", "ops", "--name", "erin", "--pubkey", erin.publicKey.base64] + remote)
        #expect(add.status == 0, "\(add.stderr)")
        let erinClient = ProtocolTestClient(url: relay.url, name: "erin", identity: erin, rooms: ["ops"])
        #expect(try await erinClient.connectAndAuth(token: nil)["type"]?.stringValue == "auth_ok")

        let revoke = try Myc.run(["allow", "revoke", "--room", "default", "--pubkey", bob.identity.publicKey.base64] + remote)
        #expect(revoke.status == 0, "\(revoke.stderr)")
        #expect(revoke.stdout.contains("disconnected"))
        #expect(await bob.waitForClose()?.closeCode == .unknown(4022))
        // The environment variable works in place of the flag.
        let viaEnv = try Myc.run(["allow", "list", "--admin-url", relay.httpBase], env: ["RELAY_ADMIN_TOKEN": "adm"])
        #expect(viaEnv.status == 0, "\(viaEnv.stderr)")
        #expect(viaEnv.stdout.contains("REVOKED"))
        relay.terminate()
    }

    @Test func missingDatabaseIsAClearError() throws {
        let dir = TempDir()
        let result = try Myc.run(["allow", "list", "--db", dir.file("none.db")])
        #expect(result.status != 0)
        #expect(result.stderr.contains("no relay database"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("none.db")))
    }
}
