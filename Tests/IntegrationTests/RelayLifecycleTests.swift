import Foundation
import MycKit
import Testing

/// Start-up, shutdown and liveness of `myc relay` as a process.
@Suite(.serialized) struct RelayLifecycleTests {
    @Test func sigtermTellsEveryPeerAndClosesWith1001() async throws {
        let relay = try RelayProcess()
        let alice = ProtocolTestClient(url: relay.url, name: "alice")
        let bob = ProtocolTestClient(url: relay.url, name: "bob")
        try await alice.connectAndAuth(token: relay.token)
        try await bob.connectAndAuth(token: relay.token)
        let started = ContinuousClock.now
        relay.process.terminate()
        for client in [alice, bob] {
            let notice = await client.next(type: "relay_shutdown")
            #expect(notice?["payload"]?.stringValue == "restarting")
            #expect(notice?["from"]?.stringValue == "_relay")
            #expect(await client.waitForClose()?.closeCode == .goingAway)
        }
        relay.process.waitUntilExit()
        #expect(relay.process.terminationStatus == 0)
        #expect(ContinuousClock.now - started < .seconds(6), "exits within the 5 s drain")
        #expect(relay.logLines.contains { $0.contains("relay stopped") })
    }

    @Test func idlePeersThatAnswerPingsStayConnected() async throws {
        let relay = try RelayProcess(env: ["RELAY_PING_INTERVAL": "1"])
        let alice = ProtocolTestClient(url: relay.url, name: "alice")
        let bob = ProtocolTestClient(url: relay.url, name: "bob")
        try await alice.connectAndAuth(token: relay.token)
        try await bob.connectAndAuth(token: relay.token)
        try await Task.sleep(for: .milliseconds(3500))
        #expect(!alice.isClosed && !bob.isClosed, "three ping rounds answered with pongs: nobody is reaped")
        try await alice.send(["type": "info", "target": "bob", "msg_id": "after-idle"])
        #expect(await bob.next(type: "info")?["msg_id"]?.stringValue == "after-idle")
        relay.terminate()
    }

    @Test func referenceAllowListIsImportedOnFirstStart() async throws {
        let home = TempDir()
        let legacyPeer = SigningKeyPair.generate()
        let bound = SigningKeyPair.generate()
        let allowFile = home.file("ref-allow.json")
        // A v1 file: every key is a legacy key of its room.
        try #"{"default":["\#(legacyPeer.publicKey.base64)"]}"#.write(toFile: allowFile, atomically: true, encoding: .utf8)
        let relay = try RelayProcess(home: home, env: ["RELAY_ALLOW_FILE": allowFile])
        let legacy = ProtocolTestClient(url: relay.url, name: "oldtimer", identity: legacyPeer)
        #expect(try await legacy.connectAndAuth(token: nil)["type"]?.stringValue == "auth_ok", "a legacy key needs no token")
        relay.terminate()
        // Rewriting the reference file later changes nothing: the import ran once.
        try #"{"version":2,"bindings":{"default":{"x":"\#(bound.publicKey.base64)"}}}"#.write(toFile: allowFile, atomically: true, encoding: .utf8)
        let again = try RelayProcess(home: home, env: ["RELAY_ALLOW_FILE": allowFile])
        let list = try Myc.run(["allow", "list", "--json", "--db", again.database])
        #expect(list.stdout.contains(legacyPeer.publicKey.base64))
        #expect(!list.stdout.contains(bound.publicKey.base64))
        again.terminate()
    }

