/// The STS roles and binding bytes (§5.8).
enum StsBinding {
    /// The initiator is the peer whose name is smaller in JavaScript string order:
    /// lexicographic over UTF-16 code units (so `"😀" < "\u{FFFF}"`), not Swift's `<`.
    static func isInitiator(local: String, remote: String) -> Bool {
        local.utf16.lexicographicallyPrecedes(remote.utf16)
    }

    /// `lo.eph_pk ‖ hi.eph_pk ‖ utf8(lo.session_id) ‖ utf8(hi.session_id) ‖ utf8(room)`,
    /// with `lo`/`hi` the two peers in initiator order. The same bytes on both sides.
    static func bytes(
        localName: String, localEphemeral: [UInt8], localSessionID: String,
        remoteName: String, remoteEphemeral: [UInt8], remoteSessionID: String, room: String
    ) -> [UInt8] {
        let localFirst = isInitiator(local: localName, remote: remoteName)
        let (loEph, hiEph) = localFirst ? (localEphemeral, remoteEphemeral) : (remoteEphemeral, localEphemeral)
        let (loSID, hiSID) = localFirst ? (localSessionID, remoteSessionID) : (remoteSessionID, localSessionID)
        return loEph + hiEph + Array(loSID.utf8) + Array(hiSID.utf8) + Array(room.utf8)
    }
}
