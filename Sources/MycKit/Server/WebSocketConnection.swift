import NIOCore
import NIOWebSocket
import Synchronization

/// One accepted WebSocket, as the relay runtime sees it: an id, and three things it can do.
/// Every method may be called from any thread; NIO hops to the channel's event loop.
public final class WebSocketConnection: Sendable, Hashable {
    public let id: UInt64
    public let remoteIP: String?
    let channel: any Channel
    /// A flush is scheduled on the channel's event loop and has not run yet.
    private let flushPending = Atomic<Bool>(false)

    init(id: UInt64, channel: any Channel, remoteIP: String?) {
        self.id = id
        self.channel = channel
        self.remoteIP = remoteIP
    }

    /// Sends one text message. Returns false when the socket is gone or its outbound buffer
    /// is over the high-water mark (the backpressure limit), so the caller can report the
    /// drop instead of hiding it.
    ///
    /// The frame is written at once but flushed by a task on the channel's event loop, one
    /// per loop turn: every frame that reaches this socket meanwhile (a sender's burst, a
    /// queue drain, broadcasts) leaves in one `writev` instead of one syscall each.
    @discardableResult
    public func sendText(_ bytes: [UInt8]) -> Bool {
        let channel = self.channel
        guard channel.isActive, channel.isWritable else { return false }
        let frame = WebSocketFrame(fin: true, opcode: .text, data: channel.allocator.buffer(bytes: bytes))
        if channel.eventLoop.inEventLoop {
            channel.write(frame, promise: nil)
            scheduleFlush()
        } else {
            channel.eventLoop.execute { [self] in
                channel.write(frame, promise: nil)
                scheduleFlush()
            }
        }
        return true
    }

    /// On the event loop: flush after the tasks and reads already queued for this turn.
    private func scheduleFlush() {
        guard !flushPending.exchange(true, ordering: .relaxed) else { return }
        channel.eventLoop.execute { [self] in
            flushPending.store(false, ordering: .relaxed)
            channel.flush()
        }
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
