/// Everything `myc demo` observed: what crossed the relay's socket edge, in order, and
/// what the peers sent and read. Pure data, so the rendering is tested without a network.
public struct DemoTranscript: Sendable, Equatable {
    /// One frame as the relay saw it, with the name behind its socket once the relay knew it.
    public struct WireFrame: Sendable, Equatable {
        public var direction: RelayWireFrame.Direction
        /// The peer on the other end of the socket (from its `auth` frame), or `conn-N` before.
        public var peer: String
        public var bytes: [UInt8]

        public init(direction: RelayWireFrame.Direction, peer: String, bytes: [UInt8]) {
            self.direction = direction
            self.peer = peer
            self.bytes = bytes
        }
    }

    /// One message of the script: who sent what to whom, and what the recipient read.
    public struct Message: Sendable, Equatable {
        public var from: String
        public var to: String
        public var text: String
        /// The id the sender's peer gave it (it travels in clear as `msg_id`).
        public var msgID: String?
        /// What the recipient's peer delivered, and its markers (nil: never arrived).
        public var read: String?
        public var markers: String
        /// Index into `frames` of the first frame after this message was handed to the peer.
        public var firstFrame: Int
        /// Index into `frames` past the last frame of this exchange.
        public var endFrame: Int

        public init(from: String, to: String, text: String, msgID: String?, read: String?, markers: String,
                    firstFrame: Int, endFrame: Int) {
            self.from = from
            self.to = to
            self.text = text
            self.msgID = msgID
            self.read = read
            self.markers = markers
            self.firstFrame = firstFrame
            self.endFrame = endFrame
        }
    }

    public struct Party: Sendable, Equatable {
        public var name: String
        public var fingerprint: String
        public init(name: String, fingerprint: String) {
            self.name = name
            self.fingerprint = fingerprint
        }
    }

    public var relayAddress: String
    public var relayFingerprint: String
    public var room: String
    public var peers: [Party]
    public var frames: [WireFrame]
    public var messages: [Message]

    public init(relayAddress: String, relayFingerprint: String, room: String, peers: [Party],
                frames: [WireFrame], messages: [Message]) {
        self.relayAddress = relayAddress
        self.relayFingerprint = relayFingerprint
        self.room = room
        self.peers = peers
        self.frames = frames
        self.messages = messages
    }

    /// Texts shorter than this are not searched for: they could occur by chance inside
    /// base64 or a name.
    public static let searchableBytes = 12

    /// The messages whose plaintext occurs, byte for byte, in some frame the relay saw
    /// (empty unless end-to-end encryption is broken).
    public var leakedMessages: [Message] {
        messages.filter { message in
            let needle = Array(message.text.utf8)
            guard needle.count >= Self.searchableBytes else { return false }
            return frames.contains { $0.bytes.containsSubsequence(needle) }
        }
    }

    /// Messages too short to search for meaningfully.
    public var unsearchedMessages: [Message] {
        messages.filter { $0.text.utf8.count < Self.searchableBytes }
    }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs as a contiguous run (an empty needle always does).
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard needle.count <= count else { return false }
        let first = needle[0]
        var i = 0
        while i + needle.count <= count {
            if self[i] == first && self[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}
