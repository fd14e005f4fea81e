import Logging
#if canImport(Glibc)
import Glibc
#endif

/// One JSON object per line (`{"ts","level","label","msg",...metadata}`), for the relay's
/// stdout, so operators can feed logs to anything that reads JSON lines. Values pass
/// through the JSON serializer, so no message can break the line format.
public struct JSONLineLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let fileDescriptor: Int32

    public init(label: String, fileDescriptor: Int32 = 1) {
        self.label = label
        self.fileDescriptor = fileDescriptor
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var object: JSONObject = [
            "ts": .string(Self.timestamp()),
            "level": .string(event.level.rawValue),
            "label": .string(label),
            "msg": .string("\(event.message)"),
        ]
        for (k, v) in metadata { object[k] = Self.json(v) }
        for (k, v) in event.metadata ?? [:] { object[k] = Self.json(v) }
        var bytes = JSONSerializer.bytes(of: .object(object))
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBufferPointer { _ = write(fileDescriptor, $0.baseAddress, $0.count) }
    }

    static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case let .string(s): return .string(s)
        case let .stringConvertible(c): return .string(c.description)
        case let .array(a): return .array(a.map(json))
        case let .dictionary(d):
            var o = JSONObject()
            for (k, v) in d.sorted(by: { $0.key < $1.key }) { o[k] = json(v) }
            return .object(o)
        }
    }

    /// ISO-8601 UTC with milliseconds, like JavaScript's `toISOString()`.
    static func timestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = time_t(ts.tv_sec)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32, _ n: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(ts.tv_nsec / 1_000_000), 3))Z"
    }
}
