import FuzzSupport
import MycKit

/// `RelayCore` fed arbitrary event sequences on top of a real state (three peers that
/// authenticated with real auth frames, exchanged session keys and messages): raw and
/// mutated frames on any connection, new connections with valid or mangled auth, closes,
/// pongs, send failures, dropped forwards, clock jumps, allow-list reloads, revocations and
/// shutdown. Properties: no crash/trap/hang; every frame the relay sends is one JSON object;
/// it only ever addresses connections that are open.
struct RelayFuzzState {
    var core: RelayCore
    var open: Set<ConnectionID>
    var nonces: [ConnectionID: [UInt8]] = [:]
    var now: Int64
    var next: UInt64
}

nonisolated(unsafe) let base: (state: RelayFuzzState, frames: [[UInt8]]) = {
    let net = InProcessNet.established(capture: true).net
    var open = Set<ConnectionID>()
    for node in net.nodes { if let c = node.connection { open.insert(c) } }
    // What the engines sent the relay (auth, routed frames, list_rooms) and what it sent them.
    let frames = net.sentToRelay.map(\.bytes) + net.captured.map(\.bytes)
    return (RelayFuzzState(core: net.relay, open: open, now: net.now, next: net.nextConnection), frames)
}()

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    // Seeds: each captured frame sent on connection 1 as raw text, and as a mutated copy.
    writeSeeds("relay-frame", base.frames.map { [1, 0] + lengthPrefixed($0) })
    writeSeeds("relay-mut", base.frames.indices.map { [2, 0, UInt8($0 % 256), 1, 0, 3] })
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRelayCore(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var reader = ByteReader(data, size)
    var s = base.state
    var ops = 0
    while !reader.isAtEnd, ops < 24 {
        ops += 1
        let code = reader.byte()
        let connection = ConnectionID(UInt64(reader.byte() % 8) + 1)
        var actions: [RelayAction] = []
        switch code % 12 {
        case 0:
            let id = ConnectionID(s.next)
            s.next += 1
            s.open.insert(id)
            actions = s.core.handle(.opened(id, clientIP: "10.9.0.\(reader.byte() % 4)"), nowMs: s.now)
            for case let .send(to, bytes) in actions where to == id {
                if let object = try? JSONParser.parseObject(bytes), let challenge = try? ChallengeFrame(object: object) {
                    s.nonces[id] = challenge.nonce
                }
            }
        case 1:
            actions = s.core.handle(.text(connection, reader.chunk()), nowMs: s.now)
        case 2:
            guard !base.frames.isEmpty, var frame = try? JSONParser.parseObject(base.frames[Int(reader.byte()) % base.frames.count])
            else { continue }
            FrameMutation.mutate(&frame, &reader)
            actions = s.core.handle(.text(connection, RelayFrames.bytes(frame)), nowMs: s.now)
        case 3:
            s.open.remove(connection)
            actions = s.core.handle(.closed(connection), nowMs: s.now)
        case 4:
            s.now += Int64(reader.u16()) * 50
            actions = s.core.handle(.tick, nowMs: s.now)
        case 5:
            actions = s.core.handle(.pong(connection), nowMs: s.now)
        case 6:
            actions = s.core.handle(reader.byte() & 1 == 0 ? .binary(connection) : .sendFailed(connection), nowMs: s.now)
        case 7:
            let target = ConnectionID(UInt64(reader.byte() % 8) + 1)
            let delivery = RelayAction.Delivery(target: target, bytes: reader.chunk(), sender: connection,
                                                targetName: String(decoding: reader.chunk(), as: UTF8.self),
                                                msgID: reader.byte() & 1 == 0 ? .null : .string("m-\(reader.byte())"))
            actions = s.core.handle(.forwardDropped(delivery), nowMs: s.now)
        case 8:
            // A valid auth (real challenge signature, sealed token) for a fuzzed name and rooms.
            let nonce = s.nonces[connection] ?? []
            let identity = [FuzzKeys.alice, FuzzKeys.bob, FuzzKeys.carol, FuzzKeys.relay][Int(reader.byte() % 4)]
            let name = String(decoding: reader.chunk(), as: UTF8.self)
            let rooms = AuthFrame.normalizeRooms(String(decoding: reader.chunk(), as: UTF8.self))
            let challenge = ChallengeFrame.signed(by: FuzzKeys.relay, nonce: nonce, timestampMs: s.now)
            let eph = try! BoxKeyPair(secretKey: [UInt8](repeating: 0x5A, count: 32))
            guard var frame = try? AuthFrame.build(identity: identity, peer: name, rooms: rooms, ephemeralKey: eph.publicKey,
                                                   sessionID: "00112233445566778899aabbccddeeff", challenge: challenge,
                                                   token: reader.byte() & 1 == 0 ? FuzzKeys.token : nil, rotation: nil,
                                                   relayPins: [])
            else { continue }
            if reader.byte() & 3 == 0 { FrameMutation.mutate(&frame, &reader) }
            actions = s.core.handle(.text(connection, RelayFrames.bytes(frame)), nowMs: s.now)
        case 9:
            actions = s.core.handle(.allowListChanged(AllowListSnapshot()), nowMs: s.now)
        case 10:
            let room = String(decoding: reader.chunk(), as: UTF8.self)
            let name = String(decoding: reader.chunk(), as: UTF8.self)
            let pubkey = reader.byte() & 1 == 0 ? nil : FuzzKeys.bob.publicKey.base64
            actions = s.core.revoke(room: room.isEmpty ? "default" : room, name: name.isEmpty ? nil : name, pubkey: pubkey,
                                    undo: reader.byte() & 3 == 0, nowMs: s.now).actions
        default:
            if reader.byte() == 0xFF { actions = s.core.handle(.shutdown, nowMs: s.now) }
        }
        check(actions, &s)
    }
    return 0
}

func check(_ actions: [RelayAction], _ s: inout RelayFuzzState) {
    for action in actions {
        switch action {
        case let .send(id, bytes):
            fuzzCheck(s.open.contains(id), "send to \(id), which is not open")
            fuzzCheck((try? JSONParser.parseObject(bytes)) != nil, "relay sent a frame that is not a JSON object: \(String(decoding: bytes.prefix(200), as: UTF8.self))")
        case .forward(let delivery):
            fuzzCheck(s.open.contains(delivery.target), "forward to \(delivery.target), which is not open")
            fuzzCheck((try? JSONParser.parseObject(delivery.bytes)) != nil, "forwarded frame is not a JSON object")
        case let .close(id, _, _), let .ping(id):
            fuzzCheck(s.open.contains(id), "close/ping of \(id), which is not open")
        case .persist, .log: break
        }
    }
}
