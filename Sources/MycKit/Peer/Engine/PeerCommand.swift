/// Correlates a `.command` with its `.reply`. Chosen by the runtime; unique per runtime.
public struct PeerCommandID: Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(_ rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public var description: String { "#\(rawValue)" }
}

/// What a face asks of the engine (the `PeerService` calls, minus `receive`, which the
/// runtime serves from the store).
public enum PeerCommand: Sendable, Equatable {
    case send(SendRequest)
    case broadcast(BroadcastRequest)
    case peers
    case rooms
    case trust(peer: String, room: String?, confirm: Bool)
    case verify(peer: String?, room: String?)
    case permissionRequest(PermissionRequest)
    /// Step 2 of a key rotation, once the key file holds the plan's identity
    /// (`PeerEngine.prepareRotation` is step 1).
    case commitRotation(RotationPlan)
}

/// The engine's answer to a `PeerCommand`, wrapping the `PeerService` outcome types.
public enum PeerReply: Sendable, Equatable {
    case send(SendOutcome)
    case broadcast(BroadcastOutcome)
    /// `inboxPending` is 0: the runtime, which owns the inbox, fills it in.
    case peers(PeersSnapshot)
    case rooms(RoomsOutcome)
    case trust(TrustOutcome)
    case verify(VerifyOutcome)
    /// How many live peers the `_perm_req` went to.
    case permissionRequested(recipients: Int)
    case rotate(RotateOutcome)
}
