import Foundation
import MycKit
import Testing

/// `myc chat` without a terminal: lines in, messages out, exit when the input ends.
@Suite(.serialized) struct ChatPipeTests {
    @Test func twoChatsRoundTripWithoutATerminal() throws {
        let relay = try RelayProcess()
        let bob = try ChatPipeProcess("bob", relay: relay, args: ["--json"])
        let carol = try ChatPipeProcess("carol", relay: relay)
        try bob.waitFor("bob connected", stderr: true) { $0.contains("connected to relay \(relay.url)") }
        try carol.waitFor("carol connected", stderr: true) { $0.contains("connected to relay \(relay.url)") }

        // ada's whole session is its stdin: a room message, a private one, a command.
        let ada = try Myc.run(["chat", "--log-level", "notice", "--wait", "20"], env: [
            "MYC_RELAY": relay.url, "MYC_PEER": "ada", "MYC_TOKEN": relay.token, "MYC_KEY_FILE": TempDir().file("keys.json"),
        ], stdin: "hello everyone\nbob: just for you, bob\n/peers\n")
        #expect(ada.status == 0, "\(ada.stderr)")
        #expect(ada.stdout.isEmpty, "nothing arrived for ada: stdout carries only incoming traffic: \(ada.stdout)")
        #expect(ada.stderr.contains("→ bob 🔒"), "\(ada.stderr)")
        // Every copy ends in exactly one confirmation, live sends included: bob twice, carol once.
        let confirmations = ada.stderr.split(separator: "\n").filter { $0.contains("✓ delivered to") }
        #expect(confirmations.filter { $0.hasSuffix("delivered to bob") }.count == 2, "\(ada.stderr)")
        #expect(confirmations.filter { $0.hasSuffix("delivered to carol") }.count == 1, "\(ada.stderr)")
        #expect(ada.stderr.contains("#default (current)"), "/peers answered on stderr")

        // bob: JSON lines, one object each, with the §6.3 meta.
        try bob.waitFor("both messages for bob") { $0.contains("just for you, bob") && $0.contains("hello everyone") }
        let objects = try bob.stdoutLines.map { try JSONParser.parseObject(Array($0.utf8)) }
        let messages = objects.filter { $0["kind"]?.stringValue == "message" }
        #expect(messages.map { $0["content"]?.stringValue } == ["hello everyone", "just for you, bob"])
        #expect(messages.allSatisfy { $0["meta"]?.objectValue?["from_peer"]?.stringValue == "ada" })
        #expect(messages.allSatisfy { $0["meta"]?.objectValue?["e2e"]?.stringValue == "encrypted" })

        // carol: plain lines; the private message never reached her.
        try carol.waitFor("the room message for carol") { $0.contains("hello everyone") }
        #expect(carol.stdoutLines.contains { $0.contains(" ada 🆕") && $0.hasSuffix(": hello everyone") }, "\(carol.stdout)")
        #expect(!carol.stdout.contains("just for you"))

        // The end of input ends each process cleanly.
        #expect(bob.finishInput() == 0, "\(bob.stderr)")
        #expect(carol.finishInput() == 0, "\(carol.stderr)")
        relay.terminate()
    }

    @Test func rotateAsksThenAnnouncesTheNewKey() throws {
        let relay = try RelayProcess()
        let claude = try MCPPeer("claude", relay: relay.url)
        let home = TempDir()
        let keyFile = home.file("keys.json")
        let env = ["MYC_RELAY": relay.url, "MYC_PEER": "ada", "MYC_TOKEN": relay.token, "MYC_KEY_FILE": keyFile]
        // First run: meet claude (pins on both sides); the unconfirmed /rotate changes nothing.
        let first = try Myc.run(["chat", "--wait", "10"], env: env, stdin: "claude: hi\n/rotate\nno\n")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("Key rotation is permanent"))
        #expect(first.stderr.contains("rotation cancelled: your key is unchanged"))
        _ = try claude.waitForMessage(from: "ada", content: "hi")
        let old = try KeyFile(path: keyFile, layout: .peer).load(passphrase: nil)
        // Second run: rotate for real.
        let second = try Myc.run(["chat", "--wait", "10"], env: env, stdin: "/rotate\nyes\n")
        #expect(second.status == 0, "\(second.stderr)")
        let new = try KeyFile(path: keyFile, layout: .peer).load(passphrase: nil)
        #expect(new.fingerprint != old.fingerprint)
        #expect(second.stderr.contains("✅ identity rotated: \(old.fingerprint.text) → \(new.fingerprint.text)"), "\(second.stderr)")
        _ = try claude.client.waitForNotification("notifications/claude/channel") {
            $0["meta"]?.objectValue?["type"]?.stringValue == "key_rotated"
        }
        claude.stop()
        relay.terminate()
    }

    @Test func refusedSendsMakeTheExitStatusNonZero() throws {
        let relay = try RelayProcess()
        let ada = try Myc.run(["chat", "--wait", "5"], env: [
            "MYC_RELAY": relay.url, "MYC_PEER": "ada", "MYC_TOKEN": relay.token, "MYC_KEY_FILE": TempDir().file("keys.json"),
        ], stdin: "/msg nobody hello\n/bogus\n")
        #expect(ada.status == 1, "\(ada.stderr)")
        #expect(ada.stderr.contains("nobody: unknown peer"))
        #expect(ada.stderr.contains("unknown command /bogus"))
        relay.terminate()
    }

    @Test func sigintEndsTheRunEvenWhileStdinStaysOpen() throws {
        let relay = try RelayProcess()
        let ada = try ChatPipeProcess("ada", relay: relay)
        try ada.waitFor("ada connected", stderr: true) { $0.contains("connected to relay \(relay.url)") }
        kill(ada.process.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(10)
        while ada.process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(!ada.process.isRunning, "stdin is still open, yet SIGINT ends the run")
        #expect(ada.process.terminationStatus == 0, "\(ada.stderr)")
        relay.terminate()
    }

    @Test func missingConfigurationIsAClearError() throws {
        let run = try Myc.run(["chat"], env: [:], stdin: "")
        #expect(run.status != 0)
        #expect(run.stderr.contains("no peer name: set MYC_PEER or pass --name"), "\(run.stderr)")
    }
}
