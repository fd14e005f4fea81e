/// A string that is equal to another only when their code units are identical, as
/// JavaScript's `===` (the reference relay) compares them.
///
/// Swift's `String ==` and `String` hashing use Unicode canonical equivalence:
/// `"\u{212A}" == "K"` (Kelvin sign vs Latin K) and `"é" == "e\u{301}"` are `true` in
/// Swift, yet on the wire they are different peers and different rooms. Every name, room
/// and key the relay core compares or keys a dictionary with goes through this type.
///
/// Equality and hashing use the UTF-8 bytes. A Swift `String` is always well-formed (the
/// JSON parser refuses lone surrogates and invalid UTF-8), so equal UTF-8 bytes means
/// equal scalars, which means equal UTF-16 code units: exactly JavaScript's equality.
///
/// Wrapping is free (no copy, no allocation for native strings), and comparing or hashing
/// reads the bytes in place; small strings are read from the stack.
struct ExactString: Hashable, Sendable, CustomStringConvertible {
    /// The wrapped string, unchanged.
    let string: String

    @inline(__always)
    init(_ string: String) {
        var string = string
        // A no-op for native Swift strings; bridged ones become contiguous once, here,
        // so that every later comparison and hash reads the bytes in place.
        string.makeContiguousUTF8()
        self.string = string
    }

    var description: String { string }

    @inline(__always)
    static func == (lhs: ExactString, rhs: ExactString) -> Bool {
        // Byte-equal strings are canonically equal, so `String ==` can only rule a pair out,
        // and it does so fast (a memcmp for ASCII and other NFC-known strings), which keeps
        // the linear member scans of routing cheap. A `true` is then checked on the bytes:
        // `"a\u{301}\u{316}"` and `"a\u{316}\u{301}"` have equal lengths and are canonically
        // equal, yet are different strings on the wire.
        guard lhs.string.utf8.count == rhs.string.utf8.count, lhs.string == rhs.string else { return false }
        return lhs.withUTF8 { a in rhs.withUTF8 { b in a.elementsEqual(b) } }
    }

    @inline(__always)
    func hash(into hasher: inout Hasher) {
        withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        // 0xFF never occurs in UTF-8: it ends the string, so that composite keys such as
        // ("ab", "c") and ("a", "bc") feed the hasher different byte streams.
        hasher.combine(UInt8(0xFF))
    }

    /// Calls `body` with the UTF-8 bytes (no copy for native strings).
    @inline(__always)
    func withUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = string.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(string.utf8).withUnsafeBufferPointer(body)
    }
}

extension String {
    /// Byte-exact equality (JavaScript's `===`), unlike `==`, which treats canonically
    /// equivalent strings as equal. See `ExactString`.
    @inline(__always)
    func isExactly(_ other: String) -> Bool {
        ExactString(self) == ExactString(other)
    }
}

extension Sequence where Element == ExactString {
    /// The wrapped strings.
    var strings: [String] { map(\.string) }
}
