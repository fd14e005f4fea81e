import Foundation

/// (Read-only after load, hence `nonisolated(unsafe)`.)
/// Loads the shared test vectors with Foundation's parser, independent of the code under test.
enum Vectors {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // MycKitTests
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("Vectors")

    static func load(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    nonisolated(unsafe) static let crypto: [String: Any] = try! load("crypto.json")
    nonisolated(unsafe) static let keyfile: [String: Any] = try! load("keyfile.json")

    /// Walks a dotted path through nested dictionaries: `Vectors.string(crypto, "identities.alice.seed_hex")`.
    static func value(_ root: [String: Any], _ path: String) -> Any {
        var node: Any = root
        for part in path.split(separator: ".") {
            guard let dict = node as? [String: Any], let next = dict[String(part)] else {
                fatalError("vector path \(path) not found at \(part)")
            }
            node = next
        }
        return node
    }

    static func string(_ root: [String: Any], _ path: String) -> String {
        value(root, path) as! String
    }

    static func hex(_ root: [String: Any], _ path: String) -> [UInt8] {
        let text = string(root, path)
        var out: [UInt8] = []
        var i = text.startIndex
        while i < text.endIndex {
            let j = text.index(i, offsetBy: 2)
            out.append(UInt8(text[i..<j], radix: 16)!)
            i = j
        }
        return out
    }

    static func b64(_ root: [String: Any], _ path: String) -> [UInt8] {
        [UInt8](Data(base64Encoded: string(root, path))!)
    }
}

/// A temporary directory removed when the value is released.
final class TempDir {
    let path: String
    init() {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("myc-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }
}
