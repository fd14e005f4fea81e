import Foundation
import Testing
@testable import MycKit

/// The peer store implementations every behavioural test runs against.
enum PeerStoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case inMemoryTwin
    case sqliteInMemory
    case sqliteFile

    var testDescription: String { rawValue }

    /// A fresh, empty store; `dir` keeps a file store's directory alive for the test.
    func make() throws -> OpenedPeerStore {
        switch self {
        case .inMemoryTwin:
            return OpenedPeerStore(store: InMemoryPeerStore(), dir: nil)
        case .sqliteInMemory:
            return OpenedPeerStore(store: try SQLitePeerStore.inMemory(), dir: nil)
        case .sqliteFile:
            let dir = TempDir()
            return OpenedPeerStore(store: try SQLitePeerStore(path: dir.file("peer.state.db")), dir: dir)
        }
    }
}

struct OpenedPeerStore {
    let store: any PeerReferenceImportTarget
    let dir: TempDir?
}

func roomPeer(_ room: String, _ name: String) -> RoomPeer { RoomPeer(room: room, name: name) }

func pin(_ room: String, _ name: String, _ key: String, first: Int64 = 100, last: Int64 = 200) -> Pin {
    Pin(peer: roomPeer(room, name), key: key, firstSeenMs: first, lastSeenMs: last)
}

func keyInfo(_ sign: String, session: String = "sid") -> KeyInfo {
    KeyInfo(signPublicKey: sign, ephemeralPublicKey: "eph-" + sign, ephemeralPublicKeySignature: "sig-" + sign, sessionID: session)
}

func blockedKey(
    _ room: String, _ name: String, _ sign: String, reason: BlockedKey.Reason = .keyChanged, at: Int64 = 500
) -> BlockedKey {
    BlockedKey(peer: roomPeer(room, name), keyInfo: keyInfo(sign), reason: reason, blockedAtMs: at)
}

func seen(_ room: String, _ from: String, _ msgID: String, at: Int64) -> SeenEntry {
    SeenEntry(peer: roomPeer(room, from), msgID: msgID, atMs: at)
}

func window(_ room: String, _ from: String, _ session: String, last: Int64, mask: UInt64) -> ReplayWindowRecord {
    ReplayWindowRecord(peer: roomPeer(room, from), sessionID: session, last: last, mask: mask)
}

func message(_ ts: Int64, _ content: String, from: String = "bob") -> PeerNotification {
    PeerNotification(
        ts: ts, kind: .message, content: content,
        meta: ["from_peer": .string(from), "room": "default", "type": "chat", "msg_id": .string("m\(ts)")])
}

func event(_ ts: Int64, _ content: String) -> PeerNotification {
    PeerNotification(ts: ts, kind: .event, content: content, meta: ["event": "peer_joined", "peer": "carol"])
}

/// "K" as the Kelvin sign (U+212A): canonically equivalent to "K" in Swift, another name on the wire.
let kelvin = "\u{212A}"
