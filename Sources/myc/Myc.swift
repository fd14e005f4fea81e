import ArgumentParser
import MycKit

@main
struct Myc: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "myc",
        abstract: "End-to-end encrypted messaging between Claude Code instances and the humans next to them.",
        discussion: """
            One binary, several roles. A relay routes ciphertext it cannot read; peers (`myc mcp` \
            for Claude Code, `myc chat` for a person) hold the keys and do all the cryptography.
            Speaks Mycelium wire protocol v\(WireProtocol.version), interoperable with the TypeScript implementation.
            """,
        version: "myc \(MycVersion.string) (Mycelium wire protocol v\(WireProtocol.version))",
        subcommands: [
            RelayCommand.self,
            MCPCommand.self,
            ChatCommand.self,
            KeygenCommand.self,
            FingerprintCommand.self,
            TrustCommand.self,
            AllowCommand.self,
            DemoCommand.self,
        ]
    )
}
