/// The identity fingerprint of PROTOCOL.md §1.4: the first 16 bytes of SHA-512 over the raw
/// 32-byte Ed25519 public key, as 32 lowercase hex digits in 8 groups of 4 joined by `:`.
public struct Fingerprint: Hashable, Sendable, CustomStringConvertible {
    /// The canonical text form, e.g. `3e95:2974:fbd8:6dd9:6f47:220e:d268:f6ba`.
    public let text: String

    public init(publicKey: [UInt8]) {
        let digest = Hash.sha512(publicKey).prefix(16)
        let hex = Hex.encode(digest)
        var groups: [Substring] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 4)
            groups.append(hex[index..<next])
            index = next
        }
        self.text = groups.joined(separator: ":")
    }

    /// Normalises a fingerprint typed or configured by a person (trimmed, lowercased),
    /// the way the reference compares `MYC_RELAY_FINGERPRINT` entries.
    public static func normalize(_ text: String) -> String {
        text.trimmingWhitespace().lowercased()
    }

    /// Parses a comma-separated pin list: trimmed, lowercased, empty entries dropped.
    public static func pinSet(_ commaList: String) -> Set<String> {
        Set(commaList.split(separator: ",", omittingEmptySubsequences: false)
            .map { normalize(String($0)) }
            .filter { !$0.isEmpty })
    }

    public func matches(_ other: String) -> Bool {
        Self.normalize(other) == text
    }

    public var description: String { text }
}
