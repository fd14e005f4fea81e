import Foundation
import MycKit
import NIOSSL
import Testing

/// `myc relay` as a real process on 127.0.0.1, driven by protocol clients over real sockets.
@Suite(.serialized) struct RelayIntegrationTests {
    func frame(to target: String?, id: String, type: String = "info", payload: String = "x", extra: JSONObject = [:]) -> JSONObject {
        var f: JSONObject = ["type": .string(type), "room": "default", "msg_id": .string(id), "payload": .string(payload)]
        if let target { f["target"] = .string(target) }
        for (k, v) in extra { f[k] = v }
        return f
    }

    @Test func twoPeersRegisterTalkAndCollectMailOnReturn() async throws {
        let relay = try RelayProcess()
        let alice = ProtocolTestClient(url: relay.url, name: "alice")
        let bob = ProtocolTestClient(url: relay.url, name: "bob")
        let okA = try await alice.connectAndAuth(token: relay.token, sealed: true)
        #expect(okA["type"]?.stringValue == "auth_ok")
        #expect(okA["proto"]?.numberValue == 2)
        let okB = try await bob.connectAndAuth(token: relay.token, sealed: false)
        #expect(okB["type"]?.stringValue == "auth_ok")
        let peers = okB["payload"]?.objectValue?["peers"]?.objectValue?["default"]?.objectValue
        #expect(peers?.keys == ["alice", "bob"], "key map in join order, including the joiner")
        let joined = await alice.next(type: "peer_joined")
        #expect(joined?["payload"]?.objectValue?["peer"]?.stringValue == "bob")

        // Unicast: stamped with the authenticated sender, everything else preserved.
        try await alice.send(frame(to: "bob", id: "alice-1", extra: ["from": "mallory", "seq": 0, "offline": .null]))
        let got = await bob.next(type: "info")
        #expect(got?["from"]?.stringValue == "alice")
        #expect(got?["msg_id"]?.stringValue == "alice-1")
        #expect(got?["offline"] == .null, "present null keys survive routing (signature coverage)")
        #expect(got?["seq"]?.numberValue == 0)

        // Broadcast reaches the others, not the sender; a frame without msg_id gets one.
        try await bob.send(["type": "info", "payload": "to all"])
        let broadcast = await alice.next(type: "info")
        #expect(broadcast?["from"]?.stringValue == "bob")
        #expect(broadcast?["msg_id"]?.stringValue?.contains("-") == true)

        // Bob leaves; Alice's next unicast is queued, and a session frame is refused instead.
        await bob.close()
        #expect(await alice.next(type: "peer_left")?["payload"]?.objectValue?["peer"]?.stringValue == "bob")
        try await alice.send(frame(to: "bob", id: "alice-2", extra: ["no_queue": true]))
        let refused = await alice.next(type: "error")
        #expect(refused?["payload"]?.stringValue == "bob offline; not queued (session frame)")
        #expect(refused?["msg_id"]?.stringValue == "alice-2")
        for i in 3...5 { try await alice.send(frame(to: "bob", id: "alice-\(i)")) }
        for i in 3...5 {
            let queued = await alice.next(type: "queued")
            #expect(queued?["payload"]?.stringValue == "bob offline")
            #expect(queued?["msg_id"]?.stringValue == "alice-\(i)")
            #expect(queued?["ttl_s"]?.numberValue == 3600)
        }

        // Bob returns without a token (his name is bound) and gets his mail in order.
        let bobAgain = ProtocolTestClient(url: relay.url, name: "bob", identity: bob.identity)
        #expect(try await bobAgain.connectAndAuth(token: nil)["type"]?.stringValue == "auth_ok")
        var mail: [String] = []
        while mail.count < 3, let f = await bobAgain.next(type: "info") { mail.append(f["msg_id"]?.stringValue ?? "?") }
        #expect(mail == ["alice-3", "alice-4", "alice-5"])
        await alice.close()
        await bobAgain.close()
        relay.terminate()
    }

