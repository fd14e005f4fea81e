import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What `myc allow` does, against either the relay's database (works while the relay runs:
/// it notices the change within a second) or a remote relay's admin API.
public protocol AllowListAdmin: Sendable {
    func list() async throws -> JSONObject
    /// Returns whether anything changed.
    func register(_ request: RegistrationRequest) async throws -> Bool
    func revoke(_ request: RevokeRequest) async throws -> RevokeResult
}

public struct AllowListAdminError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Edits the relay's SQLite database directly.
public struct LocalAllowListAdmin: AllowListAdmin {
    let store: any RelayStore

    public init(store: any RelayStore) {
        self.store = store
    }

    public func list() async throws -> JSONObject {
        AllowList(snapshot: try store.loadAllowList()).jsonObject
    }

    public func register(_ request: RegistrationRequest) async throws -> Bool {
        var allow = AllowList(snapshot: try store.loadAllowList())
        let changes = try allow.register(room: request.room, name: request.name, key: request.pubkey)
        if !changes.isEmpty { try store.apply(changes) }
        return !changes.isEmpty
    }

    public func revoke(_ request: RevokeRequest) async throws -> RevokeResult {
        var allow = AllowList(snapshot: try store.loadAllowList())
        let outcome = request.undo
            ? allow.undoRevocation(room: request.room, pubkey: request.pubkey)
            : allow.revoke(room: request.room, name: request.name, pubkey: request.pubkey)
        if !outcome.changes.isEmpty { try store.apply(outcome.changes) }
        // The running relay, not this process, disconnects the peer when it sees the change.
        return RevokeResult(revoked: outcome.revoked, disconnected: false)
    }
}

/// Talks to a relay's admin API (`GET /admin/allowlist`, `POST /admin/revoke`, `POST /admin/allow`).
public struct RemoteAllowListAdmin: AllowListAdmin {
    let base: String
    let token: String?

    public init(baseURL: String, token: String?) throws {
        var base = baseURL
        if base.hasPrefix("ws://") { base = "http://" + base.dropFirst(5) }
        if base.hasPrefix("wss://") { base = "https://" + base.dropFirst(6) }
        while base.hasSuffix("/") { base.removeLast() }
        guard base.hasPrefix("http://") || base.hasPrefix("https://"), URL(string: base) != nil else {
            throw AllowListAdminError("--admin-url: \(baseURL.debugDescription) is not an http(s):// or ws(s):// URL")
        }
        self.base = base
        self.token = token
    }

    public func list() async throws -> JSONObject {
        let (status, body) = try await call("GET", "/admin/allowlist", body: nil)
        guard status == 200 else { throw failure(status, body) }
        return try JSONParser.parseObject(body)
    }

    public func register(_ request: RegistrationRequest) async throws -> Bool {
        let payload: JSONObject = ["room": .string(request.room), "name": .string(request.name), "pubkey": .string(request.pubkey)]
        let (status, body) = try await call("POST", "/admin/allow", body: JSONSerializer.bytes(of: .object(payload)))
        guard status == 200 else { throw failure(status, body) }
        return (try? JSONParser.parseObject(body))?["changed"]?.boolValue ?? true
    }

    public func revoke(_ request: RevokeRequest) async throws -> RevokeResult {
        var payload: JSONObject = ["room": .string(request.room)]
        if let name = request.name { payload["name"] = .string(name) }
        if let pubkey = request.pubkey { payload["pubkey"] = .string(pubkey) }
        if request.undo { payload["undo"] = true }
        let (status, body) = try await call("POST", "/admin/revoke", body: JSONSerializer.bytes(of: .object(payload)))
        guard status == 200 else { throw failure(status, body) }
        let object = try JSONParser.parseObject(body)
        return RevokeResult(revoked: object["revoked"]?.boolValue ?? false, disconnected: object["disconnected"]?.boolValue ?? false)
    }

    private func call(_ method: String, _ path: String, body: [UInt8]?) async throws -> (Int, [UInt8]) {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = Data(body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        do {
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, [UInt8](data))
        } catch {
            throw AllowListAdminError("\(base): cannot reach the admin API: \(error.localizedDescription)")
        }
    }

    private func failure(_ status: Int, _ body: [UInt8]) -> AllowListAdminError {
        let text = String(decoding: body, as: UTF8.self)
        if status == 401 {
            return AllowListAdminError("\(base): 401 unauthorized (give --admin-token or RELAY_ADMIN_TOKEN; without a token the relay admits only loopback)")
        }
        let detail = (try? JSONParser.parseObject(body))?["error"]?.stringValue ?? text
        return AllowListAdminError("\(base): admin API answered \(status): \(detail)")
    }
}
