/// Receive-side chunk reassembly (§5.13 steps 4–6): buffers parts per
/// `(room, from, logical id)`, at most 8 open buffers per `(room, from)`, a byte budget of
/// `maxLogicalBytes`, and a 120 s deadline per buffer (the engine's `.chunkTimeout` timer).
///
/// Every part it keeps has been committed and acked, so the engine also stores each new part
/// (sealed to its own identity key) and `restore(_:)` rebuilds the buffers after a restart.
struct ChunkReassembler: Sendable {
    struct Buffer: Sendable {
        var count: Int
        var parts: [Int: [UInt8]] = [:]
        var totalBytes = 0
        /// When the first part arrived (the timeout runs from here, across restarts).
        var openedAtMs: Int64
    }

    enum Outcome: Equatable, Sendable {
        /// A new part was stored; `opened` when it opened its buffer (arm the timeout).
        case stored(opened: Bool)
        /// The part was already there; nothing changed.
        case repeated
        /// The part was refused (too many buffers, `n` mismatch, bad base64, over budget);
        /// `discarded` when its buffer was thrown away with it.
        case dropped(String, discarded: Bool)
        /// All parts are in: the reassembled text (invalid UTF-8 is `nil`), and the buffer is gone.
        case complete(String?)
    }

    private(set) var buffers: [ChunkBufferID: Buffer] = [:]
    let maxLogicalBytes: Int
    /// Stored parts that could not be opened or did not fit at restore: the engine drops
    /// them from the store and reports them at start.
    var unrestorable: [ChunkBufferID] = []

    init(maxLogicalBytes: Int) {
        self.maxLogicalBytes = maxLogicalBytes
    }

    mutating func add(_ part: ChunkPart, from peer: RoomPeer, nowMs: Int64) -> Outcome {
        let id = ChunkBufferID(peer: peer, logicalID: part.id)
        var opened = false
        var buffer: Buffer
        if let existing = buffers[id] {
            buffer = existing
        } else {
            let open = buffers.keys.filter { $0.peer == peer }.count
            guard open < PeerConstants.chunkBuffersPerSender else { return .dropped("too many open chunk buffers", discarded: false) }
            buffer = Buffer(count: part.count, openedAtMs: nowMs)
            opened = true
        }
        guard buffer.count == part.count else { return .dropped("chunk count mismatch", discarded: false) }
        guard buffer.parts[part.index] == nil else { return .repeated }
        guard let bytes = part.decodedData() else { return .dropped("chunk data is not base64", discarded: false) }
        buffer.totalBytes += bytes.count
        if buffer.totalBytes > maxLogicalBytes {
            buffers[id] = nil
            return .dropped("reassembled message too large", discarded: !opened)
        }
        buffer.parts[part.index] = bytes
        if buffer.parts.count == buffer.count {
            buffers[id] = nil
            var joined: [UInt8] = []
            joined.reserveCapacity(buffer.totalBytes)
            for i in 0..<buffer.count { joined += buffer.parts[i]! }
            return .complete(RoutedFrame.decodePlaintext(joined))
        }
        buffers[id] = buffer
        return .stored(opened: opened)
    }

    /// Discards a timed-out buffer; `true` if it existed.
    mutating func expire(_ id: ChunkBufferID) -> Bool {
        buffers.removeValue(forKey: id) != nil
    }

    /// Rebuilds the buffers from stored parts, each opened with `open` (our identity key). A
    /// buffer with a part that does not open, or that breaks a guard, is listed in
    /// `unrestorable` whole and not rebuilt.
    mutating func restore(_ stored: [DurableChunkPart], open: ([UInt8]) -> [UInt8]?) {
        var rebuilt: [ChunkBufferID: Buffer] = [:]
        var bad: [ChunkBufferID] = []
        for part in stored where !bad.contains(part.buffer) {
            var buffer = rebuilt[part.buffer] ?? Buffer(count: part.count, openedAtMs: part.openedAtMs)
            guard let bytes = open(part.sealedData), buffer.count == part.count, part.index >= 0, part.index < part.count,
                  buffer.totalBytes + bytes.count <= maxLogicalBytes
            else {
                bad.append(part.buffer)
                rebuilt[part.buffer] = nil
                continue
            }
            if buffer.parts[part.index] == nil {
                buffer.parts[part.index] = bytes
                buffer.totalBytes += bytes.count
            }
            rebuilt[part.buffer] = buffer
        }
        for (id, buffer) in rebuilt where buffer.parts.count < buffer.count { buffers[id] = buffer }
        // A complete buffer cannot be stored (completion removes it in the same transaction);
        // if one is found anyway it is treated as damaged rather than delivered twice.
        for (id, buffer) in rebuilt where buffer.parts.count >= buffer.count { bad.append(id) }
        unrestorable += bad
    }
}
