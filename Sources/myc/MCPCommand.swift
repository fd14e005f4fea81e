import ArgumentParser

struct MCPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "The MCP server (stdio) that Claude Code starts (not available yet)."
    )

    // Accept whatever a future version takes, so any invocation gets the same plain answer.
    @Argument(parsing: .allUnrecognized) var arguments: [String] = []

    func run() throws {
        try notYetAvailable("mcp", issue: "issue [3/8]")
    }
}
