import NIOCore
import NIOWebSocket

/// One accepted WebSocket, as the relay runtime sees it: an id, and three things it can do.
/// Every method may be called from any thread; NIO hops to the channel's event loop.
public final class WebSocketConnection: Sendable, Hashable {
    public let id: UInt64
    public let remoteIP: String?
    let channel: any Channel

    init(id: UInt64, channel: any Channel, remoteIP: String?) {
        self.id = id
        self.channel = channel
        self.remoteIP = remoteIP
    }

    /// Sends one text message. Returns false when the socket is gone or its outbound buffer
    /// is over the high-water mark (the backpressure limit), so the caller can report the
    /// drop instead of hiding it.
    @discardableResult
    public func sendText(_ bytes: [UInt8]) -> Bool {
        let channel = self.channel
        guard channel.isActive, channel.isWritable else { return false }
        let frame = WebSocketFrame(fin: true, opcode: .text, data: channel.allocator.buffer(bytes: bytes))
        channel.writeAndFlush(frame, promise: nil)
        return true
    }

    public func ping() {
        let frame = WebSocketFrame(fin: true, opcode: .ping, data: channel.allocator.buffer(capacity: 0))
        channel.writeAndFlush(frame, promise: nil)
    }

    /// Sends a close frame with `code` and `reason`, then closes the socket.
    public func close(code: UInt16, reason: String) {
        let channel = self.channel
        var data = channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        data.writeInteger(code)
        // Control frame payloads are capped at 125 bytes by RFC 6455.
        data.writeBytes(reason.utf8.prefix(123))
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
        channel.writeAndFlush(frame).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    public static func == (lhs: WebSocketConnection, rhs: WebSocketConnection) -> Bool { lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}
