import Foundation
import Testing

/// `myc demo` as a user runs it: one process, no configuration. Its relay column must show
/// ciphertext and never a message's text; its peer column must show the text read back.
@Suite struct DemoCommandTests {
    /// Splits the side-by-side rows into the relay's column and the peers' column.
    static func columns(_ stdout: String) -> (relay: [String], peers: [String]) {
        var relay: [String] = [], peers: [String] = []
        for line in stdout.split(separator: "\n", omittingEmptySubsequences: false) {
            guard let bar = line.range(of: " │") else { continue }
            relay.append(String(line[..<bar.lowerBound]))
            peers.append(String(line[bar.upperBound...]))
        }
        return (relay, peers)
    }

    @Test func theRelaySeesCiphertextAndNamesWhileThePeersReadThePlaintext() throws {
        let messages = ["The vault code is 4417-ALPHA-ZULU", "Understood, burning this channel at noon", "Über-secret: ünïcödé ✓ survives"]
        let home = TempDir()
        let result = try Myc.run(["demo"] + messages.flatMap { ["--message", $0] }, env: ["HOME": home.path, "TMPDIR": home.path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let (relay, peers) = Self.columns(result.stdout)
        #expect(relay.count > 20, "side-by-side rows expected:\n\(result.stdout)")
        let relayText = relay.joined(separator: "\n")
        let peerText = peers.joined(separator: "\n")

        for message in messages {
            #expect(!relayText.contains(message), "plaintext in the relay column: \(message)")
            // Any fragment of it would be as bad: no 8-byte piece of the text is in the relay column.
            let bytes = Array(message.utf8)
            for start in stride(from: 0, to: bytes.count - 8, by: 4) {
                let piece = String(decoding: bytes[start..<(start + 8)], as: UTF8.self)
                #expect(!relayText.contains(piece), "a piece of \(message.debugDescription) in the relay column: \(piece)")
            }
            #expect(peerText.contains("reads: \(message.debugDescription)"), "peer column lacks the read-back text of \(message)")
        }
        // What the relay does see: the names, the handshake, frame sizes, and ciphertext.
        #expect(relayText.contains("alice → relay    auth as alice in [demo]"))
        #expect(relayText.contains("bob → relay      auth as bob in [demo]"))
        #expect(relayText.contains("relay → bob      info from alice to bob in demo"))
        #expect(relay.contains { $0.contains("ciphertext") && $0.range(of: #"[A-Za-z0-9+/]{20}"#, options: .regularExpression) != nil })
        #expect(relay.contains { $0.range(of: #" \d+ B$"#, options: .regularExpression) != nil })
        #expect(result.stdout.contains("appears in none of those frames"))
        // The temporary directory is gone.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: home.path).filter { $0.hasPrefix("myc-demo-") }
        #expect(leftovers.isEmpty, "left behind: \(leftovers)")
    }

    @Test func anEmptyMessageIsAUsageError() throws {
        let result = try Myc.run(["demo", "--message", ""])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--message must not be empty"))
    }
}
