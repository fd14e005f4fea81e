// Splitting large messages into chunk parts, and recognising a part on receipt
// (PROTOCOL.md §5.13). Reassembly, with its buffers and timers, belongs to the peer
// engine; this file is the pure, byte-exact part that must match the reference.
//
// A message longer than `PeerConstants.chunkLimitBytes` UTF-8 bytes is cut into
// byte slices — a code point may straddle two slices, so slices are not text — and
// each slice travels base64-encoded in a wrapper plaintext:
// `{"__myc_chunk":{"id":"<logicalId>","i":<i>,"n":<n>,"data":"<b64>"}}`.
// Each part is an ordinary message with msg_id `<logicalId>#<i>`.

/// One transmission unit of a logical message: a chunk part, or the whole message.
public struct ChunkUnit: Sendable, Hashable {
    /// `<logicalId>#<i>` for a part, the logical id itself for an unsplit message.
    public var msgID: String
    /// What gets encrypted: the wrapper JSON, or the original text.
    public var plaintext: String

    public init(msgID: String, plaintext: String) {
        self.msgID = msgID
        self.plaintext = plaintext
    }
}

/// A parsed chunk wrapper whose indices passed the §5.13 step 3 bounds.
public struct ChunkPart: Sendable, Hashable {
    /// The logical msg_id the parts reassemble into.
    public var id: String
    /// 0-based part index, `0 ..< count`.
    public var index: Int
    /// Number of parts, `1 ... maxParts`.
    public var count: Int
    /// Base64 of this part's byte slice, not yet decoded: the reference decodes only
    /// parts it has not seen (§5.13 step 5), so decoding is the buffer's decision.
    public var data: String

    public init(id: String, index: Int, count: Int, data: String) {
        self.id = id
        self.index = index
        self.count = count
        self.data = data
    }

    /// The slice bytes, or `nil` if `data` is not strict base64 (the part is dropped).
    public func decodedData() -> [UInt8]? { try? Base64.decode(data) }

    /// The wrapper plaintext, exactly as the reference's `JSON.stringify` writes it.
    public var plaintext: String {
        let inner: JSONObject = [
            "id": .string(id), "i": .number(Double(index)), "n": .number(Double(count)), "data": .string(data),
        ]
        return JSONSerializer.string(of: .object([ChunkSplitter.wrapperKey: .object(inner)]))
    }
}

/// What a decrypted plaintext turned out to be.
public enum ChunkParseOutcome: Sendable, Hashable {
    /// Ordinary text: deliver it as is (this includes wrapper look-alikes that fail to
    /// parse or have mistyped fields — the reference delivers those as text, §5.13 step 2).
    case notAChunk
    /// A well-formed wrapper with impossible indices: drop the frame (step 3).
    case dropped(ChunkRejection)
    /// A chunk part to buffer.
    case part(ChunkPart)
}

/// Why a well-formed wrapper was dropped.
public enum ChunkRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// `n < 1` or `n > maxParts`.
    case countOutOfRange(n: Double, maxParts: Int)
    /// `i < 0` or `i ≥ n`.
    case indexOutOfRange(i: Double, n: Double)

    public var description: String {
        switch self {
        case let .countOutOfRange(n, max):
            return "chunk count \(JSONValue.number(n)) outside 1...\(max)"
        case let .indexOutOfRange(i, n):
            return "chunk index \(JSONValue.number(i)) outside 0..<\(JSONValue.number(n))"
        }
    }
}

public enum ChunkSplitter {
    /// The wrapper's only top-level key.
    static let wrapperKey = "__myc_chunk"

    /// The literal a plaintext must start with to be considered at all (step 1). A cheap
    /// filter that keeps ordinary messages away from the JSON parser.
    public static let marker = #"{"__myc_chunk""#

    /// Splits `text` into transmission units (§5.12 step 5): a single unit carrying
    /// `logicalID` when its UTF-8 form fits in `limit` bytes, else `ceil(len/limit)`
    /// parts cut on byte boundaries.
    public static func split(
        _ text: String, logicalID: String, limit: Int = PeerConstants.chunkLimitBytes
    ) -> [ChunkUnit] {
        precondition(limit > 0, "chunk limit must be positive")
        let bytes = Array(text.utf8)
        guard bytes.count > limit else { return [ChunkUnit(msgID: logicalID, plaintext: text)] }
        let count = (bytes.count + limit - 1) / limit
        return (0..<count).map { i in
            let slice = bytes[(i * limit)..<min((i + 1) * limit, bytes.count)]
            let part = ChunkPart(id: logicalID, index: i, count: count, data: Base64.encode(slice))
            return ChunkUnit(msgID: MessageIDGenerator.chunkPart(logicalID, index: i), plaintext: part.plaintext)
        }
    }

    /// Steps 1–3 of `tryChunk` on a decrypted plaintext about to be delivered.
    ///
    /// 1. Not starting with `{"__myc_chunk"` → not a chunk.
    /// 2. Not JSON, or `__myc_chunk` not an object with string `id`, integer `i` and `n`
    ///    (JavaScript `Number.isInteger`: `1.0` counts) and string `data` → not a chunk.
    /// 3. `n < 1`, `n > maxParts`, `i < 0` or `i ≥ n` → dropped.
    ///
    /// `maxParts = ceil(maxLogicalBytes / 24000) + 1` (45 by default).
    public static func tryParseChunk(
        plaintext: String, maxLogicalBytes: Int = PeerConstants.defaultMaxLogicalBytes
    ) -> ChunkParseOutcome {
        guard plaintext.utf8.starts(with: marker.utf8),
              let wrapper = try? JSONParser.parseObject(plaintext),
              let inner = wrapper[wrapperKey]?.objectValue,
              let id = inner["id"]?.stringValue,
              let i = inner["i"]?.numberValue, isInteger(i),
              let n = inner["n"]?.numberValue, isInteger(n),
              let data = inner["data"]?.stringValue
        else { return .notAChunk }
        let maxParts = PeerConstants.maxChunkParts(maxLogicalBytes: maxLogicalBytes)
        // Compared as doubles first: converting an out-of-range double to Int would trap.
        guard n >= 1, n <= Double(maxParts) else { return .dropped(.countOutOfRange(n: n, maxParts: maxParts)) }
        guard i >= 0, i < n else { return .dropped(.indexOutOfRange(i: i, n: n)) }
        return .part(ChunkPart(id: id, index: Int(i), count: Int(n), data: data))
    }

    /// `Number.isInteger`: finite with no fractional part.
    private static func isInteger(_ x: Double) -> Bool {
        x.isFinite && x.rounded(.towardZero) == x
    }
}
