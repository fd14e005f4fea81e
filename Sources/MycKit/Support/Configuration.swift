#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One place for the order every setting follows: command-line flag, then the reference's
/// environment variable (`MYC_*`, `RELAY_*`, so an existing config keeps working), then the
/// default. Commands build their configuration through this and nothing else.
public struct Configuration: Sendable {
    public let environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// The live process environment.
    public static var process: Configuration {
        var env: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let pair = String(cString: entry)
            if let eq = pair.firstIndex(of: "=") {
                env[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
            }
            cursor += 1
        }
        return Configuration(environment: env)
    }

    /// Flag, else a non-empty environment variable, else nil.
    public func string(_ flag: String?, _ variable: String) -> String? {
        if let flag { return flag }
        if let value = environment[variable], !value.isEmpty { return value }
        return nil
    }

    public func string(_ flag: String?, _ variable: String, default fallback: String) -> String {
        string(flag, variable) ?? fallback
    }

    /// A path setting, with `~` expanded whichever source it came from.
    public func path(_ flag: String?, _ variable: String, default fallback: String) -> String {
        Paths.expand(string(flag, variable, default: fallback))
    }
}
