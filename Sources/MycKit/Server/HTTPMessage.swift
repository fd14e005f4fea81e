import NIOHTTP1

/// A plain HTTP request as the edge hands it to whoever decides (relay admin routes, the
/// upgrade gate): everything needed, nothing tied to a channel.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    public var path: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// The socket's peer address (`127.0.0.1`, `::1`, ...), or nil for a Unix socket.
    public var remoteIP: String?
    public var isUpgrade: Bool

    public init(method: HTTPMethod, path: String, headers: HTTPHeaders, body: [UInt8] = [], remoteIP: String?, isUpgrade: Bool) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.remoteIP = remoteIP
        self.isUpgrade = isUpgrade
    }

    /// The path without its query string.
    public var route: String {
        if let q = path.firstIndex(of: "?") { return String(path[..<q]) }
        return path
    }
}

public struct HTTPResponse: Sendable, Equatable {
    public var status: HTTPResponseStatus
    public var contentType: String
    public var body: [UInt8]

    public init(status: HTTPResponseStatus, contentType: String = "text/plain; charset=utf-8", body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    public static func text(_ status: HTTPResponseStatus, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, body: Array(text.utf8))
    }

    public static func json(_ status: HTTPResponseStatus, _ bytes: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/json", body: bytes)
    }
}
