/// Consumes a fuzz input as a stream of small decisions (structure-aware fuzzing: the same
/// bytes always mean the same operations, so a crashing input replays exactly).
public struct ByteReader {
    public let bytes: [UInt8]
    public private(set) var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        self.bytes = size > 0 ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    }

    public var isAtEnd: Bool { offset >= bytes.count }
    public var remaining: Int { bytes.count - offset }

    public mutating func byte() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func u16() -> Int { Int(byte()) << 8 | Int(byte()) }

    /// A length-prefixed chunk (u16 length, clamped to what is left).
    public mutating func chunk() -> [UInt8] {
        let length = min(u16(), remaining)
        defer { offset += length }
        return Array(bytes[offset..<offset + length])
    }

    /// Everything left.
    public mutating func rest() -> [UInt8] {
        defer { offset = bytes.count }
        return Array(bytes[min(offset, bytes.count)...])
    }
}

/// The fuzz targets report a violated property with this (libFuzzer sees the trap as a
/// crash and keeps the input).
public func fuzzCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                      file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError("property violated: \(message())", file: file, line: line) }
}
