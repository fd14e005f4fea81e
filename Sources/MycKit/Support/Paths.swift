#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum Paths {
    /// The user's home: `$HOME`, else the password database, else `/`.
    public static var home: String {
        if let h = getenv("HOME"), h.pointee != 0 { return String(cString: h) }
        if let pw = getpwuid(getuid()), let dir = pw.pointee.pw_dir { return String(cString: dir) }
        return "/"
    }

    /// Expands a leading `~` or `~/` the way a shell would, so defaults and user input
    /// like `~/.mycelium-keys.json` name the same file.
    public static func expand(_ path: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst(1) }
        return path
    }

    public static func inHome(_ name: String) -> String {
        let h = home
        return h.hasSuffix("/") ? h + name : h + "/" + name
    }
}
