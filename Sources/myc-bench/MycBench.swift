import ArgumentParser

/// `myc-bench`: load generators and benchmarks for `myc`. Figures are printed, never asserted.
@main
struct MycBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "myc-bench",
        abstract: "Benchmarks for myc. Prints figures; asserts nothing.",
        subcommands: [RelayBenchCommand.self, PeerBenchCommand.self, MicroBenchCommand.self, SoakCommand.self]
    )
}
