import Foundation
import Testing
@testable import MycKit

@Suite struct KeyFileTests {
    let v = Vectors.keyfile

    private func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    private func read(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test func plaintextPeerFileReadsAndWritesByteForByte() throws {
        let dir = TempDir()
        let path = dir.file("keys.json")
        let text = Vectors.string(v, "peer_plaintext.file_text")
        try write(text, to: path)
        let file = KeyFile(path: path, layout: .peer)
        let identity = try file.load(passphrase: nil)
        #expect(identity.publicKey.base64 == Vectors.string(v, "peer_plaintext.object.sign_public"))
        #expect(identity.fingerprint.text == Vectors.string(v, "peer_plaintext.fingerprint"))
        #expect(identity.previous == nil)
        let out = dir.file("out.json")
        try KeyFile(path: out, layout: .peer).write(identity, passphrase: nil)
        #expect(try read(out) == text)
    }

    @Test func rotatedPeerFileKeepsPrevBlock() throws {
        let dir = TempDir()
        let path = dir.file("keys.json")
        let text = Vectors.string(v, "peer_plaintext_after_rotation.file_text")
        try write(text, to: path)
        let identity = try KeyFile(path: path, layout: .peer).load(passphrase: nil)
        #expect(identity.previous?.previousPublicKey == "AFHOPQ/GT+D+zxrU8EUJIObS2kpdVVh3X5OtdWIOr3I=")
        #expect(identity.previous?.rotatedAt == 1730000000000)
        let out = dir.file("out.json")
        try KeyFile(path: out, layout: .peer).write(identity, passphrase: nil)
        #expect(try read(out) == text)
    }

    @Test func relayFileReadsAndWritesByteForByte() throws {
        let dir = TempDir()
        let path = dir.file("relay.json")
        let text = Vectors.string(v, "relay_plaintext.file_text")
        try write(text, to: path)
        let identity = try KeyFile(path: path, layout: .relay).load(passphrase: nil)
        #expect(identity.fingerprint.text == Vectors.string(v, "relay_plaintext.fingerprint"))
        let out = dir.file("out.json")
        try KeyFile(path: out, layout: .relay).write(identity, passphrase: nil)
        #expect(try read(out) == text)
        // A relay file is not a peer file: the fields differ, and that is a clear error.
        #expect(throws: KeyFileError.self) { try KeyFile(path: path, layout: .peer).load(passphrase: nil) }
    }

    @Test func argon2idDerivationMatchesVector() throws {
        let salt = Vectors.b64(v, "peer_encrypted.object.salt")
        let key = try PasswordHash.deriveKey(passphrase: Vectors.string(v, "peer_encrypted.passphrase"), salt: salt)
        #expect(Hex.encode(key.bytesCopy) == Vectors.string(v, "peer_encrypted.derived_key_hex"))
        #expect(PasswordHash.opsLimitModerate == 3)
        #expect(PasswordHash.memLimitModerate == 268_435_456)
    }

    @Test func sealedVectorOpensWithItsPassphrase() throws {
        let dir = TempDir()
        let path = dir.file("sealed.json")
        try write(Vectors.string(v, "peer_encrypted.file_text"), to: path)
        let file = KeyFile(path: path, layout: .peer)
        let identity = try file.load(passphrase: Vectors.string(v, "peer_encrypted.passphrase"))
        #expect(identity.publicKey.base64 == Vectors.string(v, "peer_encrypted.expected_decrypted_object.sign_public"))
        #expect(throws: KeyFileError.wrongPassphrase(path: path)) { try file.load(passphrase: "correct horse battery staple") }
        #expect(throws: KeyFileError.passphraseRequired(path: path, variable: "MYC_KEY_PASSPHRASE")) { try file.load(passphrase: nil) }
        #expect("\(KeyFileError.wrongPassphrase(path: path))" == "\(path): wrong passphrase")
    }

    @Test func sealedWriteRoundTripsWithFreshSaltAndMode0600() throws {
        let dir = TempDir()
        let path = dir.file("nested/dir/keys.json")
        let file = KeyFile(path: path, layout: .peer)
        let created = try file.create(passphrase: "pässword", overwrite: false)
        #expect(AtomicFile.mode(of: path) == 0o600)
        let first = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        #expect(first["v"] as? Int == 2)
        #expect(first["kdf"] as? String == "argon2id13")
        #expect(first["sign_secret"] == nil)
        #expect(!(try read(path)).contains(Base64.encode(created.keyPair.secretKey.bytesCopy)))
        // Open it with an independent path through libsodium: derive, then secretbox-open.
        let key = try PasswordHash.deriveKey(passphrase: "pässword", salt: Array(Data(base64Encoded: first["salt"] as! String)!))
        let inner = try SecretBox.open(Array(Data(base64Encoded: first["cipher"] as! String)!),
                                       nonce: Array(Data(base64Encoded: first["nonce"] as! String)!), key: key)
        let innerObject = try JSONSerialization.jsonObject(with: Data(inner.bytesCopy)) as! [String: Any]
        #expect(innerObject["sign_public"] as? String == created.publicKey.base64)
        let loaded = try file.load(passphrase: "pässword")
        #expect(loaded.publicKey == created.publicKey)
        try file.write(loaded, passphrase: "pässword")
        let second = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        #expect(second["salt"] as? String != first["salt"] as? String)
    }

    @Test func plaintextUpgradesInPlaceWhenPassphraseConfigured() throws {
        let dir = TempDir()
        let path = dir.file("keys.json")
        try write(Vectors.string(v, "peer_plaintext.file_text"), to: path)
        let file = KeyFile(path: path, layout: .peer)
        let identity = try file.load(passphrase: "s3cret")
        #expect(identity.fingerprint.text == Vectors.string(v, "peer_plaintext.fingerprint"))
        let onDisk = try read(path)
        #expect(onDisk.contains("\"cipher\""))
        #expect(!onDisk.contains("sign_secret"))
        #expect(AtomicFile.mode(of: path) == 0o600)
        #expect(try file.load(passphrase: "s3cret").publicKey == identity.publicKey)
        #expect(throws: KeyFileError.wrongPassphrase(path: path)) { try file.load(passphrase: "other") }
    }

    @Test func missingCorruptAndMismatchedFilesFailClosed() throws {
        let dir = TempDir()
        let missing = dir.file("none.json")
        #expect(throws: KeyFileError.missing(path: missing)) { try KeyFile(path: missing, layout: .peer).load(passphrase: nil) }
        #expect(!AtomicFile.exists(missing))

        for (name, content) in [("garbage", "{not json"), ("array", "[1,2]"), ("empty", ""),
                                ("fields", #"{"sign_public":1,"sign_secret":2}"#),
                                ("short", #"{"sign_public":"AQ==","sign_secret":"AQ=="}"#),
                                ("badsealed", #"{"v":2,"kdf":"argon2id13","salt":"AQ==","nonce":"AQ==","cipher":"AQ=="}"#)] {
            let path = dir.file("\(name).json")
            try write(content, to: path)
            #expect(throws: KeyFileError.self, "\(name)") { try KeyFile(path: path, layout: .peer).load(passphrase: "x") }
            #expect(try read(path) == content, "a corrupt key file is never overwritten (\(name))")
        }

        // Halves of two different identities: refused, never signed with.
        let alicePub = "AFHOPQ/GT+D+zxrU8EUJIObS2kpdVVh3X5OtdWIOr3I="
        let bobSecret = "VYgKBMHahQtAS9Dv2LqaF+qHrMhGcjvGL4nLM8QqhWYuSq/WaBqOMrOELZGLJAgDnO6UiJviUMAJ9d+X7y9TYg=="
        let mixed = dir.file("mixed.json")
        try write(#"{"sign_public":"\#(alicePub)","sign_secret":"\#(bobSecret)"}"#, to: mixed)
        #expect(throws: KeyFileError.self) { try KeyFile(path: mixed, layout: .peer).load(passphrase: nil) }
    }

    @Test func createRefusesToOverwriteUnlessAsked() throws {
        let dir = TempDir()
        let path = dir.file("keys.json")
        let file = KeyFile(path: path, layout: .peer)
        let first = try file.create(passphrase: nil, overwrite: false)
        #expect(throws: KeyFileError.alreadyExists(path: path)) { try file.create(passphrase: nil, overwrite: false) }
        #expect(try file.load(passphrase: nil).publicKey == first.publicKey)
        let second = try file.create(passphrase: nil, overwrite: true)
        #expect(second.publicKey != first.publicKey)
        #expect(try file.load(passphrase: nil).publicKey == second.publicKey)
    }

    @Test func replaceIsAtomicRenameNotInPlaceWrite() throws {
        let dir = TempDir()
        let path = dir.file("keys.json")
        let file = KeyFile(path: path, layout: .peer)
        let first = try file.create(passphrase: nil, overwrite: false)
        // A hard link keeps pointing at the old inode if (and only if) the file was replaced by rename.
        let link = dir.file("old-link.json")
        try FileManager.default.linkItem(atPath: path, toPath: link)
        _ = try file.create(passphrase: nil, overwrite: true)
        #expect(try KeyFile(path: link, layout: .peer).load(passphrase: nil).publicKey == first.publicKey)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test func writeIntoUnwritableDirectoryIsAClearError() throws {
        guard getuid() != 0 else {
            // root ignores directory permissions; use a path under a regular file instead.
            let dir = TempDir()
            let blocker = dir.file("file")
            try write("x", to: blocker)
            #expect(throws: KeyFileError.self) {
                try KeyFile(path: blocker + "/keys.json", layout: .peer).create(passphrase: nil, overwrite: false)
            }
            return
        }
        let dir = TempDir()
        try FileManager.default.setAttributes([.posixPermissions: 0o500], ofItemAtPath: dir.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: dir.path) }
        #expect(throws: KeyFileError.self) {
            try KeyFile(path: dir.file("keys.json"), layout: .peer).create(passphrase: nil, overwrite: false)
        }
    }
}