    /// Routed bytes as the receiver gets them. A frame already in JSON.stringify form keeps
    /// its bytes and gets `from` spliced in (the parse-free path); any other spelling is
    /// re-printed as JSON.stringify would print it (the full parse), like the reference relay.
    @Test func routedFramesArriveAsJSONStringifyPrintsThemOnBothPaths() async throws {
        let relay = try RelayProcess()
        let alice = ProtocolTestClient(url: relay.url, name: "alice")
        let bob = ProtocolTestClient(url: relay.url, name: "bob")
        try await alice.connectAndAuth(token: relay.token)
        try await bob.connectAndAuth(token: relay.token)

        try await alice.sendText(#"{"type":"probe","target":"bob","msg_id":"m-canonical","seq":7,"payload":"q\"x","no_queue":true}"#)
        #expect(await bob.rawText(containing: "m-canonical")
            == #"{"type":"probe","target":"bob","msg_id":"m-canonical","seq":7,"payload":"q\"x","no_queue":true,"from":"alice"}"#)

        // One deviation each, so each must take the full parse on its own.
        let respelled: [(sent: String, routed: String)] = [
            (#"{ "type":"probe","target":"bob","msg_id":"m-space"}"#, #"{"type":"probe","target":"bob","msg_id":"m-space","from":"alice"}"#),
            (#"{"type":"probe","target":"bob","msg_id":"m-slash","p":"a\/b"}"#, #"{"type":"probe","target":"bob","msg_id":"m-slash","p":"a/b","from":"alice"}"#),
            (#"{"type":"probe","target":"bob","msg_id":"m-unicode","p":"\u0041"}"#, #"{"type":"probe","target":"bob","msg_id":"m-unicode","p":"A","from":"alice"}"#),
            (#"{"type":"probe","target":"bob","msg_id":"m-number","n":1.50,"e":1e2}"#, #"{"type":"probe","target":"bob","msg_id":"m-number","n":1.5,"e":100,"from":"alice"}"#),
            (#"{"type":"probe","target":"bob","from":"mallory","msg_id":"m-dup","from":"eve"}"#, #"{"type":"probe","target":"bob","from":"alice","msg_id":"m-dup"}"#),
        ]
        for (sent, routed) in respelled {
            let marker = try #require(JSONParser.parseObject(sent)["msg_id"]?.stringValue)
            try await alice.sendText(sent)
            #expect(await bob.rawText(containing: "\"\(marker)\"") == routed, "\(sent)")
        }

        // A falsy msg_id is replaced where it stands; `from` is appended after it.
        try await alice.sendText(#"{"type":"probe","target":"bob","msg_id":"","payload":"falsy id"}"#)
        let stamped = try #require(await bob.rawText(containing: "falsy id"))
        let object = try JSONParser.parseObject(stamped)
        #expect(object.keys == ["type", "target", "msg_id", "payload", "from"])
        #expect(object["msg_id"]?.stringValue?.isEmpty == false)
        #expect(stamped == #"{"type":"probe","target":"bob","msg_id":"\#(object["msg_id"]!.stringValue!)","payload":"falsy id","from":"alice"}"#)
    }

    @Test func sigkillLosesNoQueuedMailBindingOrRevocation() async throws {
        let home = TempDir()
        var relay: RelayProcess? = try RelayProcess(home: home)
        let alice = ProtocolTestClient(url: relay!.url, name: "alice")
        let bob = ProtocolTestClient(url: relay!.url, name: "bob")
        let carol = ProtocolTestClient(url: relay!.url, name: "carol")
        try await alice.connectAndAuth(token: relay!.token)
        try await bob.connectAndAuth(token: relay!.token)
        try await carol.connectAndAuth(token: relay!.token)
        await bob.close()
        for i in 1...20 { try await alice.send(frame(to: "bob", id: "a-\(i)", payload: "message \(i)")) }
        var queued = 0
        while queued < 20, let f = await alice.next(type: "queued") { _ = f; queued += 1 }
        #expect(queued == 20, "every frame acknowledged as queued before the crash")
        let revoke = try http("POST", relay!.httpBase + "/admin/revoke", body: #"{"room":"default","name":"carol"}"#)
        #expect(revoke.status == 200)
        #expect(revoke.body == #"{"revoked":true,"disconnected":true}"#)

        relay!.kill9()
        relay = try RelayProcess(home: home)
        let bobBack = ProtocolTestClient(url: relay!.url, name: "bob", identity: bob.identity)
        #expect(try await bobBack.connectAndAuth(token: nil)["type"]?.stringValue == "auth_ok", "binding survived")
        var ids: [String] = []
        while ids.count < 20, let f = await bobBack.next(type: "info", timeout: .seconds(5)) { ids.append(f["msg_id"]!.stringValue!) }
        #expect(ids == (1...20).map { "a-\($0)" })
        let carolBack = ProtocolTestClient(url: relay!.url, name: "carol", identity: carol.identity)
        let refused = try await carolBack.connectAndAuth(token: relay!.token)
        #expect(refused["type"]?.stringValue == "auth_error")
        #expect(refused["payload"]?.stringValue == #"key revoked in room "default""#)
        #expect(await carolBack.waitForClose()?.closeCode == .unknown(4022))
        // A different identity cannot take a bound name.
        let impostor = ProtocolTestClient(url: relay!.url, name: "bob")
        let conflict = try await impostor.connectAndAuth(token: relay!.token)
        #expect(conflict["payload"]?.stringValue == #"peer "bob" bound to different identity in room "default""#)
        #expect(await impostor.waitForClose()?.closeCode == .unknown(4021))
        relay!.terminate()
    }

    @Test func adminAndHealthAuthorization() async throws {
        let relay = try RelayProcess(env: ["RELAY_ADMIN_TOKEN": "admin-secret", "RELAY_HEALTH_TOKEN": "health-secret"])
        let alice = ProtocolTestClient(url: relay.url, name: "alice")
        try await alice.connectAndAuth(token: relay.token)
        #expect(try http("GET", relay.httpBase + "/admin/allowlist").status == 401, "loopback alone is not enough with a token set")
        #expect(try http("GET", relay.httpBase + "/admin/allowlist", headers: ["Authorization": "Bearer wrong"]).status == 401)
        #expect(try http("GET", relay.httpBase + "/admin/allowlist", headers: ["Authorization": "Bearer \(relay.token)"]).status == 401,
                "the invite token is never an admin credential")
        let list = try http("GET", relay.httpBase + "/admin/allowlist", headers: ["Authorization": "Bearer admin-secret"])
        #expect(list.status == 200)
        let object = try JSONSerialization.jsonObject(with: Data(list.body.utf8)) as! [String: Any]
        #expect(object["version"] as? Int == 2)
        #expect(((object["bindings"] as? [String: Any])?["default"] as? [String: String])?["alice"] == alice.identity.publicKey.base64)
        #expect(try http("GET", relay.httpBase + "/health", headers: ["Authorization": "Bearer admin-secret"]).status == 401)
        let health = try http("GET", relay.httpBase + "/health", headers: ["Authorization": "Bearer health-secret"])
        #expect(health.status == 200)
        let h = try JSONSerialization.jsonObject(with: Data(health.body.utf8)) as! [String: Any]
        #expect(h["total_connections"] as? Int == 1)
        #expect((h["rooms"] as? [String: [String]])?["default"] == ["alice"])
        #expect(h["proto"] as? Int == 2)
        let metrics = try http("GET", relay.httpBase + "/metrics", headers: ["Authorization": "Bearer health-secret"])
        #expect(metrics.status == 200)
        #expect(metrics.body.contains("myc_relay_connections 1"))
        #expect(metrics.body.contains("myc_relay_auth_ok_total 1"))
        // Revoke through the API: bad body, then a live peer evicted with 4022.
        let admin = ["Authorization": "Bearer admin-secret"]
        #expect(try http("POST", relay.httpBase + "/admin/revoke", headers: admin, body: "{oops").body == #"{"error":"invalid JSON"}"#)
        #expect(try http("POST", relay.httpBase + "/admin/revoke", headers: admin, body: #"{"room":"default"}"#).status == 400)
        let revoked = try http("POST", relay.httpBase + "/admin/revoke", headers: admin,
                               body: #"{"room":"default","pubkey":"\#(alice.identity.publicKey.base64)"}"#)
        #expect(revoked.body == #"{"revoked":true,"disconnected":true}"#)
        #expect(await alice.next(type: "evicted")?["payload"]?.stringValue == "revoked")
        #expect(await alice.waitForClose()?.closeCode == .unknown(4022))
        relay.terminate()
    }

    @Test func loopbackRuleAndTrustedProxy() async throws {
        let relay = try RelayProcess()
        #expect(try http("GET", relay.httpBase + "/health").status == 200, "no tokens: loopback may read health")
        #expect(try http("GET", relay.httpBase + "/admin/allowlist").status == 200)
        relay.terminate()
        let proxied = try RelayProcess(env: ["RELAY_TRUSTED_PROXY": "true"])
        #expect(try http("GET", proxied.httpBase + "/admin/allowlist", headers: ["X-Forwarded-For": "203.0.113.5"]).status == 401,
                "a remote client behind the proxy is not loopback")
        #expect(try http("GET", proxied.httpBase + "/health", headers: ["X-Forwarded-For": "203.0.113.5"]).status == 401)
        #expect(try http("GET", proxied.httpBase + "/admin/allowlist", headers: ["X-Forwarded-For": "127.0.0.1"]).status == 200)
        #expect(try http("GET", proxied.httpBase + "/nothing").status == 500)
        proxied.terminate()
    }

    @Test func malformedInputIsAnsweredAndNeverKillsTheRelay() async throws {
        let relay = try RelayProcess(env: ["RELAY_AUTH_TIMEOUT_MS": "400"])
        // Before auth: non-JSON keeps the connection; a non-auth frame closes with 4004.
        let early = ProtocolTestClient(url: relay.url, name: "early")
        try await early.open()
        _ = await early.next(type: "challenge")
        try await early.sendText("this is not json")
        #expect(await early.next(type: "error")?["payload"]?.stringValue == "invalid JSON")
        try await early.send(["type": "hello"])
        #expect(await early.next(type: "error")?["payload"]?.stringValue == "auth required")
        #expect(await early.waitForClose()?.closeCode == .unknown(4004))
        // Silence: the auth timer closes with 4003.
        let silent = ProtocolTestClient(url: relay.url, name: "silent")
        try await silent.open()
        #expect(await silent.waitForClose()?.closeCode == .unknown(4003))

        let alice = ProtocolTestClient(url: relay.url, name: "alice")
        try await alice.connectAndAuth(token: relay.token)
        for garbage in ["null", "[1,2]", "42", "\"str\"", "{\"type\":", "{\"a\":\"\\ud800\"}"] {
            try await alice.sendText(garbage)
            let reply = await alice.next(type: "error")
            #expect(reply != nil, "\(garbage) gets an error reply")
        }
        try await alice.sendBinary([1, 2, 3])
        #expect(await alice.next(type: "error") != nil, "binary frames are answered")
        for reserved in ["auth", "auth_ok", "challenge", "peer_joined", "evicted", "relay_shutdown", "queued", "error", "rooms"] {
            try await alice.send(["type": .string(reserved), "msg_id": .string("r-\(reserved)")])
            let reply = await alice.next(type: "error")
            #expect(reply?["msg_id"]?.stringValue == "r-\(reserved)", "\(reserved) is never routed")
        }
        try await alice.send(["type": "info", "room": "elsewhere", "msg_id": "m-room"])
        #expect(await alice.next(type: "error")?["payload"]?.stringValue == #"not a member of room "elsewhere""#)
        // Oversized message: closed with 1009.
        try await alice.sendText(#"{"type":"info","payload":""# + String(repeating: "A", count: 70_000) + #""}"#)
        #expect(await alice.waitForClose()?.closeCode == .messageTooLarge)
        // The relay is still there for the next peer.
        let bob = ProtocolTestClient(url: relay.url, name: "bob")
        #expect(try await bob.connectAndAuth(token: relay.token)["type"]?.stringValue == "auth_ok")
        await bob.close()
        relay.terminate()
    }

    @Test func authFailuresCloseWithTheirCodes() async throws {
        let relay = try RelayProcess()
        let noToken = ProtocolTestClient(url: relay.url, name: "newbie")
        let answer = try await noToken.connectAndAuth(token: "wrong-token")
        #expect(answer["type"]?.stringValue == "auth_error")
        #expect(answer["payload"]?.stringValue == "invalid token")
        #expect(await noToken.waitForClose()?.closeCode == .unknown(4005))

        let underscore = ProtocolTestClient(url: relay.url, name: "_relay")
        #expect(try await underscore.connectAndAuth(token: relay.token)["payload"]?.stringValue == "invalid peer name")
        #expect(await underscore.waitForClose()?.closeCode == .unknown(4006))

        // No challenge signature: refused by default.
        let unsigned = ProtocolTestClient(url: relay.url, name: "unsigned")
        try await unsigned.open()
        let challenge = await unsigned.next(type: "challenge")!
        try await unsigned.send(unsigned.authFrame(for: challenge, token: relay.token, sign: false))
        #expect(await unsigned.next(type: "auth_error")?["payload"]?.stringValue == "challenge_sig required")
        #expect(await unsigned.waitForClose()?.closeCode == .unknown(4005))

        // Same identity twice: the first connection is evicted with 4020.
        let first = ProtocolTestClient(url: relay.url, name: "dup")
        try await first.connectAndAuth(token: relay.token)
        let second = ProtocolTestClient(url: relay.url, name: "dup", identity: first.identity)
        #expect(try await second.connectAndAuth(token: nil)["type"]?.stringValue == "auth_ok")
        #expect(await first.next(type: "evicted")?["payload"]?.stringValue == "superseded")
        #expect(await first.waitForClose()?.closeCode == .unknown(4020))
        await second.close()
        relay.terminate()
    }
}

/// Built-in TLS: `wss://` and `https://` on the same port, no proxy.
@Suite struct RelayTLSTests {
    @Test func relayServesWSSAndHTTPSWithItsOwnCertificate() async throws {
        let dir = TempDir()
        let cert = dir.file("cert.pem"), key = dir.file("key.pem")
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                             "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
        openssl.standardError = Pipe()
        try openssl.run()
        openssl.waitUntilExit()
        #expect(openssl.terminationStatus == 0)

        let relay = try RelayProcess(args: ["--tls-cert", cert, "--tls-key", key])
        #expect(relay.url.hasPrefix("wss://"))
        let health = try http("GET", relay.httpBase + "/health")
        #expect(health.status == 200, "https answers on the relay port (curl -k)")

        let probe = try Myc.run(["fingerprint", "--relay", relay.url, "--tls-ca", cert])
        #expect(probe.status == 0, "\(probe.stderr)")
        #expect(probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == relay.fingerprint)
        let untrusted = try Myc.run(["fingerprint", "--relay", relay.url])
        #expect(untrusted.status != 0, "a self-signed certificate is not trusted without --tls-ca")

        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(cert))
        let alice = ProtocolTestClient(url: relay.url, name: "alice", tls: tls)
        let bob = ProtocolTestClient(url: relay.url, name: "bob", tls: tls)
        #expect(try await alice.connectAndAuth(token: relay.token)["type"]?.stringValue == "auth_ok")
        #expect(try await bob.connectAndAuth(token: relay.token)["type"]?.stringValue == "auth_ok")
        try await alice.send(["type": "info", "target": "bob", "msg_id": "tls-1", "payload": "over TLS"])
        #expect(await bob.next(type: "info")?["payload"]?.stringValue == "over TLS")
        await alice.close()
        await bob.close()
        relay.terminate()
    }
}
