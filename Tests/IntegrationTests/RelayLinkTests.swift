import Foundation
import MycKit
import Testing

/// The peer's WebSocket client against the real relay.
@Suite(.serialized) struct RelayLinkTests {
    final class Recorder: Sendable {
        let events = LockedBox<[RelayLinkEvent]>([])
        func record(_ e: RelayLinkEvent) { events.withValue { $0.append(e) } }
        func texts() -> [JSONObject] {
            events.value.compactMap { if case let .text(b) = $0 { try? JSONParser.parseObject(b) } else { nil } }
        }
        func wait(_ timeout: Duration = .seconds(5), until condition: ([RelayLinkEvent]) -> Bool) async -> Bool {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if condition(events.value) { return true }
                try? await Task.sleep(for: .milliseconds(5))
            }
            return false
        }
    }

    @Test func authenticatesSeesPingsAndReportsTheCloseCode() async throws {
        let relay = try RelayProcess(env: ["RELAY_PING_INTERVAL": "1"])
        let recorder = Recorder()
        let link = try await RelayLink.connect(to: RelayURL(relay.url)) { recorder.record($0) }
        #expect(recorder.events.value.first == .opened(link), "opened comes first, with the handle")
        #expect(await recorder.wait { $0.contains { if case .text = $0 { true } else { false } } })
        let challenge = try ChallengeFrame(object: recorder.texts()[0])
        let identity = SigningKeyPair.generate()
        let eph = BoxKeyPair.generate()
        let auth = try AuthFrame.build(identity: identity, peer: "linktest", rooms: ["default"], ephemeralKey: eph.publicKey,
                                       sessionID: SessionID.generate(), challenge: challenge, token: relay.token,
                                       rotation: nil, relayPins: [relay.fingerprint!])
        link.send(JSONSerializer.bytes(of: .object(auth)))
        #expect(await recorder.wait { _ in recorder.texts().contains { $0["type"]?.stringValue == "auth_ok" } })
        // Relay pings (every second here) are visible as activity and answered with pongs.
        #expect(await recorder.wait(.seconds(4)) { events in events.filter { $0 == .activity }.count >= 2 })
        try await Task.sleep(for: .milliseconds(1500))
        #expect(!recorder.events.value.contains { if case .closed = $0 { true } else { false } }, "pongs keep the relay happy")
        // The relay's close code reaches the engine: a second connection with the same identity evicts this one.
        let other = ProtocolTestClient(url: relay.url, name: "linktest", identity: identity)
        _ = try await other.connectAndAuth(token: nil)
        #expect(await recorder.wait { $0.contains(.closed(code: 4020, reason: "superseded")) })
        await other.close()
        relay.terminate()
    }

    @Test func refusesWhatIsNotARelay() async throws {
        await #expect(throws: RelayLink.Failure.self) {
            _ = try await RelayLink.connect(to: RelayURL("ws://127.0.0.1:9")) { _ in }
        }
        #expect(throws: RelayURL.Invalid.self) { try RelayURL("http://x") }
        #expect(throws: RelayURL.Invalid.self) { try RelayURL("ws://host:99999") }
        #expect(try RelayURL("wss://[::1]:9443/relay").description == "wss://[::1]:9443/relay")
        #expect(try RelayURL.list(" ws://a:1, ,wss://b ").map(\.description) == ["ws://a:1", "wss://b:443"])
    }
}
