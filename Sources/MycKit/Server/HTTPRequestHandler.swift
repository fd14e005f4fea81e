import NIOCore
import NIOHTTP1
import NIOWebSocket

/// Serves requests that did not become WebSockets: collects the body (bounded), asks the
/// delegate, writes its answer and closes. One request per connection keeps it simple; the
/// admin surface is tiny and never hot.
final class HTTPRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let maxBodyBytes = 64 * 1024

    private let delegate: any WebSocketServerDelegate
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false

    init(delegate: any WebSocketServerDelegate) {
        self.delegate = delegate
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(h):
            head = h
            body = []
        case var .body(buffer):
            if body.count + buffer.readableBytes > Self.maxBodyBytes {
                tooLarge = true
            } else if let bytes = buffer.readBytes(length: buffer.readableBytes) {
                body.append(contentsOf: bytes)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            if tooLarge {
                write(HTTPResponse.text(.payloadTooLarge, "request body too large"), context: context)
                return
            }
            let request = HTTPRequest(
                method: head.method, path: head.uri, headers: head.headers, body: body,
                remoteIP: context.channel.remoteAddress?.ipAddress,
                isUpgrade: head.headers[canonicalForm: "connection"].contains { $0.lowercased() == "upgrade" })
            let loop = context.eventLoop
            let bound = NIOLoopBound((self, context), eventLoop: loop)
            delegate.handleHTTP(request) { response in
                loop.execute {
                    let (handler, context) = bound.value
                    handler.write(response, context: context)
                }
            }
        }
    }

    private func write(_ response: HTTPResponse, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.count))
        headers.add(name: "Connection", value: "close")
        let head = HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A declined WebSocket upgrade is reported as an error just before NIO hands us the
        // request to answer (with 421/429/503): that one is not a reason to hang up.
        if error is NIOWebSocketUpgradeError { return }
        context.close(promise: nil)
    }
}
