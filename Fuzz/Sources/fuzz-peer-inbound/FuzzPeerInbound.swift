import FuzzSupport
import MycKit

/// The peer engine's inbound path after a real handshake: bob (live sessions with alice and
/// carol, STS done, pins, replay windows and dedup state populated) is fed, per input, a
/// sequence of: raw link text; real frames from the exchange with fields edited, optionally
/// re-signed by alice (so the edits reach the gates behind the signature check); messages
/// alice really sends with fuzzed text and type (real encryption, through the relay core);
/// relay frames of every type with fuzzed payloads; link loss; clock jumps. Property: no
/// crash, trap, hang or sanitizer report, and bob never shows a message from a peer that
/// did not sign it.
nonisolated(unsafe) let base: (net: InProcessNet, alice: Int, bob: Int, carol: Int, frames: [[UInt8]]) = {
    let established = InProcessNet.established(capture: true)
    let frames = established.net.captured.filter { $0.node == established.bob }.map(\.bytes)
    var net = established.net
    net.capture = false
    net.captured = []
    net.sentToRelay = []
    return (net, established.alice, established.bob, established.carol, frames)
}()

nonisolated(unsafe) let relayTypes = ["auth_ok", "auth_error", "challenge", "peer_joined", "peer_left", "error", "queued", "evicted",
                  "rooms", "relay_shutdown", "info", "_ack", "_nack", "_sts_init", "_sts_reply", "_key_rotate",
                  "_perm_request", "_perm_verdict", "task_result"]

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    writeSeeds("peer-frame", base.frames.map { [0] + lengthPrefixed($0) })
    writeSeeds("peer-mut", base.frames.indices.map { [1, UInt8($0 % 256), 1, 0, 3, 0, 1, 0x31] })
    writeSeeds("peer-send", [[2, 0] + lengthPrefixed(Array("hello".utf8)) + lengthPrefixed(Array("info".utf8))])
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPeerInbound(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var reader = ByteReader(data, size)
    var net = base.net
    let bob = base.bob
    var ops = 0
    while !reader.isAtEnd, ops < 16 {
        ops += 1
        switch reader.byte() % 8 {
        case 0:
            net.send(bob, .linkText(reader.chunk()))
        case 1:
            guard !base.frames.isEmpty,
                  var frame = try? JSONParser.parseObject(base.frames[Int(reader.byte()) % base.frames.count]) else { continue }
            FrameMutation.mutate(&frame, &reader)
            if reader.byte() & 1 == 1 { frame = FrameMutation.resign(frame, as: FuzzKeys.alice) }
            net.send(bob, .linkText(RelayFrames.bytes(frame)))
        case 2:
            let sender = reader.byte() & 1 == 0 ? base.alice : base.carol
            let text = String(decoding: reader.chunk(), as: UTF8.self)
            let type = String(decoding: reader.chunk(), as: UTF8.self)
            net.command(sender, .send(SendRequest(target: "bob", text: text, type: type.isEmpty ? nil : .string(type),
                                                  requestID: reader.byte() & 1 == 0 ? nil : "req-1")))
        case 3:
            var frame: JSONObject = ["type": .string(relayTypes[Int(reader.byte()) % relayTypes.count])]
            if let payload = try? JSONParser.parse(reader.chunk()) { frame["payload"] = payload }
            FrameMutation.mutate(&frame, &reader)
            net.send(bob, .linkText(RelayFrames.bytes(frame)))
        case 4:
            // Up to ~65 s simulated step by step (heartbeats, retransmission); or a leap of
            // up to ~22 days (expiry of envelopes, chunks, replay windows).
            let amount = reader.u16()
            if amount & 0x8000 == 0 { net.advance(by: Int64(amount) * 2) } else { net.leap(by: Int64(amount & 0x7FFF) * 60_000) }
        case 5:
            net.send(bob, .linkClosed(code: UInt16(reader.u16()), reason: "fuzz"))
            net.advance(by: 3_000)
        case 6:
            net.send(bob, .linkActivity)
            net.send(bob, .timerFired([.heartbeat, .replaySweep, .outboxFlush, .reconnect][Int(reader.byte() % 4)]))
        default:
            // Alice's inbound path too (she holds the other end of every session).
            net.send(base.alice, .linkText(reader.chunk()))
        }
    }
    net.advance(by: 500)
    for notification in net.nodes[bob].notifications {
        guard let from = notification.meta["from_peer"]?.stringValue, notification.meta["e2e"] != nil else { continue }
        fuzzCheck(["alice", "carol"].contains(from), "bob shows an encrypted message from \(from), who holds no key")
    }
    return 0
}
