import NIOCore
import NIOWebSocket

/// The per-connection handler after the upgrade: messages, pings and pongs become
/// `RelayLinkEvent`s; a ping is answered here. Reports `closed` exactly once.
final class RelayLinkHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let report: @Sendable (RelayLinkEvent) -> Void
    private var closeCode: UInt16?
    private var closeReason = ""
    private var reported = false

    init(report: @escaping @Sendable (RelayLinkEvent) -> Void) {
        self.report = report
    }

    func handlerAdded(context: ChannelHandlerContext) {
        report(.opened(RelayLink(channel: context.channel)))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            var payload = frame.unmaskedData
            report(.text(payload.readBytes(length: payload.readableBytes) ?? []))
        case .ping:
            report(.activity)
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .pong, .binary:
            report(.activity)
        case .connectionClose:
            var data = frame.unmaskedData
            closeCode = data.readInteger(as: UInt16.self)
            closeReason = data.readString(length: data.readableBytes) ?? ""
            // Echo the close (RFC 6455 §5.5.1), then hang up.
            var echo = context.channel.allocator.buffer(capacity: 2)
            if let code = closeCode { echo.writeInteger(code) }
            let reply = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: echo)
            context.writeAndFlush(wrapOutboundOut(reply)).whenComplete { _ in context.close(promise: nil) }
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if closeReason.isEmpty { closeReason = "\(error)" }
        context.close(promise: nil)
    }

    private func finish() {
        guard !reported else { return }
        reported = true
        report(.closed(code: closeCode, reason: closeReason.isEmpty ? "connection closed" : closeReason))
    }
}
