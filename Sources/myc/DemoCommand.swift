import ArgumentParser
import MycKit

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "See the threat model for yourself: a relay and two peers on loopback, and what the relay saw.",
        discussion: """
            Starts a relay and two peers (alice and bob) in this process, on 127.0.0.1 with a random free \
            port, with fresh identities and state in a temporary directory that is removed at the end. \
            The peers exchange a few messages; then the demo prints, side by side, every frame the relay \
            received and sent (frame types, names, sizes, ciphertext) and what the peers typed and read.

            No configuration, no network beyond loopback, nothing written outside the temporary \
            directory. Exits 1 if a step times out, or if the text of any message appears in a frame \
            the relay saw.
            """
    )

    @Option(name: .customLong("message"), help: ArgumentHelp(
        "A message to send instead of the built-in ones; repeat it for more. Alice sends the first, bob answers, and so on.",
        valueName: "text"))
    var messages: [String] = []

    func validate() throws {
        if messages.contains(where: \.isEmpty) { throw ValidationError("--message must not be empty") }
    }

    func run() async throws {
        var script = DemoRun.Script()
        if !messages.isEmpty { script.messages = messages }
        let transcript: DemoTranscript
        do {
            transcript = try await DemoRun.run(script, progress: { printError("… \($0)") })
        } catch {
            throw CLIError("demo failed: \(error)")
        }
        print(DemoReport(transcript).text, terminator: "")
        if !transcript.leakedMessages.isEmpty { throw ExitCode.failure }
    }
}
