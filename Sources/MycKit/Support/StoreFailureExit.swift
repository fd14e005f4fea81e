#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The fail-stop every long-running `myc` process (`myc relay`, `myc mcp`, `myc chat`)
/// takes when a write to its database fails: the runtime has stopped before confirming
/// anything that is not on disk, and this ends the process so that a restart (by the
/// operator, the MCP host, or systemd's `Restart=on-failure`) begins from what is really
/// stored. Injected into the runtimes as a hook, so in-process tests observe it instead.
public enum StoreFailureExit {
    /// EX_IOERR (sysexits.h): an input/output error.
    public static let status: Int32 = 74

    /// Writes `myc: <reason>` as one line to stderr and exits with `status`. Straight to
    /// fd 2 with `write`: no buffer that could be lost, and the relay's stdout is its log.
    public static let exitProcess: @Sendable (String) -> Void = { reason in
        let oneLine = reason.split(whereSeparator: \.isNewline).joined(separator: " ")
        let line = Array("myc: \(oneLine)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        exit(status)
    }
}
