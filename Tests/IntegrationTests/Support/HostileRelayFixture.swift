import Foundation
import MycKit

/// One real `myc mcp` peer ("alice") connected to a `HostileRelay` that plays `synthetics`.
final class HostileFixture: @unchecked Sendable {
    let relay: HostileRelay
    let peer: MCPPeer

    private init(relay: HostileRelay, peer: MCPPeer) {
        self.relay = relay
        self.peer = peer
    }

    /// Starts the relay and the peer; with `verified`, waits until the peer has completed
    /// STS with every synthetic peer in every room they share (so sessions are live).
    static func start(_ synthetics: [SyntheticPeer], rooms: String = "default", env: [String: String] = [:],
                      presentedKey: SigningKeyPair = .generate(), challengeSigner: SigningKeyPair? = nil,
                      verified: Bool = true) async throws -> HostileFixture {
        let relay = try await HostileRelay(synthetics: synthetics, presentedKey: presentedKey, challengeSigner: challengeSigner)
        let peer = try MCPPeer("alice", relay: relay.url, rooms: rooms, env: env)
        let fixture = HostileFixture(relay: relay, peer: peer)
        if verified {
            let joined = rooms.split(separator: ",").map(String.init)
            for synthetic in synthetics {
                for room in synthetic.rooms where joined.contains(room) {
                    try await fixture.waitForStsComplete(synthetic, room: room)
                }
            }
        }
        return fixture
    }

    func stop() async {
        peer.stop()
        await relay.stop()
    }

    /// The peer's `_sts_complete` to `synthetic` in `room`: the binding verified on its side.
    func waitForStsComplete(_ synthetic: SyntheticPeer, room: String, timeout: TimeInterval = 15) async throws {
        try await wait("STS complete with \(synthetic.name)@\(room)", timeout: timeout) {
            relay.sent(type: "_sts_complete", to: synthetic.name).contains { $0["room"]?.stringValue == room }
        }
    }

    /// STS completed with `synthetic` in `room` on the peer's latest connection.
    func waitForStsOnLatestConnection(_ synthetic: SyntheticPeer, room: String = "default", timeout: TimeInterval = 15) async throws {
        try await wait("STS complete with \(synthetic.name)@\(room) on the latest connection", timeout: timeout) {
            guard let latest = relay.lastAuth?.connection else { return false }
            return relay.received.contains {
                $0.connection == latest && $0.frame["type"]?.stringValue == "_sts_complete"
                    && $0.frame["target"]?.stringValue == synthetic.name && $0.frame["room"]?.stringValue == room
            }
        }
    }

    // MARK: What the host saw

    /// Channel notifications' params (`{content, meta}`).
    var channel: [JSONObject] {
        peer.client.notifications.filter { $0["method"]?.stringValue == MCPChannelNotification.channelMethod }
            .compactMap { $0["params"]?.objectValue }
    }

    /// Delivered peer messages (meta `e2e`) from `name`, their contents in order.
    func delivered(from name: String) -> [String] {
        channel.filter {
            let meta = $0["meta"]?.objectValue
            return meta?["e2e"] != nil && meta?["from_peer"]?.stringValue.map { $0.utf8.elementsEqual(name.utf8) } == true
        }.compactMap { $0["content"]?.stringValue }
    }

    /// Every delivered peer message's content, whoever it claims to be from.
    var allDelivered: [String] {
        channel.filter { $0["meta"]?.objectValue?["e2e"] != nil }.compactMap { $0["content"]?.stringValue }
    }

    /// Event notifications of `type` (meta.type), with or without `from_peer`.
    func events(_ type: String) -> [JSONObject] {
        channel.filter {
            let meta = $0["meta"]?.objectValue
            return meta?["e2e"] == nil && meta?["type"]?.stringValue == type
        }
    }

    /// `notifications/claude/channel/permission` params seen by the host.
    var permissionVerdicts: [JSONObject] {
        peer.client.notifications.filter { $0["method"]?.stringValue == MCPChannelNotification.permissionMethod }
            .compactMap { $0["params"]?.objectValue }
    }

    var isAlive: Bool { peer.client.process.isRunning }

    // MARK: Waiting

    func wait(_ what: String, timeout: TimeInterval = 10, _ condition: () -> Bool) async throws {
        do {
            try await relay.waitUntil(what, timeout: timeout, condition)
        } catch {
            throw MCPTestClientError(description: "\(error)\npeer stderr:\n\(peer.client.stderr.suffix(4000))")
        }
    }

    func waitForDelivery(from name: String, _ content: String, timeout: TimeInterval = 10) async throws {
        try await wait("delivery of \(content.debugDescription) from \(name)", timeout: timeout) {
            delivered(from: name).contains(content)
        }
    }

    func waitForStderr(_ text: String, timeout: TimeInterval = 10) async throws {
        try await wait("stderr line containing \(text.debugDescription)", timeout: timeout) { peer.client.stderr.contains(text) }
    }

    func waitForAck(_ msgID: String, to synthetic: SyntheticPeer, count: Int = 1, timeout: TimeInterval = 10) async throws {
        try await wait("\(count) ack(s) of \(msgID)", timeout: timeout) {
            relay.acks(to: synthetic).filter { $0 == msgID }.count >= count
        }
    }

    /// Sends an honest message from `synthetic` and waits for its delivery. The peer handles
    /// one link's frames in order, so everything sent before it has been processed when it
    /// is delivered: negative checks made after a barrier are not timing guesses.
    func barrier(_ synthetic: SyntheticPeer, room: String? = nil) async throws {
        let text = "barrier " + HostileRelay.newMsgID()
        try relay.send(relay.frame(from: synthetic, text: text, room: room))
        try await waitForDelivery(from: synthetic.name, text)
    }

    /// The real peer sends `text` to `target` with `myc_send`; returns the msg_id it used,
    /// read from the first session frame the relay captured for it.
    func sendFromPeer(_ text: String, to target: SyntheticPeer, room: String? = nil) async throws -> String {
        let before = relay.sent(type: "info", to: target.name).count
        var args: JSONObject = ["target": .string(target.name), "text": .string(text)]
        if let room { args["room"] = .string(room) }
        let result = try peer.call("myc_send", args)
        var msgID: String?
        try await wait("the peer's frame for \(text.debugDescription) (myc_send said: \(result))") {
            let frames = relay.sent(type: "info", to: target.name).dropFirst(before)
            msgID = frames.first { relay.open($0, as: target) == text }?["msg_id"]?.stringValue
            return msgID != nil
        }
        return msgID!
    }

    /// Transmissions of `msgID` the peer made so far (session frames and envelopes).
    func transmissions(of msgID: String) -> [JSONObject] {
        relay.received.map(\.frame).filter { $0["msg_id"]?.stringValue == msgID }
    }
}
