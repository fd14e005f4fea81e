/// Every input the relay edge feeds `RelayCore`, for edges that prefer one entry point
/// (`RelayCore.handle(_:nowMs:)`). Each case maps to the core method of the same name.
/// The admin revocation is not here because it also returns a result (`RelayCore.revoke`).
public enum RelayEvent: Sendable, Equatable {
    /// A WebSocket upgrade completed (HTTP checks of §4.8 already passed).
    case opened(ConnectionID, clientIP: String)
    /// A text message arrived (raw UTF-8 bytes, at most `maxMessageBytes`).
    case text(ConnectionID, [UInt8])
    /// A binary message arrived.
    case binary(ConnectionID)
    /// A pong arrived on this exact connection.
    case pong(ConnectionID)
    /// The socket is gone (either side closed it, or it failed).
    case closed(ConnectionID)
    /// A send to this connection threw.
    case sendFailed(ConnectionID)
    /// A `.forward` was dropped because the target was over its backpressure limit.
    case forwardDropped(RelayAction.Delivery)
    /// Timer tick (cheap when nothing is due; see `RelayCore.nextDeadlineMs`).
    case tick
    /// SIGTERM/SIGINT: start the graceful shutdown.
    case shutdown
    /// Another process changed the stored allow-list.
    case allowListChanged(AllowListSnapshot)
}

extension RelayCore {
    /// Dispatches `event` to its method.
    public mutating func handle(_ event: RelayEvent, nowMs: Int64) -> [RelayAction] {
        switch event {
        case let .opened(id, clientIP): return opened(connection: id, clientIP: clientIP, nowMs: nowMs)
        case let .text(id, bytes): return received(connection: id, text: bytes, nowMs: nowMs)
        case let .binary(id): return receivedBinary(connection: id, nowMs: nowMs)
        case let .pong(id): return pong(connection: id, nowMs: nowMs)
        case let .closed(id): return closed(connection: id, nowMs: nowMs)
        case let .sendFailed(id): return sendFailed(connection: id, nowMs: nowMs)
        case let .forwardDropped(delivery): return forwardDropped(delivery, nowMs: nowMs)
        case .tick: return tick(nowMs: nowMs)
        case .shutdown: return beginShutdown(nowMs: nowMs)
        case let .allowListChanged(snapshot): return reloadAllowList(snapshot, nowMs: nowMs)
        }
    }
}
