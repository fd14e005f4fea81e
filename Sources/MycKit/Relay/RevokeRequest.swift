/// The body of `POST /admin/revoke` (PROTOCOL.md §4.9):
/// `{"room": <name>, "name"?: <name>, "pubkey"?: <b64>, "undo"?: true}`.
public struct RevokeRequest: Sendable, Equatable {
    public var room: String
    public var name: String?
    public var pubkey: String?
    public var undo: Bool

    public init(room: String, name: String? = nil, pubkey: String? = nil, undo: Bool = false) {
        self.room = room
        self.name = name
        self.pubkey = pubkey
        self.undo = undo
    }

    /// Why a body was refused; each is a 400 with `jsonObject` as the body.
    public enum Failure: Error, Sendable, Equatable {
        /// The body is not JSON.
        case invalidJSON
        /// `room` is not a valid name, or neither a valid `name` nor a string `pubkey` is given.
        case missingFields

        /// `{"error":"invalid JSON"}` or `{"error":"need room + (name | pubkey)"}`.
        public var jsonObject: JSONObject {
            switch self {
            case .invalidJSON: return ["error": "invalid JSON"]
            case .missingFields: return ["error": "need room + (name | pubkey)"]
            }
        }
    }

    /// Parses and checks a body. An invalid `name` is ignored (the `pubkey` may still do);
    /// `undo` counts when truthy.
    public static func parse(_ body: [UInt8]) -> Result<RevokeRequest, Failure> {
        guard let value = try? JSONParser.parse(body) else { return .failure(.invalidJSON) }
        guard let object = value.objectValue,
              let room = object["room"]?.stringValue, AuthValidator.isValidName(room)
        else { return .failure(.missingFields) }
        let name = object["name"]?.stringValue.flatMap { AuthValidator.isValidName($0) ? $0 : nil }
        let pubkey = object["pubkey"]?.stringValue
        guard name != nil || pubkey != nil else { return .failure(.missingFields) }
        return .success(RevokeRequest(room: room, name: name, pubkey: pubkey, undo: object["undo"]?.isTruthy ?? false))
    }
}
