/// What the WebSocket server edge asks of the application behind it. Calls arrive on
/// event-loop threads, so implementations must be quick and must not block: hand slow work
/// (disk) to a thread of their own.
public protocol WebSocketServerDelegate: Sendable {
    /// An HTTP request that is not (or may not become) a WebSocket: answer it through `respond`,
    /// which may be called later and from any thread.
    func handleHTTP(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void)

    /// An upgrade request: nil accepts it; a response refuses it with that status.
    func admitUpgrade(_ request: HTTPRequest) -> HTTPResponse?

    func opened(_ connection: WebSocketConnection, request: HTTPRequest)
    func receivedText(_ bytes: [UInt8], on connection: WebSocketConnection)
    func receivedBinary(on connection: WebSocketConnection)
    func receivedPong(on connection: WebSocketConnection)
    /// The socket is gone, whoever closed it. Called exactly once per opened connection.
    func closed(_ connection: WebSocketConnection)
}
