import Foundation
import MycKit
import Testing

/// Regression: every fresh connection must see the relay's challenge at once (a frame
/// written during the upgrade must never be lost, on either side).
@Suite struct RelayLinkStressTests {
    @Test func everyConnectionGetsItsChallenge() async throws {
        let relay = try RelayProcess()
        var missing = 0
        for _ in 0..<40 {
            let texts = LockedBox<Int>(0)
            let link = try await RelayLink.connect(to: RelayURL(relay.url)) { event in
                if case .text = event { texts.withValue { $0 += 1 } }
            }
            let deadline = ContinuousClock.now + .seconds(2)
            while texts.value == 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(2)) }
            if texts.value == 0 { missing += 1 }
            link.close(code: 1000, reason: "done")
        }
        #expect(missing == 0, "\(missing) of 40 connections never saw a challenge")
        relay.terminate()
    }
}
