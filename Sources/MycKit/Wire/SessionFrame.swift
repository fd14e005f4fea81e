/// The routing fields every outbound peer frame carries (PROTOCOL.md §5.7), shared by
/// session frames and offline envelopes. All of them are covered by the signature.
public struct RoutedFrameHeader: Sendable, Hashable {
    /// Recipient name.
    public var target: String
    /// The room the frame belongs to; signed, so a relay cannot move it between rooms.
    public var room: String
    /// Frame type: `info` by default, a custom type, or a control type (`_ack`, ...).
    public var type: String
    /// Our own name; receivers require it to equal the relay-stamped `from`.
    public var sender: String
    /// `MessageIDGenerator` output (or `<logical>#<i>` for a chunk part).
    public var msgID: String
    /// Wall-clock milliseconds at the time of *this* transmission.
    public var ts: Int64
    /// Correlation id (`_perm_req` and `myc_send`'s `request_id`); omitted when `nil`.
    public var requestID: String?

    public init(target: String, room: String, type: String, sender: String, msgID: String,
                ts: Int64, requestID: String? = nil) {
        self.target = target
        self.room = room
        self.type = type
        self.sender = sender
        self.msgID = msgID
        self.ts = ts
        self.requestID = requestID
    }
}

/// Builds session frames: encrypted under the live session key, signed, and marked
/// `no_queue` so the relay drops rather than queues them when the target is gone (a
/// session key dies with the target's connection, so a queued copy could never be read).
public enum SessionFrame {
    /// ```
    /// {"target","room","type","encrypted","nonce","e2e":true,"sender","session_id",
    ///  "payload":null,"msg_id","seq","ts","proto":2,["request_id"],"sig","no_queue":true}
    /// ```
    /// in the reference's key order. `sig` covers the canonical string of everything
    /// before it; `no_queue` is appended after signing and is not covered (§2.6).
    ///
    /// - Parameters:
    ///   - seq: this connection's outbound counter (starts at 0, +1 per session frame,
    ///     retransmissions and control frames included). Must be below 2^53, or receivers
    ///     refuse the frame.
    ///   - nonce: 24 bytes; random unless a test injects a fixed one. Never reuse a
    ///     nonce under one key: XSalsa20-Poly1305 loses confidentiality and integrity.
    /// - Throws: `SodiumError` if the nonce has the wrong length.
    public static func build(
        header: RoutedFrameHeader, sessionID: String, seq: Int64,
        plaintext: [UInt8], key: SharedKey, signer: SigningKeyPair,
        nonce: [UInt8] = RandomBytes.generate(PeerConstants.boxNonceByteCount)
    ) throws(SodiumError) -> JSONObject {
        let ciphertext = try key.seal(plaintext, nonce: nonce)
        var frame = JSONObject()
        frame["target"] = .string(header.target)
        frame["room"] = .string(header.room)
        frame["type"] = .string(header.type)
        frame["encrypted"] = .string(Base64.encode(ciphertext))
        frame["nonce"] = .string(Base64.encode(nonce))
        frame["e2e"] = .bool(true)
        frame["sender"] = .string(header.sender)
        frame["session_id"] = .string(sessionID)
        frame["payload"] = .null
        frame["msg_id"] = .string(header.msgID)
        frame["seq"] = .number(Double(seq))
        frame["ts"] = .number(Double(header.ts))
        frame["proto"] = .number(Double(WireProtocol.version))
        if let requestID = header.requestID { frame["request_id"] = .string(requestID) }
        RoutedFrame.sign(&frame, with: signer)
        frame["no_queue"] = .bool(true)
        return frame
    }
}
