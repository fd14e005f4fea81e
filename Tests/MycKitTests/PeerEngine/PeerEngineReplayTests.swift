import Foundation
import Testing
@testable import MycKit

@Suite("PeerEngine replay protection")
struct PeerEngineReplayTests {
    struct Step {
        var msgID: String
        var seq: Int64?
        var sessionID: String?
        var decryptOK: Bool
        var expected: String
        var last: Int64?
        var maskHex: String?
    }

    static let scenarios: [(name: String, initial: ReplayWindowRecord?, steps: [Step])] = {
        let root = try! Vectors.load("replay_window.json")
        let defaultSession = "f7bdd89ad7c81dc748bb1a0c90193a10"
        let peer = RoomPeer(room: "default", name: "alice")
        return (root["scenarios"] as! [[String: Any]]).map { scenario in
            var initial: ReplayWindowRecord?
            if let state = scenario["initial_state"] as? [String: Any] {
                initial = ReplayWindowRecord(peer: peer, sessionID: state["sid"] as! String, last: (state["last"] as! NSNumber).int64Value,
                                             mask: UInt64(state["mask"] as! String, radix: 16)!)
            }
            let steps = (scenario["steps"] as! [[String: Any]]).map { step -> Step in
                let after = step["state_after"] as? [String: Any]
                let hasSession = step.keys.contains("session_id")
                return Step(msgID: step["msg_id"] as! String, seq: (step["seq"] as? NSNumber)?.int64Value,
                            sessionID: hasSession ? step["session_id"] as? String : defaultSession,
                            decryptOK: step["decrypt_ok"] as? Bool ?? true, expected: step["expected"] as! String,
                            last: (after?["last"] as? NSNumber)?.int64Value, maskHex: after?["mask_hex"] as? String)
            }
            return (scenario["name"] as! String, initial, steps)
        }
    }()

    @Test(arguments: 0..<6)
    func replayWindowVectors(index: Int) throws {
        let scenario = Self.scenarios[index]
        let peer = RoomPeer(room: "default", name: "alice")
        var guardState = ReplayGuard(windows: scenario.initial.map { [$0] } ?? [])
        for (i, step) in scenario.steps.enumerated() {
            let seq = step.sessionID == nil ? nil : step.seq
            let verdict = guardState.check(peer: peer, msgID: step.msgID, seq: seq, sessionID: step.sessionID)
            let accepted = verdict == .fresh
            #expect(accepted == (step.expected != "reject"), "\(scenario.name) step \(i)")
            if accepted && step.decryptOK {
                _ = guardState.commit(peer: peer, msgID: step.msgID, seq: seq, sessionID: step.sessionID, nowMs: 0)
            }
            if let last = step.last, let mask = step.maskHex, let sessionID = step.sessionID {
                let window = guardState.window(peer: peer, sessionID: sessionID)
                #expect(window?.last == last, "\(scenario.name) step \(i)")
                #expect(window.map { String($0.mask, radix: 16) } == mask, "\(scenario.name) step \(i)")
            }
        }
    }

    @Test func dedupIsScopedToRoomAndSender() {
        var state = ReplayGuard()
        let a = RoomPeer(room: "default", name: "alice")
        _ = state.commit(peer: a, msgID: "m-1", seq: nil, sessionID: nil, nowMs: 0)
        #expect(state.check(peer: a, msgID: "m-1", seq: nil, sessionID: nil) == .duplicateID)
        #expect(state.check(peer: RoomPeer(room: "ops", name: "alice"), msgID: "m-1", seq: nil, sessionID: nil) == .fresh)
        #expect(state.check(peer: RoomPeer(room: "default", name: "carol"), msgID: "m-1", seq: nil, sessionID: nil) == .fresh)
        // Byte-wise ids: KELVIN SIGN is not K.
        _ = state.commit(peer: a, msgID: "K", seq: nil, sessionID: nil, nowMs: 0)
        #expect(state.check(peer: a, msgID: "\u{212A}", seq: nil, sessionID: nil) == .fresh)
    }

    @Test func pruneDropsExpiredThenOldest() {
        var state = ReplayGuard()
        let a = RoomPeer(room: "default", name: "alice")
        for i in 0..<10 { _ = state.commit(peer: a, msgID: "m\(i)", seq: nil, sessionID: nil, nowMs: Int64(i)) }
        #expect(state.prune(nowMs: 100, expiryMs: 97, cap: 5) == .pruneSeen(atOrBeforeMs: 3, keepAtMost: 5))
        #expect(state.seen.count == 5)
        #expect(state.check(peer: a, msgID: "m4", seq: nil, sessionID: nil) == .fresh)
        #expect(state.check(peer: a, msgID: "m5", seq: nil, sessionID: nil) == .duplicateID)
        #expect(state.prune(nowMs: 100, expiryMs: 97, cap: 5) == nil)
    }

    @Test func duplicateIsReackedNotRedelivered() throws {
        let (net, alice, bob) = EngineNet.pair()
        _ = net.sendText(alice, to: "bob", "once")
        net.settle()
        let frame = try #require(net.routed(type: "info", from: "alice").first)
        let id = try #require(frame["msg_id"]?.stringValue)
        let acks = bob.sentFrames(type: "_ack").count
        net.inject(bob, frame)
        #expect(bob.texts == ["once"])
        #expect(bob.sentFrames(type: "_ack").count == acks + 1)
        #expect(bob.lines.contains("Replay dedup: re-acked \(id) from alice"))
        // Committed and persisted on first acceptance.
        let peer = RoomPeer(room: "default", name: "alice")
        #expect(bob.persisted.contains { if case let .addSeen(e) = $0 { return e.peer == peer && e.msgID == id } else { return false } })
        #expect(bob.persisted.contains { if case let .setWindow(w) = $0 { return w.peer == peer } else { return false } })
        // The same seq under a new msg_id is a replay too.
        var reseq = frame
        reseq["msg_id"] = "alice-other-1"
        net.inject(bob, Forge(identity: PE.alice).resign(reseq))
        #expect(bob.texts == ["once"])
    }

    @Test func commitOnlyAfterDecrypt() throws {
        let (net, _, bob) = EngineNet.vectorPair()
        let wrongKey = try SharedKey(bytes: [UInt8](repeating: 1, count: 32))
        net.inject(bob, Forge(key: wrongKey).frame(msgID: "r-1", text: "garbage", seq: 500))
        #expect(bob.lines.contains("decrypt failed from alice (stale session ciphertext?) — nacking r-1"))
        let nack = try #require(bob.sentFrames(type: "_nack").last)
        #expect(try RoutedFrame.openSession(frame: nack, key: VectorKeys.sharedKey) == "nack:r-1")
        #expect(!bob.persisted.contains { if case let .addSeen(e) = $0 { return e.msgID == "r-1" } else { return false } })
        // The retransmission (same msg_id, same seq) is accepted.
        net.inject(bob, Forge().frame(msgID: "r-1", text: "real", seq: 500))
        #expect(bob.texts == ["real"])
    }

    @Test func controlFramesAreDeduplicated() throws {
        let (net, _, bob) = EngineNet.vectorPair()
        let stsInit = try #require(net.routed(type: "_sts_init").first)
        let replies = bob.sentFrames(type: "_sts_reply").count
        net.inject(bob, stsInit)
        #expect(bob.sentFrames(type: "_sts_reply").count == replies)
        #expect(!bob.sent.contains { $0["type"] == "_ack" && $0["msg_id"] == stsInit["msg_id"] })
    }
}
