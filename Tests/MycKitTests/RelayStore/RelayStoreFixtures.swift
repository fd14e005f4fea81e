import Foundation
import Testing
@testable import MycKit

/// The store implementations every behavioural test runs against.
enum RelayStoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case inMemoryTwin
    case sqliteInMemory
    case sqliteFile

    var testDescription: String { rawValue }

    /// A fresh, empty store; `dir` keeps a file store's directory alive for the test.
    func make() throws -> OpenedRelayStore {
        switch self {
        case .inMemoryTwin:
            return OpenedRelayStore(store: InMemoryRelayStore(), dir: nil)
        case .sqliteInMemory:
            return OpenedRelayStore(store: try SQLiteRelayStore.inMemory(), dir: nil)
        case .sqliteFile:
            let dir = TempDir()
            return OpenedRelayStore(store: try SQLiteRelayStore(path: dir.file("relay.sqlite")), dir: dir)
        }
    }
}

struct OpenedRelayStore {
    let store: any ReferenceImportTarget
    let dir: TempDir?
}

/// A queued frame with readable defaults.
func queuedFrame(
    _ id: Int64, room: String = "r", target: String = "bob", sender: String = "alice",
    data: String? = nil, expiresAtMs: Int64 = 10_000
) -> QueuedFrame {
    let text = data ?? #"{"type":"message","id":\#(id)}"#
    return QueuedFrame(
        id: id, room: room, target: target, sender: sender,
        data: text, size: text.utf8.count, expiresAtMs: expiresAtMs)
}

func binding(_ room: String, _ name: String, _ key: String) -> AllowListSnapshot.Binding {
    .init(room: room, name: name, key: key)
}

func roomKey(_ room: String, _ key: String) -> AllowListSnapshot.RoomKey {
    .init(room: room, key: key)
}

/// Writes `text` to `path` the plain way (test setup, not the code under test).
func writeFile(_ text: String, to path: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

func fileMode(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}
