/// Base-36 text as JavaScript's `Number.prototype.toString(36)` prints integers: digits
/// `0-9a-z`, lowercase, no padding, a leading `-` for negatives. Peer msg_ids
/// (`<peer>-<base36(ms)>-<base36(counter)>`, PROTOCOL.md §1.4) are built from it, and
/// although receivers treat ids as opaque, matching the reference keeps ids
/// recognisable in logs and replay files shared between implementations.
public enum Base36 {
    /// `value.toString(36)`.
    public static func encode<T: BinaryInteger>(_ value: T) -> String {
        String(value, radix: 36, uppercase: false)
    }

    /// Parses lowercase base-36 digits (an optional leading `-`), the inverse of
    /// `encode`. Uppercase, padding-free empty input and overflow are refused, so only
    /// text `encode` could have produced round-trips.
    public static func decode(_ text: String) -> Int64? {
        var digits = Substring(text)
        let negative = digits.first == "-"
        if negative { digits = digits.dropFirst() }
        guard !digits.isEmpty,
              digits.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) }),
              let magnitude = Int64(digits, radix: 36) else { return nil }
        return negative ? -magnitude : magnitude
    }
}
