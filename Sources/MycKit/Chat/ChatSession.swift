/// The terminal face's brain: turns what the person types into `PeerService` calls and what
/// the service reports into lines for a `ChatDisplay`. No protocol logic lives here; it
/// only remembers what a conversation needs (current room, pending questions, permission
/// requests waiting for a verdict, sends waiting for their end).
///
/// An actor: keyboard input, peer events and link changes arrive from three tasks and are
/// handled one at a time. The display keeps their output in order.
public actor ChatSession {
    /// A question asked on the line; the next line answers it (and is never remembered).
    enum Question: Equatable {
        case trust(peer: String, room: String)
        case rotate
        case paste([String])
        case quit(reason: String)
    }

    public enum State: Sendable, Equatable { case running, quitting }

    let service: any PeerService
    let display: any ChatDisplay
    var renderer: ChatRenderer
    let profile: PeerProfile
    private(set) var currentRoom: String
    var question: Question?
    var snapshot: PeersSnapshot?
    /// request_id → who asked, in which room (for `/approve` and `/deny`).
    var permissions: [(id: String, from: String, room: String)] = []
    public private(set) var tracker = ChatDeliveryTracker()
    /// Sends refused outright or reported failed (for the exit status of scripts).
    public private(set) var failures = 0
    private var linkSeen = false
    public private(set) var state: State = .running
    /// Pastes of more than this many lines ask before going out.
    let pasteThreshold: Int

    public init(service: any PeerService, display: any ChatDisplay, renderer: ChatRenderer, pasteThreshold: Int = 3) {
        self.service = service
        self.display = display
        self.renderer = renderer
        self.profile = service.profile
        self.currentRoom = service.profile.rooms.first ?? PeerConstants.defaultRoom
        self.pasteThreshold = pasteThreshold
    }

    // MARK: Start

    /// The banner, the prompt and the first peer list.
    public func start() async {
        display.status(renderer.banner(profile: profile))
        updatePrompt()
        await refreshPeers()
    }

    // MARK: Inputs

    public func handle(_ event: ChatKeyboardEvent) async {
        switch event {
        case .lines(let lines):
            await submit(lines)
        case .interrupt(let discarded):
            interrupt(discarded: discarded)
        case .endOfInput:
            requestQuit(byEOF: true)
        case .terminate:
            finish()
        }
    }

    /// How a send ended (every tracked send gets one, live ones included).
    public func handle(_ report: DeliveryReport) {
        if let update = tracker.resolve(report) { show([update]) }
    }

    func show(_ updates: [ChatDeliveryTracker.Update]) {
        for update in updates {
            if case .failed = update { failures += 1 }
            display.status([renderer.delivery(update)])
        }
    }

    public func handle(_ notification: PeerNotification) async {
        let type = notification.meta["type"]?.stringValue ?? ""
        if notification.permissionVerdict != nil { return }  // only a host asks; chat never does
        switch (notification.kind, type) {
        case (.event, "delivered"), (.event, "delivery_failed"):
            // Ours are shown from their `DeliveryReport`; this one is from a previous run
            // (restored from the durable outbox): show the engine's text.
            if let id = notification.meta["msg_id"]?.stringValue, tracker.knows(id) { return }
            if type == "delivery_failed" { failures += 1 }
            display.incoming(notification, lines: renderer.event(notification))
        case (_, "permission_request"):
            if let id = notification.meta["request_id"]?.stringValue,
               let from = notification.meta["from_peer"]?.stringValue,
               let room = notification.meta["room"]?.stringValue {
                permissions.removeAll { $0.id.isExactly(id) }
                permissions.append((id, from, room))
                pushCompletion()
            }
            display.incoming(notification, lines: renderer.permissionRequest(notification))
        case (.message, _):
            // The 🤝 mark needs the session's STS state, which changes without an event.
            if !stsVerified(notification) { await refreshPeers() }
            display.incoming(notification, lines: renderer.message(notification, stsVerified: stsVerified(notification)))
        default:
            display.incoming(notification, lines: renderer.event(notification))
            if ["peer_joined", "peer_left", "key_rotated", "tofu_violation", "sts_failed"].contains(type) {
                await refreshPeers()
            }
        }
    }

    public func handle(_ status: PeerLinkStatus) async {
        display.status([renderer.link(status, first: !linkSeen)])
        if case .connected = status {
            linkSeen = true
            await refreshPeers(show: true)
        }
    }

    // MARK: Lines

    func submit(_ lines: [String]) async {
        if let pending = question, lines.count == 1 {
            question = nil
            updatePrompt()
            await answer(pending, with: lines[0])
            return
        }
        if lines.count > 1, !lines.contains(where: { $0.utf8.first == UInt8(ascii: "/") }) {
            if lines.count > pasteThreshold {
                ask(.paste(lines), ["\(lines.count) lines pasted. Send them as one message to #\(currentRoom)? Type yes to send, anything else to drop."])
            } else {
                await send(.broadcast(text: lines.joined(separator: "\n")))
            }
            return
        }
        for line in lines {
            if state == .quitting { return }
            if !line.allSatisfy({ $0 == " " }) { display.remember(line) }
            await run(ChatInput.parse(line, knownPeers: knownPeers()))
        }
    }

    func run(_ input: ChatInput) async {
        switch input {
        case .empty: return
        case .broadcast, .unicast: await send(input)
        case .invalid(let hint): display.status([renderer.style.warn(hint)])
        case .help: display.status(ChatCommandSpec.helpText.split(separator: "\n").map(String.init))
        case .quit: requestQuit(byEOF: false)
        default: await command(input)
        }
    }

    // MARK: Questions

    func ask(_ q: Question, _ lines: [String]) {
        question = q
        display.status(lines)
        updatePrompt()
    }

    private func answer(_ q: Question, with line: String) async {
        let yes = ["yes", "y"].contains(line.trimmingWhitespace().lowercased())
        switch q {
        case let .trust(peer, room):
            guard yes else { return display.status(["trust cancelled: \(peer) stays blocked"]) }
            display.status(renderer.trust(await service.trust(peer: peer, room: room, confirm: true)))
            await refreshPeers()
        case .rotate:
            guard yes else { return display.status(["rotation cancelled: your key is unchanged"]) }
            display.status(renderer.rotate(await service.rotateKey(confirm: true)))
        case .paste(let lines):
            guard yes else { return display.status(["paste dropped (\(lines.count) lines): nothing sent"]) }
            await send(.broadcast(text: lines.joined(separator: "\n")))
        case .quit:
            if yes { finish() } else { display.status(["staying"]) }
        }
    }

    // MARK: Quitting

    private func interrupt(discarded: String) {
        if !discarded.isEmpty {
            if question == nil { display.remember(discarded) }
            display.status([renderer.style.dim("^C: line cleared (it is in the history: Up brings it back)")])
            return
        }
        if case .quit? = question { return finish() }
        ask(.quit(reason: "interrupt"), [quitQuestion(prefix: "Quit myc chat?")])
    }

    private func requestQuit(byEOF: Bool) {
        if tracker.unresolved > 0 {
            ask(.quit(reason: "pending"), [quitQuestion(prefix: "\(tracker.unresolved) message(s) not yet confirmed delivered.")])
            return
        }
        finish()
    }

    private func quitQuestion(prefix: String) -> String {
        var text = prefix
        if tracker.unresolved > 0 { text += " They stay in this identity's outbox and are resent when it next runs." }
        return text + " Type yes (or press Ctrl-C again) to quit, anything else to stay."
    }

    func finish() {
        guard state == .running else { return }
        state = .quitting
        display.close()
    }

    // MARK: Peers, prompt, completion

    func refreshPeers(show: Bool = false) async {
        let snapshot = await service.peers()
        self.snapshot = snapshot
        pushCompletion()
        if show { display.status(renderer.peers(snapshot, current: currentRoom)) }
    }

    /// Every name seen in a joined room (live or pinned), without ourselves.
    func knownPeers() -> [String] {
        var names: [String] = []
        for room in snapshot?.rooms ?? [] {
            for name in room.live.map(\.name) + room.offlineKnown where !names.contains(where: { $0.isExactly(name) }) {
                names.append(name)
            }
        }
        return names
    }

    func stsVerified(_ n: PeerNotification) -> Bool {
        guard let from = n.meta["from_peer"]?.stringValue, let room = n.meta["room"]?.stringValue else { return false }
        return snapshot?.rooms.first { $0.name.isExactly(room) }?.live.first { $0.name.isExactly(from) }?.stsVerified ?? false
    }

    func updatePrompt() {
        display.setPrompt(question == nil ? "#\(ChatText.sanitize(currentRoom))> " : "(yes/no)> ")
    }

    func setRoom(_ room: String) {
        currentRoom = room
        updatePrompt()
    }

    func pushCompletion() {
        display.setCompletion(ChatCompletion(peers: knownPeers(), rooms: profile.rooms, permissionIDs: permissions.map(\.id)))
    }

    func countFailure() { failures += 1 }
    /// Starts tracking; returns what already ended (reports can beat the send's return).
    func track(_ outcome: SendOutcome) -> [ChatDeliveryTracker.Update] { tracker.track(outcome).map { [$0] } ?? [] }
    func track(_ outcome: BroadcastOutcome) -> [ChatDeliveryTracker.Update] { tracker.track(outcome) }
}
