import Testing
@testable import MycKit

/// `myc trust`'s decisions, without a process or a terminal.
@Suite struct PeerStoreTrustDecisionTests {
    let bobKey = SigningKeyPair.generate().publicKey
    let otherKey = SigningKeyPair.generate().publicKey

    func blocked(_ room: String, _ name: String = "bob", key: SigningPublicKey? = nil) -> BlockedKey {
        blockedKey(room, name, (key ?? bobKey).base64)
    }

    func decide(_ blocked: [BlockedKey], peer: String = "bob", room: String? = nil, fingerprint: String? = nil,
                interactive: Bool = false, yes: Bool = false) -> TrustDecision {
        TrustDecision.decide(peer: peer, room: room, blocked: blocked, fingerprint: fingerprint, interactive: interactive, assumeYes: yes)
    }

    @Test func nothingBlockedUnderTheName() {
        #expect(decide([]) == .nothingPending(peer: "bob", room: nil))
        #expect(decide([blocked("r", "amy")]) == .nothingPending(peer: "bob", room: nil))
        #expect(decide([blocked("r")], room: "other") == .nothingPending(peer: "bob", room: "other"))
    }

    @Test func namesAndRoomsMatchByteWise() {
        #expect(decide([blocked("r", "K")], peer: kelvin) == .nothingPending(peer: kelvin, room: nil))
        #expect(decide([blocked("K")], room: kelvin) == .nothingPending(peer: "bob", room: kelvin))
        let fp = bobKey.fingerprint.text
        #expect(decide([blocked("r", "K"), blocked("r", kelvin)], peer: kelvin, fingerprint: fp)
                == .trust(blocked("r", kelvin), fingerprint: fp))
    }

    @Test func severalRoomsNeedARoom() {
        let both = [blocked("ops"), blocked("r", "amy"), blocked("dev")]
        #expect(decide(both, fingerprint: bobKey.fingerprint.text) == .ambiguous(peer: "bob", rooms: ["ops", "dev"]))
        #expect(decide(both, room: "dev", fingerprint: bobKey.fingerprint.text) == .trust(blocked("dev"), fingerprint: bobKey.fingerprint.text))
    }

    @Test func aMatchingFingerprintTrustsWithoutATerminal() {
        let fp = bobKey.fingerprint.text
        #expect(decide([blocked("r")], fingerprint: fp) == .trust(blocked("r"), fingerprint: fp))
        // Compared trimmed and lowercased, like configured relay fingerprints.
        #expect(decide([blocked("r")], fingerprint: "  \(fp.uppercased())\n", interactive: true) == .trust(blocked("r"), fingerprint: fp))
    }

    @Test func aWrongFingerprintIsRefusedEvenOnATerminalWithYes() {
        let wrong = otherKey.fingerprint.text
        #expect(decide([blocked("r")], fingerprint: wrong, interactive: true, yes: true)
                == .fingerprintMismatch(blocked("r"), fingerprint: bobKey.fingerprint.text, given: wrong))
        let truncated = String(bobKey.fingerprint.text.dropLast())
        #expect(decide([blocked("r")], fingerprint: truncated)
                == .fingerprintMismatch(blocked("r"), fingerprint: bobKey.fingerprint.text, given: truncated))
        #expect(decide([blocked("r")], fingerprint: "")
                == .fingerprintMismatch(blocked("r"), fingerprint: bobKey.fingerprint.text, given: ""))
    }

    @Test func withoutATerminalAFingerprintIsRequiredEvenWithYes() {
        let fp = bobKey.fingerprint.text
        #expect(decide([blocked("r")]) == .needsFingerprint(blocked("r"), fingerprint: fp))
        #expect(decide([blocked("r")], yes: true) == .needsFingerprint(blocked("r"), fingerprint: fp))
    }

    @Test func onATerminalItAsksUnlessYes() {
        let fp = bobKey.fingerprint.text
        #expect(decide([blocked("r")], interactive: true) == .confirm(blocked("r"), fingerprint: fp))
        #expect(decide([blocked("r")], interactive: true, yes: true) == .trust(blocked("r"), fingerprint: fp))
    }

    @Test func aKeyThatIsNotEd25519CannotBeTrusted() {
        let bad = blockedKey("r", "bob", "not base64!")
        #expect(decide([bad], fingerprint: "anything", interactive: true, yes: true) == .invalidKey(bad))
        let short = blockedKey("r", "bob", "AAAA")
        #expect(decide([short], interactive: true) == .invalidKey(short))
    }

    @Test func onlyYesConfirms() {
        #expect(TrustDecision.isConfirmation("yes"))
        #expect(TrustDecision.isConfirmation(" YES \n"))
        #expect(!TrustDecision.isConfirmation("y"))
        #expect(!TrustDecision.isConfirmation(""))
        #expect(!TrustDecision.isConfirmation("yes please"))
    }

    @Test func trustingPinsTheKeyAndClearsBothMarks() {
        let key = blocked("r")
        #expect(TrustDecision.changes(trusting: key, nowMs: 1234) == [
            .setPin(Pin(peer: roomPeer("r", "bob"), key: bobKey.base64, firstSeenMs: 1234, lastSeenMs: 1234)),
            .clearBlocked(roomPeer("r", "bob")),
            .clearStsFailed(roomPeer("r", "bob")),
        ])
    }

    @Test func trustingThroughAStoreReplacesTheOldPin() throws {
        let store = InMemoryPeerStore()
        store.apply([.setPin(pin("r", "bob", otherKey.base64)), .setBlocked(blocked("r")), .addStsFailed(roomPeer("r", "bob")),
                     .setBlocked(blocked("r", "amy"))])
        let decision = decide(store.loadSnapshot(nowMs: 0).blocked, fingerprint: bobKey.fingerprint.text)
        guard case let .trust(key, _) = decision else {
            Issue.record("expected .trust, got \(decision)")
            return
        }
        store.apply(TrustDecision.changes(trusting: key, nowMs: 99))
        #expect(store.loadSnapshot(nowMs: 0) == PeerStateSnapshot(
            pins: [pin("r", "bob", bobKey.base64, first: 99, last: 99)], blocked: [blocked("r", "amy")]))
    }
}
