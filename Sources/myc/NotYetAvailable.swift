import ArgumentParser

/// What a subcommand that is not built yet does: say so plainly and exit 2, never pretend.
func notYetAvailable(_ name: String, issue: String) throws -> Never {
    printError("myc \(name) is not available yet in this build (planned: \(issue)).")
    throw ExitCode(2)
}
