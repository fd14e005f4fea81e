import Testing
@testable import MycKit

@Suite struct WirePeerConstantsTests {
    @Test func derivedValuesMatchTheSpec() {
        #expect(PeerConstants.defaultOfflineAckTimeoutMs == 3_900_000)
        #expect(PeerConstants.offlineAckTimeoutMs(offlineMaxAgeMs: 60_000) == 360_000)
        #expect(PeerConstants.seenExpiryMs(offlineMaxAgeMs: PeerConstants.defaultOfflineMaxAgeMs) == 3_900_000)
        #expect(PeerConstants.defaultMaxChunkParts == 45)
        #expect(PeerConstants.ackTimeoutMs == 30_000 && PeerConstants.retryMax == 5 && PeerConstants.outboxMax == 200)
        #expect(PeerConstants.chunkLimitBytes == 24_000 && PeerConstants.defaultMaxLogicalBytes == 1 << 20)
        #expect(PeerConstants.replayWindow == 64 && PeerConstants.dedupCap == 10_000)
        #expect(PeerConstants.maxRooms == 8 && PeerConstants.maxTypeLength == 64)
    }
}
