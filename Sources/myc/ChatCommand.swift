import ArgumentParser

struct ChatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "An interactive terminal peer (not available yet)."
    )

    // Accept whatever a future version takes, so any invocation gets the same plain answer.
    @Argument(parsing: .allUnrecognized) var arguments: [String] = []

    func run() throws {
        try notYetAvailable("chat", issue: "issue [5/8]")
    }
}
