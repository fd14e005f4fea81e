extension ChatRenderer {
    // MARK: Start and link

    /// Who you are, where you are, and who is there.
    public func banner(profile: PeerProfile) -> [String] {
        [
            style.bold("myc chat") + " — you are " + style.name(ChatText.sanitize(profile.name))
                + " (fingerprint \(profile.fingerprint))",
            "rooms: " + profile.rooms.map { "#" + ChatText.sanitize($0) }.joined(separator: ", ")
                + style.dim("   /help for commands, Tab completes, Ctrl-D quits"),
            style.dim("connecting to the relay…"),
        ]
    }

    public func link(_ status: PeerLinkStatus, first: Bool) -> String {
        switch status {
        case let .connected(url, fingerprint, pinned):
            let verb = first ? "connected to" : "reconnected to"
            guard let fingerprint else {
                return style.good("● \(verb) relay \(url)") + style.dim(" (the relay proved no identity)")
            }
            return style.good("● \(verb) relay \(url)") + ", relay fingerprint \(fingerprint) "
                + (pinned ? style.good("(matches your pin)") : style.dim("(not pinned: set MYC_RELAY_FINGERPRINT to pin it)"))
        case let .disconnected(reason, attempt):
            let what = first ? "cannot reach the relay" : "relay connection lost"
            return style.warn("⚠️ \(what) (\(ChatText.sanitize(reason))); retrying (attempt \(attempt)). "
                              + "Messages you send meanwhile are queued ⏳.")
        case .refused(let reason):
            return style.alert("🔴 relay refused: \(ChatText.sanitize(reason))")
        }
    }

    // MARK: /peers

    /// Per room: live peers with their trust marks, offline peers reachable by envelope,
    /// blocked peers.
    public func peers(_ snapshot: PeersSnapshot, current: String) -> [String] {
        var lines: [String] = []
        for room in snapshot.rooms {
            let marker = room.name.isExactly(current) ? " (current)" : ""
            lines.append(style.bold("#" + ChatText.sanitize(room.name)) + style.dim(marker))
            for peer in room.live {
                let name = style.name(ChatText.sanitize(peer.name))
                if peer.blocked {
                    lines.append("  " + name + " " + style.alert("🔴 BLOCKED: key changed — /trust \(peer.name) after checking"))
                } else {
                    lines.append("  " + name + " " + liveMark(peer) + " " + style.dim(trustWords(peer)))
                }
            }
            if !room.offlineKnown.isEmpty {
                lines.append("  " + style.dim("offline, reachable by envelope 📮: ")
                             + room.offlineKnown.map { ChatText.sanitize($0) }.joined(separator: ", "))
            }
            if room.live.isEmpty, room.offlineKnown.isEmpty { lines.append(style.dim("  (nobody else)")) }
        }
        if let attempt = snapshot.disconnectedAttempt {
            lines.append(style.warn("⚠️ relay disconnected (attempt \(attempt)): sends are queued ⏳"))
        }
        return lines
    }

    func liveMark(_ peer: PeersSnapshot.Live) -> String {
        (peer.trust == .new ? "🆕" : "🔒") + (peer.stsVerified ? "🤝" : "")
    }

    func trustWords(_ peer: PeersSnapshot.Live) -> String {
        (peer.trust == .new ? "new key, first seen this session" : "pinned key")
            + (peer.stsVerified ? ", session verified" : "")
    }

    // MARK: /rooms, /verify, /trust, /rotate

    public func rooms(_ outcome: RoomsOutcome) -> [String] {
        MCPRenderer.rooms(outcome).split(separator: "\n").map { ChatText.sanitize(String($0)) }
    }

    public func verify(_ outcome: VerifyOutcome, selfName: String) -> [String] {
        switch outcome {
        case .own(let fingerprint):
            return ["🔑 your fingerprint: " + style.bold(fingerprint),
                    style.dim("   read it to the other side over a channel you trust; they compare with /verify \(selfName)")]
        case let .pinned(peer, pins, own):
            var lines = pins.map { pin -> String in
                let status = switch pin.status {
                case .trusted: "pinned & trusted"
                case .newThisSession: "new this session"
                case .offline: "pinned, peer offline"
                }
                return "🔑 \(style.name(peer))@\(pin.room): " + style.bold(pin.fingerprint) + " (\(status))"
                    + (pin.stsVerified ? " 🤝 session verified" : "")
            }
            lines.append("🔑 yours: \(own)")
            lines.append(style.dim("   compare both over a channel you trust (voice, in person)"))
            return lines
        case .blocked(let peer):
            return [style.alert("⚠️ \(peer) is BLOCKED (key changed): /trust \(peer) shows the key it presents")]
        case .noPin(let peer):
            return ["no pinned key for \(peer) (never seen in your rooms)"]
        }
    }

    public func trustPending(peer: String, room: String, fingerprint: String) -> [String] {
        [
            style.warn("🔑 \(peer)@\(room) presents a NEW key: ") + style.bold(fingerprint),
            "   Check it out of band: \(peer)'s human runs /verify (or `myc fingerprint`) and reads it to you.",
            "   Trust this key for \(peer)@\(room)? Type yes to pin it, anything else to cancel.",
        ]
    }

    public func trust(_ outcome: TrustOutcome) -> [String] {
        switch outcome {
        case .nothingPending(let peer):
            return ["no pending key change for \(peer): nothing to trust"]
        case let .ambiguous(peer, rooms):
            return ["\(peer) is blocked in several rooms (\(rooms.joined(separator: ", "))): /trust \(peer) ROOM"]
        case let .pending(peer, room, fingerprint):
            return trustPending(peer: peer, room: room, fingerprint: fingerprint)
        case let .trusted(peer, room, fingerprint):
            return [style.good("✅ \(peer)@\(room) trusted (\(fingerprint))")]
        case let .verificationFailed(peer, room):
            return [style.alert("❌ key verification failed for \(peer)@\(room): it stays blocked")]
        }
    }

    public func rotate(_ outcome: RotateOutcome) -> [String] {
        switch outcome {
        case .confirmationNeeded(let fingerprint):
            return [
                style.warn("⚠️ Key rotation is permanent: your identity \(fingerprint) is replaced by a new key,"),
                "   announced to every peer that knows you (signed by the old key). Type yes to rotate, anything else to cancel.",
            ]
        case let .rotated(old, new, live, offline):
            return [style.good("✅ identity rotated: \(old) → \(new)"),
                    "   announced to \(live) live peer(s) and \(offline) offline peer(s) by envelope"]
        case .failed(let reason):
            return [style.alert("❌ key rotation failed: \(ChatText.sanitize(reason)); nothing changed")]
        }
    }
}
