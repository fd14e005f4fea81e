import Testing
@testable import MycKit

/// `myc fingerprint --peer` / `--peers` output, and the ISO-8601 timestamps it (and the TOFU
/// import) uses.
@Suite struct PeerStorePinListingTests {
    let bob = SigningKeyPair.generate().publicKey
    let amy = SigningKeyPair.generate().publicKey

    var snapshot: PeerStateSnapshot {
        PeerStateSnapshot(
            pins: [pin("ops", "bob", bob.base64, first: 0, last: 1_784_370_030_123), pin("ops", "amy", amy.base64),
                   pin("dev", "bob", bob.base64, first: 86_400_000, last: 86_400_001), pin("dev", kelvin, "broken")],
            blocked: [blockedKey("lab", "bob", amy.base64, reason: .keyChanged, at: 0)])
    }

    @Test func onePeerPerRoomWithFirstAndLastSeen() {
        let listing = PinListing(snapshot: snapshot, peer: "bob")
        let fp = bob.fingerprint.text
        #expect(listing.lines == [
            "ROOM\tFINGERPRINT\tFIRST SEEN\tLAST SEEN",
            "ops\t\(fp)\t1970-01-01T00:00:00.000Z\t2026-07-18T10:20:30.123Z",
            "dev\t\(fp)\t1970-01-02T00:00:00.000Z\t1970-01-02T00:00:00.001Z",
            "BLOCKED\tbob@lab\t\(amy.fingerprint.text)\tkey_changed\tsince 1970-01-01T00:00:00.000Z — verify, then `myc trust bob --room lab`",
        ])
        #expect(PinListing(snapshot: snapshot, peer: "K").isEmpty, "the Kelvin sign is another name")
        #expect(PinListing(snapshot: snapshot, peer: kelvin).pins.map(\.fingerprint) == [nil])
    }

    @Test func everyPeer() {
        let lines = PinListing(snapshot: snapshot, peer: nil).lines
        #expect(lines.first == "ROOM\tNAME\tFINGERPRINT\tLAST SEEN")
        #expect(lines[2] == "ops\tamy\t\(amy.fingerprint.text)\t1970-01-01T00:00:00.200Z")
        #expect(lines[4] == "dev\t\(kelvin)\t(invalid key)\t1970-01-01T00:00:00.200Z")
        #expect(lines.count == 6)
        #expect(PinListing(snapshot: PeerStateSnapshot(), peer: nil).lines == ["(no pinned peers)"])
    }

    @Test func json() {
        let object = PinListing(snapshot: snapshot, peer: "bob").json
        #expect(object.keys == ["peer", "pins", "blocked"])
        let first = object["pins"]?.arrayValue?.first?.objectValue
        #expect(first?.keys == ["room", "name", "fingerprint", "public_key", "first_seen", "last_seen", "first_seen_ms", "last_seen_ms"])
        #expect(first?["fingerprint"] == .string(bob.fingerprint.text))
        #expect(first?["last_seen"] == "2026-07-18T10:20:30.123Z")
        #expect(first?["last_seen_ms"] == .number(1_784_370_030_123))
        #expect(object["blocked"]?.arrayValue?.first?.objectValue?["reason"] == "key_changed")
        let all = PinListing(snapshot: snapshot, peer: nil).json
        #expect(all.keys == ["pins", "blocked"])
        #expect(all["pins"]?.arrayValue?.last?.objectValue?["fingerprint"] == .null)
    }

    @Test func isoTimestampsRoundTrip() {
        for ms: Int64 in [0, 1, 999, 86_399_999, 951_782_400_000, 1_784_370_030_123, 253_402_300_799_999, -1, -86_400_000] {
            let text = ISOTimestamp.string(fromMilliseconds: ms)
            #expect(ISOTimestamp.milliseconds(from: text) == ms, "\(text)")
        }
        #expect(ISOTimestamp.string(fromMilliseconds: 951_782_400_000) == "2000-02-29T00:00:00.000Z")
        #expect(ISOTimestamp.string(fromMilliseconds: -1) == "1969-12-31T23:59:59.999Z")
    }

    @Test func isoTimestampsParseTheUsualSpellings() {
        #expect(ISOTimestamp.milliseconds(from: "2026-07-18T10:20:30.123Z") == 1_784_370_030_123)
        #expect(ISOTimestamp.milliseconds(from: "2026-07-18T10:20:30Z") == 1_784_370_030_000)
        #expect(ISOTimestamp.milliseconds(from: "2026-07-18T10:20:30.1Z") == 1_784_370_030_100)
        #expect(ISOTimestamp.milliseconds(from: "2026-07-18T10:20:30.123456Z") == 1_784_370_030_123)
        #expect(ISOTimestamp.milliseconds(from: "2026-07-18T12:20:30.123+02:00") == 1_784_370_030_123)
        #expect(ISOTimestamp.milliseconds(from: "2026-07-18T05:20:30.123-0500") == 1_784_370_030_123)
        #expect(ISOTimestamp.milliseconds(from: "2026-07-18T10:20Z") == 1_784_370_000_000)
        #expect(ISOTimestamp.milliseconds(from: "2026-07-18") == 1_784_332_800_000)
        for bad in ["", "2026", "2026-13-01", "2026-02-30T00:00:00Z", "2026-07-18T24:00:00Z", "2026-07-18T10:20:30.Z",
                    "2026-07-18T10:20:30Zjunk", "2026-07-18T10:20:61Z", "not a date", "+002026-07-18T00:00:00Z"] {
            #expect(ISOTimestamp.milliseconds(from: bad) == nil, "\(bad)")
        }
    }
}
