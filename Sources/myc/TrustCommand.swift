import ArgumentParser

struct TrustCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trust",
        abstract: "Pins a peer's new key after out-of-band verification (not available yet)."
    )

    // Accept whatever a future version takes, so any invocation gets the same plain answer.
    @Argument(parsing: .allUnrecognized) var arguments: [String] = []

    func run() throws {
        try notYetAvailable("trust", issue: "issue [3/8]")
    }
}
