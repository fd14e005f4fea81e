import Foundation
@testable import MycKit

/// crypto.json parsed with key order preserved, for comparing whole built frames with the
/// vectors' `frame_as_sent` byte for byte. Foundation's parser (`Vectors`) loses order, so
/// values are also cross-checked through `Vectors` in the tests; `JSONParser` itself is
/// covered by its own suite and the canonical vectors.
enum WireOrderedVectors {
    static let crypto: JSONObject = try! JSONParser.parseObject(Array(WireVectorFile.data("crypto.json")))

    static func object(_ path: String) -> JSONObject {
        var node = JSONValue.object(crypto)
        for part in path.split(separator: ".") {
            guard let next = node.objectValue?[String(part)] else { fatalError("no \(path) in crypto.json") }
            node = next
        }
        return node.objectValue!
    }

    static func text(_ object: JSONObject) -> String {
        JSONSerializer.string(of: .object(object))
    }
}

/// Fixed-seed keys of crypto.json.
enum WireKeys {
    static func identity(_ name: String) -> SigningKeyPair {
        try! SigningKeyPair(seed: Vectors.hex(Vectors.crypto, "identities.\(name).seed_hex"))
    }

    static func ephemeral(_ name: String) -> BoxKeyPair {
        try! BoxKeyPair(secretKey: Vectors.hex(Vectors.crypto, "ephemeral.\(name).secret_hex"))
    }

    /// The alice↔bob session key as `name` computes it.
    static func shared(as name: String) -> SharedKey {
        let other = name == "alice" ? "bob" : "alice"
        return try! ephemeral(name).sharedKey(with: ephemeral(other).publicKey)
    }

    static func int64(_ path: String) -> Int64 {
        (Vectors.value(Vectors.crypto, path) as! NSNumber).int64Value
    }
}
