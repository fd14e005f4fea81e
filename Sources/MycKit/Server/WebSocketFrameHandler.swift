import NIOCore
import NIOWebSocket

/// The per-socket handler after the upgrade: turns complete WebSocket messages into delegate
/// calls. Fragmented messages are reassembled by `NIOWebSocketFrameAggregator` before they
/// arrive here; oversized ones are refused with 1009 by the decoder.
final class WebSocketFrameHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let connection: WebSocketConnection
    private let delegate: any WebSocketServerDelegate
    private let request: HTTPRequest
    private var closeSent = false
    private var reportedClosed = false

    init(connection: WebSocketConnection, delegate: any WebSocketServerDelegate, request: HTTPRequest) {
        self.connection = connection
        self.delegate = delegate
        self.request = request
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { delegate.opened(connection, request: request) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            var payload = frame.unmaskedData
            let bytes = payload.readBytes(length: payload.readableBytes) ?? []
            delegate.receivedText(bytes, on: connection)
        case .binary:
            delegate.receivedBinary(on: connection)
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .pong:
            delegate.receivedPong(on: connection)
        case .connectionClose:
            // Echo the peer's code (RFC 6455 §5.5.1), then hang up.
            var data = frame.unmaskedData
            let code = data.readSlice(length: 2) ?? context.channel.allocator.buffer(capacity: 0)
            let reply = WebSocketFrame(fin: true, opcode: .connectionClose, data: code)
            context.writeAndFlush(wrapOutboundOut(reply)).whenComplete { _ in
                context.close(promise: nil)
            }
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        reportClosed()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        reportClosed()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Errors from the aggregator arrive here (the protocol error handler sits before it).
        let code: WebSocketErrorCode
        switch error as? NIOWebSocketFrameAggregator.Error {
        case .accumulatedFrameSizeIsTooLarge?, .tooManyFragments?: code = .messageTooLarge
        case .some: code = .protocolError
        case nil: context.close(promise: nil); return
        }
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
        context.writeAndFlush(wrapOutboundOut(frame)).whenComplete { _ in context.close(promise: nil) }
    }

    private func reportClosed() {
        guard !reportedClosed else { return }
        reportedClosed = true
        delegate.closed(connection)
    }
}
