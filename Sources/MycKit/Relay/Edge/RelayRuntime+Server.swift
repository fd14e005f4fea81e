import Logging
import NIOCore
import NIOHTTP1

/// The WebSocket server's callbacks: sockets in, core steps out.
extension RelayRuntime {
    public func admitUpgrade(_ request: HTTPRequest) -> HTTPResponse? {
        let ip = policy.clientIP(request)
        let shuttingDown = core.withLock { $0.isShuttingDown }
        // Check and reserve in one critical section, so concurrent upgrades cannot all pass the cap.
        return connectionsPerIP.withLock { counts in
            switch policy.route(request, shuttingDown: shuttingDown, openFromIP: counts[ip, default: 0]) {
            case .upgrade:
                counts[ip, default: 0] += 1
                return nil
            case let .refuse(response):
                return response
            default:
                return .text(.notFound, "not found")
            }
        }
    }

    public func opened(_ connection: WebSocketConnection, request: HTTPRequest) {
        let id = ConnectionID(connection.id)
        let ip = policy.clientIP(request)
        sockets.withLock { $0[id] = (connection, ip) }
        step { $0.opened(connection: id, clientIP: ip, nowMs: $1) }
    }

    public func receivedText(_ bytes: [UInt8], on connection: WebSocketConnection) {
        wireTap?(RelayWireFrame(direction: .fromPeer, connection: connection.id, bytes: bytes))
        step { $0.received(connection: ConnectionID(connection.id), text: bytes, nowMs: $1) }
    }

    public func receivedBinary(on connection: WebSocketConnection) {
        step { $0.receivedBinary(connection: ConnectionID(connection.id), nowMs: $1) }
    }

    public func receivedPong(on connection: WebSocketConnection) {
        step { $0.pong(connection: ConnectionID(connection.id), nowMs: $1) }
    }

    public func closed(_ connection: WebSocketConnection) {
        let id = ConnectionID(connection.id)
        let entry = sockets.withLock { $0.removeValue(forKey: id) }
        if let ip = entry?.ip {
            connectionsPerIP.withLock { counts in
                let left = counts[ip, default: 1] - 1
                counts[ip] = left > 0 ? left : nil
            }
        }
        step { $0.closed(connection: id, nowMs: $1) }
    }

    /// Number of live sockets (for shutdown and tests).
    public var socketCount: Int { sockets.withLock { $0.count } }
}
