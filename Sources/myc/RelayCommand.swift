import ArgumentParser

struct RelayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "The WebSocket relay server (not available yet)."
    )

    // Accept whatever a future version takes, so any invocation gets the same plain answer.
    @Argument(parsing: .allUnrecognized) var arguments: [String] = []

    func run() throws {
        try notYetAvailable("relay", issue: "issue [2/8]")
    }
}
