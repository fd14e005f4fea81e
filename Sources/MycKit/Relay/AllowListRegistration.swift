/// Pre-registration by an operator (`myc allow add`, `POST /admin/allow`): binds a name to
/// a key in a room so that peer needs no invite token. Stricter than a token registration:
/// it never overrides a binding or a revocation, and says which one is in the way.
public enum RegistrationError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidRoom(String)
    case invalidName(String)
    case invalidKey
    case revoked(room: String)
    case nameBound(name: String, room: String)
    case keyBound(name: String, room: String)

    public var description: String {
        switch self {
        case let .invalidRoom(r): return "invalid room \(r.debugDescription) (1–64 characters, no NUL)"
        case let .invalidName(n): return "invalid name \(n.debugDescription) (1–64 characters, no NUL, not starting with _)"
        case .invalidKey: return "pubkey must be a base64 Ed25519 public key (32 bytes)"
        case let .revoked(room): return "this key is revoked in room \(room.debugDescription); unrevoke it first"
        case let .nameBound(name, room): return "\(name.debugDescription) is already bound to a different key in room \(room.debugDescription); revoke it first"
        case let .keyBound(name, room): return "this key is already bound to \(name.debugDescription) in room \(room.debugDescription)"
        }
    }
}

public struct RegistrationRequest: Sendable, Equatable {
    public var room: String
    public var name: String
    public var pubkey: String

    public init(room: String, name: String, pubkey: String) {
        self.room = room
        self.name = name
        self.pubkey = pubkey
    }

    /// Parses `{"room","name","pubkey"}`; any other shape is a `RegistrationError`.
    public static func parse(_ body: [UInt8]) -> Result<RegistrationRequest, RegistrationError> {
        guard let object = try? JSONParser.parseObject(body) else { return .failure(.invalidRoom("(body is not a JSON object)")) }
        guard let room = object["room"]?.stringValue else { return .failure(.invalidRoom("(missing)")) }
        guard let name = object["name"]?.stringValue else { return .failure(.invalidName("(missing)")) }
        guard let pubkey = object["pubkey"]?.stringValue else { return .failure(.invalidKey) }
        return .success(RegistrationRequest(room: room, name: name, pubkey: pubkey))
    }
}

extension AllowList {
    /// Binds `name → key` in `room`, or says why not. Binding what is already bound is a no-op.
    public mutating func register(room: String, name: String, key: String) throws(RegistrationError) -> [StoreChange] {
        guard AuthValidator.isValidName(room) else { throw .invalidRoom(room) }
        guard AuthValidator.isValidPeerName(name) else { throw .invalidName(name) }
        guard (try? SigningPublicKey(base64: key)) != nil else { throw .invalidKey }
        if isRevoked(key, in: room) { throw .revoked(room: room) }
        if let bound = self.key(boundTo: name, in: room) {
            if bound.isExactly(key) { return [] }
            throw .nameBound(name: name, room: room)
        }
        if let other = bindings(in: room).first(where: { $0.key.isExactly(key) }) {
            throw .keyBound(name: other.name, room: room)
        }
        // A legacy key migrates exactly as it would at auth (bound, and off the legacy list).
        let (status, changes) = self.status(room: room, name: name, key: key)
        if status == .migrated { return changes }
        return bind(room: room, name: name, key: key)
    }
}

extension RelayCore {
    /// `POST /admin/allow` (our extension of the admin API, for `myc allow add --admin-url`).
    public mutating func register(_ request: RegistrationRequest, nowMs: Int64) -> (result: Result<Bool, RegistrationError>, actions: [RelayAction]) {
        do {
            let changes = try allowList.register(room: request.room, name: request.name, key: request.pubkey)
            var actions: [RelayAction] = []
            if !changes.isEmpty { actions.append(.persist(changes)) }
            actions.append(.log(RelayLogEvent(.notice, "peer pre-registered", [
                "room": request.room, "peer.name": request.name,
                "peer.fp": (try? SigningPublicKey(base64: request.pubkey).fingerprint.text) ?? "?",
            ])))
            return (.success(!changes.isEmpty), actions)
        } catch {
            return (.failure(error), [])
        }
    }
}
