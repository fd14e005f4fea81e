/// Builds offline envelopes (PROTOCOL.md §5.6–§5.7): a frame sealed to the target's
/// *identity* curve key, for a target with no live session.
///
/// The relay queues it when the target is absent, which is why it carries no `no_queue`.
/// It has no forward secrecy (anyone who later steals the target's identity key can open
/// it) and no session binding: `nonce`, `session_id` and `seq` are `null`, and
/// `offline: true` routes it through the receiver's offline gate (pin, freshness, dedup).
public enum OfflineEnvelope {
    /// ```
    /// {"target","room","type","encrypted","nonce":null,"e2e":true,"offline":true,"sender",
    ///  "session_id":null,"payload":null,"msg_id","seq":null,"ts","proto":2,["request_id"],"sig"}
    /// ```
    /// in the reference's key order.
    ///
    /// - Parameter recipient: the target's **pinned** identity key; the box key is
    ///   `ed25519_pk_to_curve25519` of it. Sealing to a key that did not come from our
    ///   TOFU store would hand the message to whoever the relay says the target is.
    /// - Throws: `SodiumError` if the key cannot be converted.
    public static func build(
        header: RoutedFrameHeader, plaintext: [UInt8], recipient: SigningPublicKey, signer: SigningKeyPair
    ) throws(SodiumError) -> JSONObject {
        let sealed = try SealedBox.seal(plaintext, to: recipient.curve25519())
        var frame = JSONObject()
        frame["target"] = .string(header.target)
        frame["room"] = .string(header.room)
        frame["type"] = .string(header.type)
        frame["encrypted"] = .string(Base64.encode(sealed))
        frame["nonce"] = .null
        frame["e2e"] = .bool(true)
        frame["offline"] = .bool(true)
        frame["sender"] = .string(header.sender)
        frame["session_id"] = .null
        frame["payload"] = .null
        frame["msg_id"] = .string(header.msgID)
        frame["seq"] = .null
        frame["ts"] = .number(Double(header.ts))
        frame["proto"] = .number(Double(WireProtocol.version))
        if let requestID = header.requestID { frame["request_id"] = .string(requestID) }
        RoutedFrame.sign(&frame, with: signer)
        return frame
    }
}
