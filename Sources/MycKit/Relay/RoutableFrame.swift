/// What routing reads from a frame — a few small fields — and the bytes it forwards, with
/// `from` (and a relay `msg_id`) stamped in. Two shapes provide it: `CanonicalFrame`, which
/// splices bytes for frames already in `JSON.stringify` form (the common case), and a parsed
/// `JSONObject` for everything else. Both print the same bytes for the same frame.
protocol RoutableFrame {
    subscript(key: String) -> JSONValue? { get }
    /// The frame with `from` overwritten and, when given, `msg_id` set.
    func stamped(from: String, msgID: JSONValue?) -> [UInt8]
}

extension CanonicalFrame: RoutableFrame {}

extension JSONObject: RoutableFrame {
    func stamped(from: String, msgID: JSONValue?) -> [UInt8] {
        var frame = self
        frame["from"] = .string(from)
        if let msgID { frame["msg_id"] = msgID }
        return JSONSerializer.bytes(of: .object(frame))
    }
}
