/// Every input of `PeerEngine.handle(_:nowMs:)`. The runtime turns sockets, timers, faces
/// and the store into these; the engine answers with `[PeerAction]`.
public enum PeerEvent: Sendable, Equatable {
    /// Begin: connect to the first relay of the list.
    case start
    /// The link asked for by the last `.connect` is open (WebSocket upgrade done).
    case linkOpened
    /// One text message from the relay, raw UTF-8 (one JSON object per message, §1.2).
    case linkText([UInt8])
    /// Any sign of life on the socket that is not a message: a pong, a ping, a partial
    /// frame. Resets the silence watchdog (the §8.14 fix: the relay only pings).
    case linkActivity
    /// The link is gone, or the `.connect` failed. `code` is the WebSocket close code when
    /// there was one (either side's).
    case linkClosed(code: UInt16?, reason: String)
    /// A timer armed by `.armTimer` is due. Stale or cancelled ids are ignored.
    case timerFired(PeerTimerID)
    /// A face's request; answered by exactly one `.reply` with the same id (now, or
    /// later for `rooms`).
    case command(PeerCommandID, PeerCommand)
    /// Another process (`myc trust`) changed the store: adopt its pins, blocked keys and
    /// STS-failed set. Replay state in the snapshot is ignored (the engine owns it).
    case storeChanged(PeerStateSnapshot)
    /// SIGINT/SIGTERM: close the link with 1000, cancel every timer, stop reconnecting.
    case shutdown
}

/// A timer the engine asked for. Arming an id that is already armed replaces its deadline.
public enum PeerTimerID: Sendable, Hashable {
    /// The backoff delay before the next connection attempt.
    case reconnect
    /// The watchdog check, every 10 s while a link is open.
    case heartbeat
    /// The dedup sweep, every 10 s.
    case replaySweep
    /// The outbox flush ~500 ms after `auth_ok`.
    case outboxFlush
    /// The outbox retry ~200 ms after a session with this peer came up.
    case sessionRetry(RoomPeer)
    /// The initiator's `_sts_init`, ~100 ms after key processing.
    case stsStart(RoomPeer)
    /// The initiator's 10 s wait for `_sts_reply`.
    case stsTimeout(RoomPeer)
    /// The ack wait (or the rate-limit resend delay) of one outbox entry, by msg_id.
    case outbox(msgID: String)
    /// A `myc_rooms` call waiting for the relay's `rooms` reply (5 s).
    case roomsReply(PeerCommandID)
    /// A chunk reassembly buffer opened 120 s ago.
    case chunkTimeout(ChunkBufferID)
}

/// Identifies one chunk reassembly buffer: `(room, from, logical id)`, compared by bytes.
public struct ChunkBufferID: Sendable, Hashable {
    public var peer: RoomPeer
    public var logicalID: String

    public init(peer: RoomPeer, logicalID: String) {
        self.peer = peer
        self.logicalID = logicalID
    }

    public static func == (a: ChunkBufferID, b: ChunkBufferID) -> Bool {
        a.peer == b.peer && a.logicalID.utf8.elementsEqual(b.logicalID.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(peer)
        for byte in logicalID.utf8 { hasher.combine(byte) }
    }
}
