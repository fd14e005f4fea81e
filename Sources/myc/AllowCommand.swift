import ArgumentParser

struct AllowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allow",
        abstract: "Manages the relay's bindings and revocations (not available yet)."
    )

    // Accept whatever a future version takes, so any invocation gets the same plain answer.
    @Argument(parsing: .allUnrecognized) var arguments: [String] = []

    func run() throws {
        try notYetAvailable("allow", issue: "issue [2/8]")
    }
}
