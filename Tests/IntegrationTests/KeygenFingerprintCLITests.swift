import Foundation
import MycKit
import Testing

/// The identity commands as a person at a terminal uses them: real binary, real files.
@Suite struct KeygenFingerprintCLITests {
    @Test func keygenThenFingerprintAgreeWithIndependentSHA512() throws {
        let dir = TempDir()
        let path = dir.file("k.json")
        let keygen = try Myc.run(["keygen", "--key-file", path, "--json"])
        #expect(keygen.status == 0, "\(keygen.stderr)")
        let created = try JSONSerialization.jsonObject(with: Data(keygen.stdout.utf8)) as! [String: Any]
        let publicKey = created["public_key"] as! String
        let fingerprint = try Myc.run(["fingerprint", "--key-file", path])
        #expect(fingerprint.status == 0)
        let printed = fingerprint.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(printed == created["fingerprint"] as? String)
        // The file's own public key, read back independently, hashes to the same fingerprint.
        let file = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        #expect(file["sign_public"] as? String == publicKey)
        #expect(try independentFingerprint(publicKeyBase64: publicKey) == printed)
        let attrs = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attrs[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func keygenHumanOutputAndEnvironmentPath() throws {
        let dir = TempDir()
        let path = dir.file("from-env.json")
        let result = try Myc.run(["keygen"], env: ["MYC_KEY_FILE": path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Fingerprint: "))
        #expect(result.stdout.contains(path))
        #expect(FileManager.default.fileExists(atPath: path))
        // Default path is under HOME when nothing is configured.
        let home = TempDir()
        let byDefault = try Myc.run(["keygen"], env: ["HOME": home.path])
        #expect(byDefault.status == 0, "\(byDefault.stderr)")
        #expect(FileManager.default.fileExists(atPath: home.file(".mycelium-keys.json")))
        let relay = try Myc.run(["keygen", "--relay-key"], env: ["HOME": home.path])
        #expect(relay.status == 0, "\(relay.stderr)")
        let relayFile = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: home.file(".mycelium-relay-keys.json")))) as! [String: Any]
        #expect(relayFile["public"] is String && relayFile["private"] is String)
    }

    @Test func forceIsRequiredToReplaceAnIdentity() throws {
        let dir = TempDir()
        let path = dir.file("k.json")
        #expect(try Myc.run(["keygen", "--key-file", path]).status == 0)
        let before = try String(contentsOfFile: path, encoding: .utf8)
        let refused = try Myc.run(["keygen", "--key-file", path])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("already exists"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == before)
        let forced = try Myc.run(["keygen", "--key-file", path, "--force"])
        #expect(forced.status == 0)
        #expect(try String(contentsOfFile: path, encoding: .utf8) != before)
    }

    @Test func passphraseFromFileAndEnvironment() throws {
        let dir = TempDir()
        let path = dir.file("sealed.json")
        let passFile = dir.file("pass.txt")
        try "hunter2 ä\n".write(toFile: passFile, atomically: true, encoding: .utf8)
        let created = try Myc.run(["keygen", "--key-file", path, "--passphrase-file", passFile, "--json"])
        #expect(created.status == 0, "\(created.stderr)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("\"kdf\": \"argon2id13\""))
        let expected = (try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as! [String: Any])["fingerprint"] as! String
        let viaEnv = try Myc.run(["fingerprint", "--key-file", path], env: ["MYC_KEY_PASSPHRASE": "hunter2 ä"])
        #expect(viaEnv.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == expected)
        let wrong = try Myc.run(["fingerprint", "--key-file", path], env: ["MYC_KEY_PASSPHRASE": "hunter3"])
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("\(path): wrong passphrase"))
        let none = try Myc.run(["fingerprint", "--key-file", path])
        #expect(none.status != 0)
        #expect(none.stderr.contains("MYC_KEY_PASSPHRASE"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text, "failed opens never rewrite the file")
    }

    @Test func fingerprintOfAPublicKeyAndBadInput() throws {
        let ok = try Myc.run(["fingerprint", "--pubkey", "AFHOPQ/GT+D+zxrU8EUJIObS2kpdVVh3X5OtdWIOr3I="])
        #expect(ok.stdout == "3e95:2974:fbd8:6dd9:6f47:220e:d268:f6ba\n")
        let bad = try Myc.run(["fingerprint", "--pubkey", "AFHOPQ"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--pubkey"))
        let dir = TempDir()
        let missing = try Myc.run(["fingerprint", "--key-file", dir.file("nope.json")])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("myc keygen"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("nope.json")), "fingerprint never creates an identity")
        let corrupt = dir.file("corrupt.json")
        try "{\"sign_public\":".write(toFile: corrupt, atomically: true, encoding: .utf8)
        let broken = try Myc.run(["fingerprint", "--key-file", corrupt])
        #expect(broken.status != 0)
        #expect(broken.stderr.contains("corrupt"))
    }

    @Test func fingerprintOfARelayWithAValidChallenge() async throws {
        let relay = try await FakeChallengeRelay()
        defer { Task { await relay.stop() } }
        let result = try Myc.run(["fingerprint", "--relay", relay.url, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        #expect(object["fingerprint"] as? String == relay.relayKey.publicKey.fingerprint.text)
        #expect(object["public_key"] as? String == relay.relayKey.publicKey.base64)
        #expect(object["source"] as? String == "relay")
    }

    @Test func fingerprintRefusesARelayThatCannotProveItsKey() async throws {
        let relay = try await FakeChallengeRelay(forgeSignature: true)
        defer { Task { await relay.stop() } }
        let result = try Myc.run(["fingerprint", "--relay", relay.url])
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty, "no fingerprint is printed for an unproven key")
        #expect(result.stderr.contains("signature does not verify"))
    }

    @Test func fingerprintOfAnUnreachableRelayIsAClearError() throws {
        let result = try Myc.run(["fingerprint", "--relay", "ws://127.0.0.1:9"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("cannot connect"))
        let notURL = try Myc.run(["fingerprint", "--relay", "http://example"])
        #expect(notURL.stderr.contains("not a relay URL"))
    }

    @Test func unknownOptionsAreUsageErrors() throws {
        for name in ["chat", "mcp", "relay", "keygen"] {
            let result = try Myc.run([name, "--some-flag"])
            #expect(result.status == 64, "\(name): EX_USAGE")
            #expect(result.stderr.contains("Unknown option '--some-flag'"), "\(name)")
        }
    }

    @Test func versionNamesTheProtocol() throws {
        let result = try Myc.run(["--version"])
        #expect(result.stdout.contains("protocol v2"))
    }
}
