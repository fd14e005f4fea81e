#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Diagnostics go to stderr so stdout stays clean for data (and, in `myc mcp`, for the protocol).
func printError(_ message: String) {
    var line = message
    line.append("\n")
    let bytes = Array(line.utf8)
    _ = bytes.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count) }
}
