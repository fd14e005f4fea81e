import NIOHTTP1
import Testing
@testable import MycKit

@Suite struct RelayHTTPPolicyTests {
    func request(_ path: String, method: HTTPMethod = .GET, ip: String = "203.0.113.9",
                 headers: [(String, String)] = [], upgrade: Bool = false) -> HTTPRequest {
        var h = HTTPHeaders(headers)
        if upgrade { h.add(name: "Connection", value: "Upgrade") }
        return HTTPRequest(method: method, path: path, headers: h, remoteIP: ip, isUpgrade: upgrade)
    }

    let open = RelayHTTPPolicy(adminToken: nil, healthToken: nil, requireTLS: false, trustedProxy: false, maxConnectionsPerIP: 10)

    @Test func adminIsLoopbackOnlyWithoutToken() {
        #expect(open.route(request("/admin/allowlist", ip: "127.0.0.1"), shuttingDown: false, openFromIP: 0) == .allowList)
        #expect(open.route(request("/admin/allowlist", ip: "::1"), shuttingDown: false, openFromIP: 0) == .allowList)
        #expect(open.route(request("/admin/allowlist"), shuttingDown: false, openFromIP: 0) == .refuse(.text(.unauthorized, "unauthorized")))
        #expect(open.route(request("/health"), shuttingDown: false, openFromIP: 0) == .refuse(.text(.unauthorized, "unauthorized")))
        #expect(open.route(request("/admin/revoke", method: .POST, ip: "127.0.0.1"), shuttingDown: false, openFromIP: 0) == .revoke(body: []))
    }

    @Test func bearerTokensAreExactAndSeparate() {
        let policy = RelayHTTPPolicy(adminToken: "adm", healthToken: "hl", requireTLS: false, trustedProxy: false, maxConnectionsPerIP: 10)
        let admin = [("Authorization", "Bearer adm")]
        #expect(policy.route(request("/admin/allowlist", headers: admin), shuttingDown: false, openFromIP: 0) == .allowList)
        // With a token configured, loopback alone is not enough.
        #expect(policy.route(request("/admin/allowlist", ip: "127.0.0.1"), shuttingDown: false, openFromIP: 0) != .allowList)
        #expect(policy.route(request("/admin/allowlist", headers: [("Authorization", "Bearer adm ")]), shuttingDown: false, openFromIP: 0) != .allowList)
        #expect(policy.route(request("/admin/allowlist", headers: [("Authorization", "bearer adm")]), shuttingDown: false, openFromIP: 0) != .allowList)
        // The health token opens health and metrics, not admin; the admin token does not open health.
        #expect(policy.route(request("/health", headers: [("Authorization", "Bearer hl")]), shuttingDown: false, openFromIP: 0) == .health)
        #expect(policy.route(request("/metrics", headers: [("Authorization", "Bearer hl")]), shuttingDown: false, openFromIP: 0) == .metrics)
        #expect(policy.route(request("/health", headers: admin), shuttingDown: false, openFromIP: 0) != .health)
        #expect(policy.route(request("/admin/allowlist", headers: [("Authorization", "Bearer hl")]), shuttingDown: false, openFromIP: 0) != .allowList)
    }

    @Test func healthFallsBackToTheAdminRule() {
        let policy = RelayHTTPPolicy(adminToken: "adm", healthToken: nil, requireTLS: false, trustedProxy: false, maxConnectionsPerIP: 10)
        #expect(policy.route(request("/health", headers: [("Authorization", "Bearer adm")]), shuttingDown: false, openFromIP: 0) == .health)
        #expect(policy.route(request("/health", ip: "127.0.0.1"), shuttingDown: false, openFromIP: 0) != .health)
    }

    @Test func trustedProxyTakesForwardedAddresses() {
        let policy = RelayHTTPPolicy(adminToken: nil, healthToken: nil, requireTLS: false, trustedProxy: true, maxConnectionsPerIP: 10)
        #expect(policy.clientIP(request("/", ip: "127.0.0.1", headers: [("X-Forwarded-For", " 198.51.100.7 , 10.0.0.1")])) == "198.51.100.7")
        #expect(policy.clientIP(request("/", ip: "127.0.0.1", headers: [("X-Real-IP", "198.51.100.8")])) == "198.51.100.8")
        #expect(policy.clientIP(request("/", ip: "127.0.0.1")) == "direct")
        // Behind a proxy on the same host, a remote client is not loopback.
        #expect(policy.route(request("/admin/allowlist", ip: "127.0.0.1", headers: [("X-Forwarded-For", "198.51.100.7")]),
                             shuttingDown: false, openFromIP: 0) == .refuse(.text(.unauthorized, "unauthorized")))
        #expect(open.clientIP(request("/", ip: "127.0.0.1", headers: [("X-Forwarded-For", "198.51.100.7")])) == "127.0.0.1")
    }

    @Test func upgradeChecksInOrder() {
        let tls = RelayHTTPPolicy(adminToken: nil, healthToken: nil, requireTLS: true, trustedProxy: false, maxConnectionsPerIP: 2)
        #expect(tls.route(request("/", upgrade: true), shuttingDown: true, openFromIP: 5) == .refuse(.text(.serviceUnavailable, "shutting down")))
        #expect(tls.route(request("/", upgrade: true), shuttingDown: false, openFromIP: 5) == .refuse(.text(.misdirectedRequest, "TLS required")))
        #expect(tls.route(request("/", headers: [("X-Forwarded-Proto", "HTTPS")], upgrade: true), shuttingDown: false, openFromIP: 0)
                == .refuse(.text(.misdirectedRequest, "TLS required")))
        let proxied = [("X-Forwarded-Proto", "https")]
        #expect(tls.route(request("/", headers: proxied, upgrade: true), shuttingDown: false, openFromIP: 2) == .refuse(.text(.tooManyRequests, "too many connections")))
        #expect(tls.route(request("/any/path", headers: proxied, upgrade: true), shuttingDown: false, openFromIP: 1) == .upgrade)
        #expect(tls.route(request("/", headers: proxied), shuttingDown: false, openFromIP: 1) == .refuse(.text(.internalServerError, "upgrade failed")))
        // Health still answers while shutting down.
        #expect(open.route(request("/health", ip: "127.0.0.1"), shuttingDown: true, openFromIP: 0) == .health)
    }
}
