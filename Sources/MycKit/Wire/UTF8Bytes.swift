/// Byte-level UTF-8 helpers for the JSON parser, which works on raw input bytes and so
/// cannot lean on `String` to validate or encode for it.
enum UTF8Bytes {
    /// The length of the well-formed multi-byte sequence starting at `position` (whose
    /// lead byte is ≥ 0x80), or `nil` if it is ill-formed per Unicode Table 3-7:
    /// overlong forms, encoded surrogates (CESU-8), values above U+10FFFF, stray
    /// continuation bytes and sequences cut off by the end of the buffer are all refused.
    static func validSequenceLength(in bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> Int? {
        let length: Int
        // Only the second byte has a lead-dependent range; the rest are plain 80...BF.
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch bytes[position] {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: return nil
        }
        guard bytes.count - position >= length, secondRange.contains(bytes[position + 1]) else { return nil }
        for i in 2..<length where bytes[position + i] & 0xC0 != 0x80 { return nil }
        return length
    }

    /// Appends the UTF-8 encoding of a Unicode scalar value (never a surrogate: the
    /// parser pairs or rejects those before calling this).
    static func append(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | scalar >> 6))
            out.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | scalar >> 12))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        default:
            out.append(UInt8(0xF0 | scalar >> 18))
            out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}
