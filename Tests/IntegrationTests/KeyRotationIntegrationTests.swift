import Foundation
import MycKit
import Testing

/// Key rotation (§5.14) and passphrase-sealed identities between real `myc mcp` processes
/// and a real `myc relay`.
@Suite(.serialized) struct KeyRotationIntegrationTests {
    static let passphrase = "correct horse battery staple"

    @Test func rotationReachesLiveAndOfflinePeersAndTheRelayMovesTheBinding() throws {
        let relay = try RelayProcess()
        let aliceHome = TempDir()
        let sealed = ["MYC_KEY_PASSPHRASE": Self.passphrase]
        var alice = try MCPPeer("alice", relay: relay.url, home: aliceHome, env: sealed)
        let bob = try MCPPeer("bob", relay: relay.url)
        let carolHome = TempDir()
        var carol = try MCPPeer("carol", relay: relay.url, home: carolHome)
        try alice.waitForVerifiedSession(with: "bob")
        try alice.waitForVerifiedSession(with: "carol")
        try carol.waitForVerifiedSession(with: "alice")
        carol.stop()
        try alice.waitForPeers { $0.contains("offline") && $0.contains("carol") }

        let keyFile = KeyFile(path: alice.keyFile, layout: .peer)
        let before = try keyFile.load(passphrase: Self.passphrase)
        let warning = try alice.call("myc_rotate_key")
        #expect(warning.hasPrefix("Key rotation is PERMANENT. Current fingerprint: \(before.fingerprint)"))
        #expect(try keyFile.load(passphrase: Self.passphrase).publicKey == before.publicKey, "no rotation without confirm")

        let rotated = try alice.call("myc_rotate_key", ["confirm": true])
        let after = try keyFile.load(passphrase: Self.passphrase)
        #expect(rotated.hasPrefix("✅ Identity rotated. New fingerprint: \(after.fingerprint)"), "\(rotated)")
        #expect(rotated.contains("Announced to 1 online peer(s), 1 offline envelope(s)."), "\(rotated)")
        #expect(after.publicKey != before.publicKey)
        #expect(after.previous?.previousPublicKey == before.publicKey.base64)
        // Still sealed with the same passphrase: no passphrase, no identity.
        #expect(throws: KeyFileError.self) { try keyFile.load(passphrase: nil) }

        // bob moved its pin and talks to the new key without a key-change alarm.
        let rotatedEvent = try bob.client.waitForNotification("notifications/claude/channel") {
            $0["meta"]?.objectValue?["type"]?.stringValue == "key_rotated"
        }
        #expect(rotatedEvent["params"]?.objectValue?["content"]?.stringValue?.contains(after.fingerprint.text) == true)
        try bob.waitForVerifiedSession(with: "alice")
        _ = try bob.call("myc_send", ["target": "alice", "text": "hello new key"])
        _ = try alice.waitForMessage(from: "bob", content: "hello new key")
        #expect(bob.events("tofu_violation").isEmpty)
        #expect(try bob.call("myc_verify", ["peer_name": "alice"]).contains(after.fingerprint.text))

        // carol was away: the queued envelope moves her pin when she returns.
        carol = try MCPPeer("carol", relay: relay.url, home: carolHome)
        _ = try carol.client.waitForNotification("notifications/claude/channel", timeout: 15) {
            $0["meta"]?.objectValue?["type"]?.stringValue == "key_rotated"
        }
        try carol.waitForVerifiedSession(with: "alice")
        #expect(!(try carol.call("myc_peers")).contains("BLOCKED"))
        _ = try alice.call("myc_send", ["target": "carol", "text": "carol, it is still me"])
        _ = try carol.waitForMessage(from: "alice", content: "carol, it is still me")

        // The relay moved the name binding: the new key needs no invite token any more.
        alice.stop()
        alice = try MCPPeer("alice", relay: relay.url, token: nil, home: aliceHome, env: sealed)
        try alice.waitForVerifiedSession(with: "bob")
        #expect(!alice.client.stderr.contains("Auth fail"), "\(alice.client.stderr)")

        alice.stop()
        bob.stop()
        carol.stop()
        relay.terminate()
    }

    @Test func aSealedIdentityNeedsItsPassphrase() throws {
        let relay = try RelayProcess()
        let home = TempDir()
        let first = try MCPPeer("dora", relay: relay.url, home: home, env: ["MYC_KEY_PASSPHRASE": Self.passphrase])
        let fingerprint = try first.call("myc_verify")
        first.stop()
        let raw = try String(contentsOfFile: home.file("keys.json"), encoding: .utf8)
        #expect(raw.contains("\"kdf\"") || raw.contains("argon2"), "key file is passphrase-sealed: \(raw.prefix(120))")
        #expect(!raw.contains("sign_secret"), "no secret key in clear")

        let base = ["MYC_PEER": "dora", "MYC_RELAY": relay.url, "MYC_KEY_FILE": home.file("keys.json"), "HOME": home.path]
        for (label, env) in [("wrong passphrase", ["MYC_KEY_PASSPHRASE": "not it"]), ("no passphrase", [:])] {
            let run = try Myc.runShell("timeout 20 \(Myc.binary) mcp </dev/null",
                                       env: base.merging(env) { $1 })
            #expect(run.status != 0 && run.status != 124, "\(label): must refuse to start (status \(run.status))")
            #expect(run.stderr.lowercased().contains("passphrase"), "\(label): says why: \(run.stderr)")
            #expect(run.stdout.isEmpty, "\(label): nothing on the MCP channel")
        }
        let again = try MCPPeer("dora", relay: relay.url, home: home, env: ["MYC_KEY_PASSPHRASE": Self.passphrase])
        #expect(try again.call("myc_verify") == fingerprint)
        again.stop()
        relay.terminate()
    }
}
