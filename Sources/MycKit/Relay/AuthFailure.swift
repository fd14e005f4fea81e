/// Why an `auth` was refused (PROTOCOL.md §3.4 steps 2–10): the `auth_error` payload the
/// peer sees, and the close code and reason that follow it.
public enum AuthFailure: Sendable, Equatable {
    /// Step 2: `peer` is not 1–64 UTF-16 units without NUL, or starts with `_` (§8.2).
    case invalidName
    /// Step 3: no (string) `sign_pubkey`.
    case noKey
    /// Step 4: the room list is empty or longer than 8 after clean-up.
    case badRooms
    /// Step 5: `challenge_sig` does not verify.
    case badChallengeSignature
    /// Step 5b: no `challenge_sig` while the challenge is required.
    case challengeRequired
    /// Step 7: the key is revoked in `room`.
    case revoked(room: String)
    /// Step 7: `peer` is bound to another key in `room`.
    case nameConflict(peer: String, room: String)
    /// Step 7: the key is bound to another name in `room`.
    case keyConflict(room: String)
    /// Step 8: a new registration without a valid token.
    case badToken
    /// Step 9: a live connection holds `peer` with another key.
    case liveIdentityMismatch(peer: String)
    /// Step 10: `room` already holds `maxPeersPerRoom` connections.
    case roomFull(room: String)

    /// The `auth_error` payload, exactly as the reference words it.
    public var reason: String {
        switch self {
        case .invalidName: return "invalid peer name"
        case .noKey: return "sign_pubkey required"
        case .badRooms: return "invalid rooms"
        case .badChallengeSignature: return "bad challenge signature"
        case .challengeRequired: return "challenge_sig required"
        case .revoked(let room): return "key revoked in room \"\(room)\""
        case .nameConflict(let peer, let room): return "peer \"\(peer)\" bound to different identity in room \"\(room)\""
        case .keyConflict(let room): return "key already bound to another name in room \"\(room)\""
        case .badToken: return "invalid token"
        case .liveIdentityMismatch(let peer): return "peer \"\(peer)\" bound to different identity"
        case .roomFull(let room): return "room \"\(room)\" full"
        }
    }

    public var closeCode: CloseCode {
        switch self {
        case .invalidName, .noKey, .badRooms: return .malformedAuth
        case .badChallengeSignature, .challengeRequired, .badToken: return .badCredentials
        case .revoked: return .revoked
        case .nameConflict, .keyConflict, .liveIdentityMismatch: return .identityMismatch
        case .roomFull: return .roomFull
        }
    }

    public var closeReason: String {
        switch self {
        case .invalidName: return "bad name"
        case .noKey: return "no key"
        case .badRooms: return "bad rooms"
        case .badChallengeSignature: return "bad challenge sig"
        case .challengeRequired: return "challenge required"
        case .revoked: return "revoked"
        case .nameConflict, .liveIdentityMismatch: return "identity mismatch"
        case .keyConflict: return "key conflict"
        case .badToken: return "bad token"
        case .roomFull: return "full"
        }
    }

    /// The label under which `RelayMetrics.authFailures` counts it.
    public var kind: RelayMetrics.AuthFailureKind {
        switch self {
        case .invalidName: return .badName
        case .noKey: return .noKey
        case .badRooms: return .badRooms
        case .badChallengeSignature: return .badChallengeSignature
        case .challengeRequired: return .challengeRequired
        case .revoked: return .revoked
        case .nameConflict: return .nameConflict
        case .keyConflict: return .keyConflict
        case .badToken: return .badToken
        case .liveIdentityMismatch: return .liveIdentityMismatch
        case .roomFull: return .roomFull
        }
    }
}
