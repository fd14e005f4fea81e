import NIOCore
import NIOWebSocket

/// The per-connection handler after the upgrade: messages, pings and pongs become
/// `RelayLinkEvent`s; a ping is answered here. Reports `closed` exactly once.
///
/// Events are held back until `activate` (called once NIO has finished the upgrade and
/// removed the HTTP handlers): a reply written before that would meet the HTTP encoder and
/// be dropped, so the runtime must not learn of the link any earlier.
final class RelayLinkHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let report: @Sendable (RelayLinkEvent) -> Void
    private var closeCode: UInt16?
    private var closeReason = ""
    private var reported = false
    private var active = false
    private var held: [RelayLinkEvent] = []

    init(report: @escaping @Sendable (RelayLinkEvent) -> Void) {
        self.report = report
    }

    /// On the channel's event loop: report `.opened`, then everything held so far.
    func activate(_ link: RelayLink) {
        guard !active else { return }
        active = true
        report(.opened(link))
        let pending = held
        held = []
        pending.forEach(report)
    }

    private func emit(_ event: RelayLinkEvent) {
        if active { report(event) } else { held.append(event) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            var payload = frame.unmaskedData
            emit(.text(payload.readBytes(length: payload.readableBytes) ?? []))
        case .ping:
            emit(.activity)
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .pong, .binary:
            emit(.activity)
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
        emit(.closed(code: closeCode, reason: closeReason.isEmpty ? "connection closed" : closeReason))
    }
}
