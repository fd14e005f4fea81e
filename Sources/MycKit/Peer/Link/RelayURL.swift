/// A relay address from `MYC_RELAY` (`ws://host:port/path` or `wss://…`), parsed strictly so
/// a typo is a clear error at start, not a reconnect loop.
public struct RelayURL: Sendable, Equatable, CustomStringConvertible {
    public var secure: Bool
    public var host: String
    public var port: Int
    public var path: String

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public init(_ text: String) throws(Invalid) {
        let trimmed = text.trimmingWhitespace()
        let rest: Substring
        if trimmed.hasPrefix("ws://") {
            secure = false
            rest = trimmed.dropFirst(5)
        } else if trimmed.hasPrefix("wss://") {
            secure = true
            rest = trimmed.dropFirst(6)
        } else {
            throw Invalid(description: "\(text.debugDescription) is not a relay URL (expected ws://host:port or wss://host:port)")
        }
        let authority = rest.prefix { $0 != "/" }
        let pathPart = rest.dropFirst(authority.count)
        path = pathPart.isEmpty ? "/" : String(pathPart)
        var hostPart = Substring(authority)
        var portPart: Substring? = nil
        if hostPart.hasPrefix("[") {
            // IPv6 literal: [::1]:9900
            guard let close = hostPart.firstIndex(of: "]") else { throw Invalid(description: "\(text.debugDescription): unterminated IPv6 address") }
            let after = hostPart[hostPart.index(after: close)...]
            host = String(hostPart[hostPart.index(after: hostPart.startIndex)..<close])
            if after.hasPrefix(":") { portPart = after.dropFirst() } else if !after.isEmpty {
                throw Invalid(description: "\(text.debugDescription): unexpected text after the IPv6 address")
            }
        } else {
            if let colon = hostPart.lastIndex(of: ":") {
                portPart = hostPart[hostPart.index(after: colon)...]
                hostPart = hostPart[..<colon]
            }
            host = String(hostPart)
        }
        guard !host.isEmpty else { throw Invalid(description: "\(text.debugDescription): no host") }
        if let portPart {
            guard let p = Int(portPart), (1...65535).contains(p) else {
                throw Invalid(description: "\(text.debugDescription): port must be 1…65535")
            }
            port = p
        } else {
            port = secure ? 443 : 80
        }
    }

    /// Parses `MYC_RELAY`: a comma list, trimmed, empty entries dropped (§5.1).
    public static func list(_ commaList: String) throws(Invalid) -> [RelayURL] {
        var out: [RelayURL] = []
        for part in commaList.split(separator: ",", omittingEmptySubsequences: false) {
            let item = String(part).trimmingWhitespace()
            if item.isEmpty { continue }
            out.append(try RelayURL(item))
        }
        if out.isEmpty { throw Invalid(description: "no relay URL given (MYC_RELAY or --relay, e.g. ws://127.0.0.1:9900)") }
        return out
    }

    /// A literal IP address cannot be sent as TLS SNI.
    public var hostIsIPAddress: Bool {
        host.contains(":") || host.split(separator: ".").count == 4 && host.allSatisfy { $0.isNumber || $0 == "." }
    }

    public var description: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "\(secure ? "wss" : "ws")://\(h):\(port)\(path == "/" ? "" : path)"
    }
}
