import NIOHTTP1

/// The relay's HTTP rules (PROTOCOL.md §4.8–§4.9) as pure functions: which route a request
/// takes, who may call it, and which status refuses an upgrade. The edge only carries out
/// the decision.
public struct RelayHTTPPolicy: Sendable {
    public var adminToken: String?
    public var healthToken: String?
    public var requireTLS: Bool
    public var trustedProxy: Bool
    public var maxConnectionsPerIP: Int

    public init(adminToken: String?, healthToken: String?, requireTLS: Bool, trustedProxy: Bool, maxConnectionsPerIP: Int) {
        self.adminToken = adminToken
        self.healthToken = healthToken
        self.requireTLS = requireTLS
        self.trustedProxy = trustedProxy
        self.maxConnectionsPerIP = maxConnectionsPerIP
    }

    public enum Route: Equatable, Sendable {
        case health
        case metrics
        case allowList
        case revoke(body: [UInt8])
        /// `POST /admin/allow`: our extension, pre-registration for `myc allow add --admin-url`.
        case register(body: [UInt8])
        /// Refused before reaching the WebSocket layer.
        case refuse(HTTPResponse)
        /// Passes every check: may become a WebSocket.
        case upgrade
    }

    /// The checks of §4.8 in their exact order. `openFromIP` is the number of WebSockets
    /// this client IP holds now.
    public func route(_ request: HTTPRequest, shuttingDown: Bool, openFromIP: Int) -> Route {
        let ip = clientIP(request)
        switch request.route {
        case "/health":
            return authorizedForHealth(request, ip: ip) ? .health : .refuse(.text(.unauthorized, "unauthorized"))
        case "/metrics":
            // Not in the reference; it reveals what /health does, so it takes the same credential.
            return authorizedForHealth(request, ip: ip) ? .metrics : .refuse(.text(.unauthorized, "unauthorized"))
        case "/admin/allowlist":
            return authorizedForAdmin(request, ip: ip) ? .allowList : .refuse(.text(.unauthorized, "unauthorized"))
        case "/admin/revoke" where request.method == .POST:
            return authorizedForAdmin(request, ip: ip) ? .revoke(body: request.body) : .refuse(.text(.unauthorized, "unauthorized"))
        case "/admin/allow" where request.method == .POST:
            return authorizedForAdmin(request, ip: ip) ? .register(body: request.body) : .refuse(.text(.unauthorized, "unauthorized"))
        default:
            break
        }
        if shuttingDown { return .refuse(.text(.serviceUnavailable, "shutting down")) }
        if requireTLS && request.headers.first(name: "x-forwarded-proto") != "https" {
            return .refuse(.text(.misdirectedRequest, "TLS required"))
        }
        if openFromIP >= maxConnectionsPerIP { return .refuse(.text(.tooManyRequests, "too many connections")) }
        guard request.isUpgrade else { return .refuse(.text(.internalServerError, "upgrade failed")) }
        return .upgrade
    }

    /// §4.8: behind a trusted proxy, the first `X-Forwarded-For` element, else `X-Real-IP`,
    /// else `direct`; otherwise the socket's address.
    public func clientIP(_ request: HTTPRequest) -> String {
        if trustedProxy {
            if let forwarded = request.headers.first(name: "x-forwarded-for"),
               let first = forwarded.split(separator: ",", omittingEmptySubsequences: false).first {
                let trimmed = String(first).trimmingWhitespace()
                if !trimmed.isEmpty { return trimmed }
            }
            if let real = request.headers.first(name: "x-real-ip") { return real.trimmingWhitespace() }
            return "direct"
        }
        return request.remoteIP ?? "unknown"
    }

    public static func isLoopback(_ ip: String) -> Bool {
        ["127.0.0.1", "::1", "::ffff:127.0.0.1", "localhost"].contains(ip)
    }

    func authorizedForAdmin(_ request: HTTPRequest, ip: String) -> Bool {
        if let adminToken { return Self.bearerMatches(request, adminToken) }
        return Self.isLoopback(ip)
    }

    func authorizedForHealth(_ request: HTTPRequest, ip: String) -> Bool {
        if let healthToken { return Self.bearerMatches(request, healthToken) }
        return authorizedForAdmin(request, ip: ip)
    }

    /// `Authorization` must equal `Bearer <token>` exactly; compared in constant time.
    static func bearerMatches(_ request: HTTPRequest, _ token: String) -> Bool {
        guard let header = request.headers.first(name: "authorization") else { return false }
        return ConstantTime.equalStrings(header, "Bearer \(token)")
    }
}
