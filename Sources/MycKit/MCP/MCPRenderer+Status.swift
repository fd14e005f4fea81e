extension MCPRenderer {
    // MARK: myc_peers

    /// Per joined room: live peers with their markers, then the offline pinned peers
    /// (reachable by identity envelope) or `(no peers)`; then blocked peers, the inbox
    /// count and the relay state.
    public static func peers(_ snapshot: PeersSnapshot) -> String {
        var lines: [String] = []
        for room in snapshot.rooms {
            lines.append("\(room.name):")
            for peer in room.live {
                if peer.blocked {
                    lines.append("  \(peer.name) 🔴 BLOCKED: no session (verify, then myc_trust)")
                } else {
                    let trust = peer.trust == .new ? "🆕" : "🔒"
                    lines.append("  \(peer.name) \(trust)" + (peer.stsVerified ? " 🤝" : ""))
                }
            }
            if !room.offlineKnown.isEmpty {
                lines.append("  offline, reachable via identity envelope 📮: " + room.offlineKnown.joined(separator: ", "))
            } else if room.live.isEmpty {
                lines.append("  (no peers)")
            }
        }
        if !snapshot.blocked.isEmpty {
            lines.append("🔴 BLOCKED: " + snapshot.blocked.joined(separator: ", ") + " (verify, then myc_trust)")
        }
        if snapshot.inboxPending > 0 {
            lines.append("📥 \(snapshot.inboxPending) pending in inbox (myc_recv)")
        }
        if let attempt = snapshot.disconnectedAttempt {
            lines.append("⚠️ Relay disconnected (attempt \(attempt)): reconnecting; sends are queued locally (⏳).")
        }
        return lines.joined(separator: "\n")
    }

    // MARK: myc_rooms

    /// `<name>: <peers> peer(s)[ — m1, m2][ (joined)]` per room, or the reason there is no list.
    public static func rooms(_ outcome: RoomsOutcome) -> String {
        switch outcome {
        case .disconnected(let attempt):
            return "⚠️ Not connected to the relay (reconnect attempt \(attempt)); try again shortly."
        case .noReply:
            return "⚠️ The relay did not answer list_rooms within 5 s: it may be an older relay, or room discovery is off."
        case let .listed(rooms, discovery):
            var lines = rooms.map { room -> String in
                var line = "\(room.name): \(room.peers) peer(s)"
                if let members = room.members, !members.isEmpty { line += " — " + members.joined(separator: ", ") }
                if room.joined { line += " (joined)" }
                return line
            }
            if lines.isEmpty { lines.append("No active rooms.") }
            if !discovery {
                lines.append("(Room discovery is disabled on this relay: only rooms you have joined are shown.)")
            }
            return lines.joined(separator: "\n")
        }
    }

    // MARK: myc_trust

    public static func trust(_ outcome: TrustOutcome) -> String {
        switch outcome {
        case .nothingPending(let peer):
            return "No pending key change for \(peer): nothing to trust."
        case let .ambiguous(peer, rooms):
            return "\(peer) is blocked in several rooms (\(rooms.joined(separator: ", "))). Call myc_trust again with room."
        case let .pending(peer, room, fingerprint):
            return "🔑 \(peer)@\(room) presents a new key with fingerprint \(fingerprint).\n"
                + "Check it out of band: ask \(peer)'s human to run myc_verify (or `myc fingerprint`) and read the "
                + "fingerprint to you over a channel you trust. Only if it matches, call myc_trust with "
                + "peer_name=\(peer), room=\(room), confirm=true."
        case let .trusted(peer, room, fingerprint):
            return "✅ \(peer)@\(room) trusted (\(fingerprint))"
        case let .verificationFailed(peer, room):
            return "❌ Key verification failed for \(peer)@\(room): the stored key did not verify; \(peer) stays blocked."
        }
    }

    // MARK: myc_rotate_key

    public static func rotateKey(_ outcome: RotateOutcome) -> String {
        switch outcome {
        case .confirmationNeeded(let fingerprint):
            return "Key rotation is PERMANENT. Current fingerprint: \(fingerprint)\n"
                + "A continuity statement signed by this key goes to every known peer (over live sessions, or as an "
                + "offline envelope to pinned peers that are away), and the relay moves the name binding. "
                + "Call again with confirm=true."
        case let .rotated(_, newFingerprint, live, offline):
            return "✅ Identity rotated. New fingerprint: \(newFingerprint)\n"
                + "Announced to \(live) online peer(s), \(offline) offline envelope(s). Reconnecting with the new key; "
                + "the relay binding migrates automatically."
        case .failed(let reason):
            return "❌ Key rotation failed: \(reason)"
        }
    }

    // MARK: myc_verify

    /// `selfName` is this peer's name (for the own-fingerprint text).
    public static func verify(_ outcome: VerifyOutcome, selfName: String) -> String {
        switch outcome {
        case .own(let fingerprint):
            return "🔑 Your fingerprint (\(selfName)): \(fingerprint)\n"
                + "Read it to the other side over a channel you trust; they compare it with myc_verify peer_name=\(selfName)."
        case let .pinned(peer, pins, own):
            var lines = pins.map { pin -> String in
                let status: String
                switch pin.status {
                case .trusted: status = "pinned & trusted"
                case .newThisSession: status = "new this session"
                case .offline: status = "pinned, peer offline"
                }
                return "🔑 \(peer)@\(pin.room): \(pin.fingerprint) (\(status))" + (pin.stsVerified ? " 🤝 STS verified" : "")
            }
            lines.append("🔑 Your fingerprint (\(selfName)): \(own)")
            lines.append("Compare both over a channel you trust.")
            return lines.joined(separator: "\n")
        case .blocked(let peer):
            return "⚠️ \(peer) is BLOCKED — use myc_trust peer_name=\(peer) to see the key it presents."
        case .noPin(let peer):
            return "No pinned key for \(peer)."
        }
    }
}
