/// The per-connection `session_id` (PROTOCOL.md §1.4): 16 random bytes as 32 lowercase
/// hex digits, drawn afresh on every connection attempt.
///
/// The id is handled as its ASCII *string* everywhere — the STS binding (§5.8) hashes in
/// the hex text, not the raw bytes — so it stays a `String` rather than a wrapper type.
public enum SessionID {
    /// Length of the hex text.
    public static let length = PeerConstants.sessionIDByteCount * 2

    /// A fresh id from the system CSPRNG.
    public static func generate() -> String {
        Hex.encode(RandomBytes.generate(PeerConstants.sessionIDByteCount))
    }

    /// Whether `text` has the shape our peers send: exactly 32 lowercase hex digits.
    /// Receivers must not require this of others (the relay relays whatever a peer sent,
    /// and an empty id is legal there); it is for checking our own and for diagnostics.
    public static func isValid(_ text: String) -> Bool {
        text.utf8.count == length && text.utf8.allSatisfy { c in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(c)
        }
    }
}
