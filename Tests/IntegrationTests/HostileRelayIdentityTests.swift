import Foundation
import MycKit
import Testing

/// Hostile relay (issue #8, item 1) against a real `myc mcp` peer: who the relay and the
/// peers are (relay pinning §3.2, STS §5.8), and robustness against frames no honest
/// relay sends.
@Suite(.serialized) struct HostileRelayIdentityTests {
    @Test func stsForgedBindingBlocksThePeerUntilTrusted() async throws {
        let mallory = SyntheticPeer("mallory")
        let f = try await HostileFixture.start([mallory], verified: false)
        defer { Task { await f.stop() } }
        let relay = f.relay

        // The relay answers alice's _sts_init with mallory's signature over another binding
        // (as when it handed out an ephemeral key that is not the other side's).
        relay.stsBindingOverride.value = { binding in binding + Array("-tampered".utf8) }
        try await f.wait("sts_failed") { f.events("sts_failed").count == 1 }
        try await f.waitForStderr("STS VERIFICATION FAILED (reply) for mallory@default")
        #expect(relay.sent(type: "_sts_complete").isEmpty)

        // Blocked both ways, live and offline.
        let sent = try f.peer.call("myc_send", ["target": "mallory", "text": "must not leave"])
        #expect(sent.contains("🔴BLOCKED"), "\(sent)")
        try relay.send(try relay.frame(from: mallory, text: "live while blocked"))
        try relay.send(try relay.envelope(from: mallory, text: "offline while blocked"))
        try await f.waitForStderr("BLOCKED: no session with mallory@default")
        try await f.waitForStderr("BLOCKED: offline envelope from mallory@default (STS failed; myc_trust first)")
        #expect(f.delivered(from: "mallory").isEmpty)
        #expect(!relay.received.contains { relay.open($0.frame, as: mallory) == "must not leave" })

        // After an out-of-band check, myc_trust lifts the block; an honest STS follows.
        relay.stsBindingOverride.value = nil
        let trusted = try f.peer.call("myc_trust", ["peer_name": "mallory", "room": "default", "confirm": true])
        #expect(trusted.hasPrefix("✅"), "\(trusted)")
        try await f.waitForStsComplete(mallory, room: "default")
        try await f.barrier(mallory)
        #expect(f.events("sts_failed").count == 1)
        #expect(!f.delivered(from: "mallory").contains("live while blocked"))
    }

    @Test func relayPresentingAnotherIdentityThanPinnedIsRefused() async throws {
        let pinned = SigningKeyPair.generate()
        let env = ["MYC_RELAY_FINGERPRINT": pinned.publicKey.fingerprint.text]

        // Another key than the pinned one.
        let impostor = try await HostileFixture.start([SyntheticPeer("mallory")], env: env, verified: false)
        try await impostor.waitForStderr("RELAY IDENTITY MISMATCH: got \(impostor.relay.fingerprint), not in pinned set")
        try await impostor.wait("the peer closing the link") { impostor.relay.closedCount >= 1 }
        // The pinned key's name, without its secret.
        let pretender = try await HostileFixture.start([SyntheticPeer("mallory")], env: env, presentedKey: pinned,
                                                       challengeSigner: .generate(), verified: false)
        try await pretender.waitForStderr("Relay identity check failed")
        try await pretender.wait("the peer closing the link") { pretender.relay.closedCount >= 1 }
        // Control: the real holder of the pinned key is accepted.
        let genuine = try await HostileFixture.start([SyntheticPeer("mallory")], env: env, presentedKey: pinned)

        for refused in [impostor, pretender] {
            #expect(refused.relay.auths.isEmpty, "no auth (so no token, no keys) goes to a refused relay")
            #expect(refused.relay.received.isEmpty)
            #expect(!refused.peer.client.stderr.contains("Auth OK"))
            #expect(refused.isAlive)
        }
        #expect(genuine.relay.auths.count == 1)
        try await genuine.waitForStderr("Relay identity verified: \(pinned.publicKey.fingerprint.text)")
        for fixture in [impostor, pretender, genuine] { await fixture.stop() }
    }