    @Test func unreadableStateFailsClosed() throws {
        // A corrupt database: refuse to start, never start empty.
        let home = TempDir()
        try Data("not a database at all, definitely not SQLite".utf8).write(to: URL(fileURLWithPath: home.file("relay.db")))
        #expect(throws: RelayProcessError.self) { _ = try RelayProcess(home: home) }
        let out = try Myc.run(["relay", "--host", "127.0.0.1", "--port", "0", "--db", home.file("relay.db"),
                               "--key-file", home.file("k.json")], env: ["RELAY_TOKEN": "t", "HOME": home.path])
        #expect(out.status != 0)
        #expect(out.stderr.contains("relay.db"))
        // A corrupt relay key: refuse, and leave the file as it was.
        let keyHome = TempDir()
        try "{\"public\": 12".write(toFile: keyHome.file("relay-keys.json"), atomically: true, encoding: .utf8)
        let bad = try Myc.run(["relay", "--host", "127.0.0.1", "--port", "0", "--db", keyHome.file("relay.db"),
                               "--key-file", keyHome.file("relay-keys.json")], env: ["RELAY_TOKEN": "t", "HOME": keyHome.path])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("corrupt"))
        #expect(try String(contentsOfFile: keyHome.file("relay-keys.json"), encoding: .utf8) == "{\"public\": 12")
        // A malformed reference allow-list: refuse rather than lose its bindings.
        let refHome = TempDir()
        try "{broken".write(toFile: refHome.file("allow.json"), atomically: true, encoding: .utf8)
        let refused = try Myc.run(["relay", "--host", "127.0.0.1", "--port", "0", "--db", refHome.file("relay.db"),
                                   "--key-file", refHome.file("k.json")],
                                  env: ["RELAY_TOKEN": "t", "HOME": refHome.path, "RELAY_ALLOW_FILE": refHome.file("allow.json")])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("cannot import allow-list"))
        // A bad setting names the variable.
        let setting = try Myc.run(["relay", "--port", "0"], env: ["RELAY_MAX_PEERS": "lots", "HOME": refHome.path])
        #expect(setting.status != 0)
        #expect(setting.stderr.contains("RELAY_MAX_PEERS"))
    }

    @Test func generatedInviteTokenIsShownOnceAndReused() throws {
        let home = TempDir()
        func start() throws -> Myc.Result {
            // `timeout` stops the relay after it has started; its stderr carries the one-time notice.
            try Myc.runShell("timeout -s TERM 2 \(Myc.binary) relay --host 127.0.0.1 --port 0 --db \(home.file("r.db")) --key-file \(home.file("k.json"))",
                             env: ["HOME": home.path])
        }
        let first = try start()
        #expect(first.stderr.contains("Generated an invite token"))
        let token = try String(contentsOfFile: home.file(".mycelium-relay-token"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(first.stderr.contains(token))
        #expect(!first.stdout.contains(token), "the secret never enters the JSON log")
        let attrs = try FileManager.default.attributesOfItem(atPath: home.file(".mycelium-relay-token"))
        #expect((attrs[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let second = try start()
        #expect(!second.stderr.contains("Generated"))
        #expect(try String(contentsOfFile: home.file(".mycelium-relay-token"), encoding: .utf8).contains(token))
    }

    @Test func perIPCapAndTLSRequirementRefuseUpgrades() async throws {
        let relay = try RelayProcess(env: ["RELAY_MAX_IP_CONNS": "2"])
        let a = ProtocolTestClient(url: relay.url, name: "a")
        let b = ProtocolTestClient(url: relay.url, name: "b")
        try await a.open()
        try await b.open()
        _ = await a.next(type: "challenge")
        _ = await b.next(type: "challenge")
        // The third socket from 127.0.0.1 is refused at the HTTP layer.
        let third = try http("GET", relay.httpBase + "/", headers: ["Connection": "Upgrade", "Upgrade": "websocket",
                                                                  "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="])
        #expect(third.status == 429)
        #expect(third.body == "too many connections")
        await a.close()
        try await Task.sleep(for: .milliseconds(300))
        let again = ProtocolTestClient(url: relay.url, name: "c")
        try await again.open()
        #expect(await again.next(type: "challenge") != nil, "a closed socket frees its slot")
        relay.terminate()

        let tlsOnly = try RelayProcess(env: ["RELAY_REQUIRE_TLS": "true"])
        let plain = try http("GET", tlsOnly.httpBase + "/", headers: ["Connection": "Upgrade", "Upgrade": "websocket",
                                                                     "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="])
        #expect(plain.status == 421)
        #expect(plain.body == "TLS required")
        let proxied = ProtocolTestClient(url: tlsOnly.url, name: "p")
        await #expect(throws: (any Error).self) { try await proxied.open() }
        tlsOnly.terminate()
    }
}
