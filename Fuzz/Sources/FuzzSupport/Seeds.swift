#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `LLVMFuzzerInitialize` helper: when `MYC_FUZZ_SEED_DIR` is set, writes `seeds` there
/// (one file each), so the run starts from real frames captured in a real exchange.
public func writeSeeds(_ prefix: String, _ seeds: [[UInt8]]) {
    guard let raw = getenv("MYC_FUZZ_SEED_DIR") else { return }
    let dir = String(cString: raw)
    for (n, seed) in seeds.enumerated() {
        let path = "\(dir)/\(prefix)-\(n)"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { continue }
        _ = seed.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }
}

/// Encodes one op for the structured targets: opcode, u16 length, bytes.
public func op(_ code: UInt8, _ bytes: [UInt8]) -> [UInt8] {
    let n = min(bytes.count, 0xFFFF)
    return [code, UInt8(n >> 8), UInt8(n & 0xFF)] + bytes.prefix(n)
}

/// u16 length prefix, as `ByteReader.chunk()` reads it.
public func lengthPrefixed(_ bytes: [UInt8]) -> [UInt8] {
    let n = min(bytes.count, 0xFFFF)
    return [UInt8(n >> 8), UInt8(n & 0xFF)] + bytes.prefix(n)
}