    @Test func malformedFramesNeverCrashThePeer() async throws {
        let mallory = SyntheticPeer("mallory")
        let f = try await HostileFixture.start([mallory])
        defer { Task { await f.stop() } }
        let relay = f.relay

        var raw: [String] = [
            "", "not json", "[1,2,3]", "null", "\"a string\"", "{\"type\":", "{}",
            String(repeating: "[", count: 100_000), String(repeating: "{\"a\":", count: 50_000),
            "{\"type\":\"info\",\"from\":\"mallory\",\"payload\":" + String(repeating: "[", count: 10_000) + "}",
            "{\"type\":\"info\",\"from\":\"mallory\",\"e2e\":true,\"seq\":1e999}",
        ]
        raw.append("{\"type\":\"info\",\"x\":\"" + String(repeating: "\\u0000", count: 10_000) + "\"}")
        for text in raw { try relay.sendRaw(Array(text.utf8)) }

        // Well-formed JSON, wrong shapes: every field of a routed frame, and relay control frames.
        let good = try relay.frame(from: mallory, text: "template")
        let edits: [(String, JSONValue?)] = [
            ("type", .array([])), ("type", .number(5)), ("from", .number(12)), ("from", .null), ("sender", .object([:])),
            ("room", .object([:])), ("room", .null), ("msg_id", .number(7)), ("msg_id", .array([.string("x")])),
            ("seq", .string("1")), ("seq", .number(-1)), ("seq", .number(1e300)), ("seq", .number(9_007_199_254_740_993)),
            ("seq", .number(0.5)), ("ts", .string("now")), ("ts", .number(-1e308)), ("session_id", .number(1)),
            ("nonce", .string("%%%")), ("nonce", .string("AAAA")), ("encrypted", .string("not base64!")),
            ("encrypted", .number(1)), ("sig", .string("!!")), ("sig", .array([])), ("offline", .bool(true)),
            ("e2e", .string("yes")), ("proto", .number(-3)),
        ]
        // Edited by the relay (the signature no longer covers them): none may pass.
        for (key, value) in edits {
            var frame = good
            frame[key] = value
            try relay.send(frame)
        }
        try await f.barrier(mallory)
        #expect(!f.allDelivered.contains("template"), "no relay-edited copy of the template passed the gate")
        // The same shapes validly signed by mallory (a hostile member): handled, maybe accepted, never twice.
        for (key, value) in edits {
            var frame = good
            frame[key] = value
            try relay.send(HostileRelay.resign(frame, with: mallory.identity))
        }
        let keyInfoJunk: JSONObject = ["peer": "eve", "room": "default", "peers": ["eve": .null, "x": .number(1)],
                                       "sign_pubkey": "AAAA", "eph_enc_pubkey": .number(1), "eph_enc_pubkey_sig": "x"]
        let control: [JSONObject] = [
            ["type": "peer_joined", "from": "_relay", "payload": .object(keyInfoJunk)],
            ["type": "peer_joined", "from": "_relay", "payload": .null],
            ["type": "peer_joined", "from": "_relay", "payload": ["peer": "mallory", "room": .number(3)]],
            ["type": "peer_left", "from": "_relay", "payload": ["peer": .array([]), "peers": .string("x")]],
            ["type": "error", "from": "_relay", "payload": .object(["deep": .array([.null])]), "msg_id": .object([:])],
            ["type": "queued", "from": "_relay", "payload": .number(1), "msg_id": .number(1), "ttl_s": "forever"],
            ["type": "rooms", "from": "_relay", "payload": ["rooms": .string("nope")]],
            ["type": "evicted", "from": "_relay", "payload": .object([:])],
            ["type": "challenge", "from": "_relay", "nonce": "AAAA"],
            ["type": "auth_ok", "from": "_relay", "payload": .null],
            ["type": .number(1), "from": "_relay"],
            ["type": "unheard_of", "from": "_relay", "payload": .string(String(repeating: "\r\n", count: 5_000))],
        ]
        for frame in control { try relay.send(frame) }
        // A large (900 KB), validly signed frame that decrypts to nothing sensible.
        var large = good
        large["encrypted"] = .string(Base64.encode(RandomBytes.generate(675_000)))
        try relay.send(HostileRelay.resign(large, with: mallory.identity))

        try await f.barrier(mallory)
        #expect(f.isAlive)
        #expect(f.allDelivered.filter { $0 == "template" }.count <= 1, "one msg_id, delivered at most once")
        #expect(relay.auths.count == 1, "nothing above was worth dropping the link over")
        #expect(f.peer.client.protocolViolations.isEmpty)
        _ = try f.peer.call("myc_peers")
    }

    @Test func oversizedAndNonUTF8FramesNeverCrashThePeer() async throws {
        let mallory = SyntheticPeer("mallory")
        let f = try await HostileFixture.start([mallory])
        defer { Task { await f.stop() } }
        let relay = f.relay

        let abuse: [(String, [UInt8])] = [
            ("invalid UTF-8", [0x7B, 0x22, 0xFF, 0xFE, 0xC0, 0x80, 0x22, 0x7D]),
            ("over the 1 MiB message limit", Array(("{\"type\":\"info\",\"pad\":\"" + String(repeating: "A", count: 2 << 20) + "\"}").utf8)),
        ]
        for (what, bytes) in abuse {
            let authsBefore = relay.auths.count
            try relay.sendRaw(bytes)
            // Either the link survives (the next honest frame arrives on it) or the peer drops
            // it and reconnects; either way the process lives and honest traffic resumes.
            let marker = "after \(what)"
            try? relay.send(try relay.frame(from: mallory, text: marker))
            try await f.wait("delivery or a reconnection after \(what)", timeout: 15) {
                f.delivered(from: "mallory").contains(marker) || relay.auths.count > authsBefore
            }
            if !f.delivered(from: "mallory").contains(marker) {
                try await f.waitForStsOnLatestConnection(mallory)
                try await f.barrier(mallory)
            }
            #expect(f.isAlive, "\(what)")
        }
        _ = try f.peer.call("myc_peers")
        #expect(f.peer.client.protocolViolations.isEmpty)
    }
}
