/// Receive-side chunk reassembly (§5.13 steps 4–6): buffers parts per
/// `(room, from, logical id)`, at most 8 open buffers per `(room, from)`, a byte budget of
/// `maxLogicalBytes`, and a 120 s deadline per buffer (the engine's `.chunkTimeout` timer).
struct ChunkReassembler: Sendable {
    struct Buffer: Sendable {
        var count: Int
        var parts: [Int: [UInt8]] = [:]
        var totalBytes = 0
    }

    enum Outcome: Equatable, Sendable {
        /// A new buffer was opened: arm its timeout.
        case opened
        /// The part was stored (or was a repeat); more are needed.
        case buffered
        /// The part was refused (too many buffers, `n` mismatch, bad base64, over budget).
        case dropped(String)
        /// All parts are in: the reassembled text (invalid UTF-8 is `nil`), and the buffer is gone.
        case complete(String?)
    }

    private(set) var buffers: [ChunkBufferID: Buffer] = [:]
    let maxLogicalBytes: Int

    init(maxLogicalBytes: Int) {
        self.maxLogicalBytes = maxLogicalBytes
    }

    mutating func add(_ part: ChunkPart, from peer: RoomPeer) -> Outcome {
        let id = ChunkBufferID(peer: peer, logicalID: part.id)
        var opened = false
        var buffer: Buffer
        if let existing = buffers[id] {
            buffer = existing
        } else {
            let open = buffers.keys.filter { $0.peer == peer }.count
            guard open < PeerConstants.chunkBuffersPerSender else { return .dropped("too many open chunk buffers") }
            buffer = Buffer(count: part.count)
            opened = true
        }
        guard buffer.count == part.count else { return .dropped("chunk count mismatch") }
        if buffer.parts[part.index] == nil {
            guard let bytes = part.decodedData() else { return .dropped("chunk data is not base64") }
            buffer.totalBytes += bytes.count
            if buffer.totalBytes > maxLogicalBytes {
                buffers[id] = nil
                return .dropped("reassembled message too large")
            }
            buffer.parts[part.index] = bytes
        }
        if buffer.parts.count == buffer.count {
            buffers[id] = nil
            var bytes: [UInt8] = []
            bytes.reserveCapacity(buffer.totalBytes)
            for i in 0..<buffer.count { bytes += buffer.parts[i]! }
            return .complete(RoutedFrame.decodePlaintext(bytes))
        }
        buffers[id] = buffer
        return opened ? .opened : .buffered
    }

    /// Discards a timed-out buffer; `true` if it existed.
    mutating func expire(_ id: ChunkBufferID) -> Bool {
        buffers.removeValue(forKey: id) != nil
    }
}
