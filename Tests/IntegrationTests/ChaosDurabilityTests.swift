import Foundation
import MycKit
import Testing

/// Crash durability under chaos (issue #8, item 2): a 200-message exchange alice → bob over a
/// real `myc relay`, with `kill -9` of the relay, the sender and the recipient at seeded
/// random points, each followed by a restart on the same state. Afterwards every message the
/// sender accepted is delivered exactly once or reported failed exactly once, and nothing else
/// is delivered.
///
/// Knobs (environment of `swift test`): `MYC_CHAOS_SEED` (default fixed, so CI is
/// reproducible; `make chaos` passes random ones), `MYC_CHAOS_MESSAGES` (200),
/// `MYC_CHAOS_KILLS` (kills per role, 4). The seed is printed and named in every failure.
@Suite(.serialized) struct ChaosDurabilityTests {
    @Test func killNineOfRelaySenderAndRecipientLosesAndDuplicatesNothing() throws {
        let env = ProcessInfo.processInfo.environment
        let seed = env["MYC_CHAOS_SEED"].flatMap { UInt64($0) } ?? 0x5EED_C4A0
        let count = env["MYC_CHAOS_MESSAGES"].flatMap { Int($0) } ?? 200
        let killsPerRole = env["MYC_CHAOS_KILLS"].flatMap { Int($0) } ?? 4
        var run = try ChaosRun(seed: seed, messages: count, killsPerRole: killsPerRole)
        print("chaos: seed \(seed) (MYC_CHAOS_SEED=\(seed) reproduces the schedule), \(count) messages, plan: \(run.planText)")
        let started = Date()
        try run.execute()
        let verdict = try run.verify()
        print("chaos: seed \(seed): \(verdict.summary) in \(Int(Date().timeIntervalSince(started))) s")
        for problem in verdict.problems {
            Issue.record("seed \(seed): \(problem)")
        }
        #expect(verdict.deliveredOrFailed == verdict.accepted, "seed \(seed): every accepted message ends once")
        #expect(verdict.kills == 3 * killsPerRole, "seed \(seed): every planned kill happened")
    }
}

/// SplitMix64: the schedule depends only on the seed.
struct ChaosRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
}

struct ChaosRun {
    enum Role: String { case relay, sender, recipient }

    struct Kill {
        var at: Int
        var role: Role
        /// Messages sent while the victim is down (relay / recipient); the sender comes back at once.
        var downFor: Int
        /// Sender only: killed while its `myc_send` is in flight (the outcome is unknown to the host).
        var midSend: Bool
        /// Sender only: microseconds between writing the request and the kill.
        var delayMicros: Int
    }

    let seed: UInt64
    let count: Int
    var random: ChaosRandom
    var plan: [Kill] = []

    // Processes and their past incarnations (kept so their captured notifications can be read).
    let relayHome = TempDir(), aliceHome = TempDir(), bobHome = TempDir()
    let port = freePort()
    var relay: RelayProcess?
    var alice: MCPPeer!
    var bob: MCPPeer?
    var aliceIncarnations: [MCPPeer] = []
    var bobIncarnations: [MCPPeer] = []
    var relayDownUntil: Int?
    var bobDownUntil: Int?

    // What the sender's host saw.
    var accepted: [Int: String] = [:]   // index → result text
    var unknown: Set<Int> = []           // killed mid-send
    var refused: [Int: String] = [:]
    var kills = 0

    let relayEnv = ["RELAY_RATE_LIMIT": "100000", "RELAY_QUEUE_MAX_MSGS": "1000"]

    init(seed: UInt64, messages: Int, killsPerRole: Int) throws {
        self.seed = seed
        self.count = messages
        self.random = ChaosRandom(state: seed)
        var positions = Set<Int>()
        let total = 3 * killsPerRole
        precondition(messages > total * 2, "too few messages for \(total) kills")
        while positions.count < total { positions.insert(1 + random.below(messages - 2)) }
        var roles: [Role] = (0..<killsPerRole).flatMap { _ in [Role.relay, .sender, .recipient] }
        for i in stride(from: roles.count - 1, to: 0, by: -1) { roles.swapAt(i, random.below(i + 1)) }
        plan = zip(positions.sorted(), roles).map { at, role in
            Kill(at: at, role: role, downFor: random.below(5), midSend: random.below(2) == 0,
                 delayMicros: random.below(20_000))
        }
    }

    var planText: String {
        plan.map { k in
            "\(k.role.rawValue)@\(k.at)" + (k.role == .sender ? (k.midSend ? "(mid-send +\(k.delayMicros)µs)" : "")
                                                           : "(down \(k.downFor))")
        }.joined(separator: " ")
    }

    static func content(_ seed: UInt64, _ i: Int) -> String { "chaos \(seed) message #\(i)" }

    // MARK: Running

    mutating func startRelay() throws {
        relay = try RelayProcess(home: relayHome, env: relayEnv, port: port)
    }

    mutating func startAlice() throws {
        alice = try MCPPeer("alice", relay: "ws://127.0.0.1:\(port)", home: aliceHome)
        aliceIncarnations.append(alice)
    }

    mutating func startBob() throws {
        let peer = try MCPPeer("bob", relay: "ws://127.0.0.1:\(port)", home: bobHome)
        bob = peer
        bobIncarnations.append(peer)
    }

    mutating func execute() throws {
        try startRelay()
        try startAlice()
        try startBob()
        try alice.waitForVerifiedSession(with: "bob", timeout: 30)
        try bob!.waitForVerifiedSession(with: "alice", timeout: 30)
        log("relay, alice and bob up and verified")

        var pending = plan[...]
        for i in 0..<count {
            if relayDownUntil == i { try startRelay(); relayDownUntil = nil }
            if bobDownUntil == i { try startBob(); bobDownUntil = nil }
            if let kill = pending.first, kill.at == i {
                pending.removeFirst()
                kills += 1
                // A victim still down from an earlier kill comes back first, then dies again at once.
                if kill.role == .relay, relay == nil { try startRelay(); relayDownUntil = nil }
                if kill.role == .recipient, bob == nil { try startBob(); bobDownUntil = nil }
                log("kill -9 \(kill.role.rawValue) before message #\(i)")
                switch kill.role {
                case .relay where relay != nil:
                    relay!.kill9()
                    relay = nil
                    relayDownUntil = i + kill.downFor
                    if kill.downFor == 0 { try startRelay(); relayDownUntil = nil }
                case .recipient where bob != nil:
                    bob!.kill9()
                    bob = nil
                    bobDownUntil = i + kill.downFor
                    if kill.downFor == 0 { try startBob(); bobDownUntil = nil }
                case .sender:
                    if kill.midSend {
                        // The request is on its way; the host never learns whether it was taken.
                        alice.client.send(["jsonrpc": "2.0", "id": .number(Double(900_000 + i)), "method": "tools/call",
                                           "params": ["name": "myc_send", "arguments": ["target": "bob", "text": .string(Self.content(seed, i))]]])
                        usleep(useconds_t(kill.delayMicros))
                        unknown.insert(i)
                    }
                    alice.kill9()
                    try startAlice()
                    if kill.midSend { continue }
                default:
                    kills -= 1  // unreachable: a victim that was down has just been restarted
                }
            }
            let text = try alice.call("myc_send", ["target": "bob", "text": .string(Self.content(seed, i))])
            if text.contains("🔒") || text.contains("📮") || text.contains("⏳") {
                accepted[i] = text
            } else {
                refused[i] = text
            }
            // Now and then let the wire breathe, so kills also land between frames and acks.
            if random.below(8) == 0 { usleep(useconds_t(random.below(30_000))) }
        }
        if relay == nil { try startRelay(); relayDownUntil = nil }
        if bob == nil { try startBob(); bobDownUntil = nil }
        log("all \(count) sends done")
    }

    let t0 = Date()
    func log(_ what: String) {
        print("chaos: +\(String(format: "%.1f", Date().timeIntervalSince(t0))) s \(what)")
    }

    // MARK: Verifying

    struct Verdict {
        var accepted = 0
        var deliveredOrFailed = 0
        var kills = 0
        var problems: [String] = []
        var summary = ""
    }

    /// `#<n>` of a chaos content of this seed.
    func index(in content: String) -> Int? {
        let prefix = "chaos \(seed) message #"
        guard let range = content.range(of: prefix) else { return nil }
        return Int(content[range.upperBound...].prefix { $0.isNumber })
    }

    /// msg ids named by events of `type` across every incarnation of alice.
    func eventIDs(_ type: String) -> [String] {
        aliceIncarnations.flatMap { $0.events(type) }.compactMap { $0["meta"]?.objectValue?["msg_id"]?.stringValue }
    }

    func deliveredByBob() -> [(index: Int?, content: String, msgID: String?, from: String?)] {
        bobIncarnations.flatMap { peer in
            peer.client.notifications.compactMap { $0["params"]?.objectValue }
                .filter { $0["meta"]?.objectValue?["from_peer"] != nil }
                .map { params in
                    let content = params["content"]?.stringValue ?? ""
                    let meta = params["meta"]?.objectValue
                    return (index(in: content), content, meta?["msg_id"]?.stringValue, meta?["from_peer"]?.stringValue)
                }
        }
    }

    mutating func verify() throws -> Verdict {
        var verdict = Verdict()
        verdict.kills = kills
        verdict.accepted = accepted.count
        let everything = Set(accepted.keys).union(unknown)

        // 1. Converge: every accepted message is delivered (seen by a bob incarnation's host)
        //    or reported failed to an alice incarnation's host. Retransmission after each
        //    restart (flush after auth_ok, retry when the session returns) makes this quick;
        //    the 65-minute offline ack window is never needed.
        let deadline = Date().addingTimeInterval(120)
        var missing: [Int] = []
        repeat {
            // What bob's hosts were shown, plus what a killed bob committed to its durable
            // inbox but had no time to show (the running bob holds it for `myc_recv`).
            let stored = (try? bob!.call("myc_recv", ["peek": true, "max": 500])) ?? ""
            let delivered = Set(deliveredByBob().compactMap(\.index))
                .union(stored.split(separator: "\n").compactMap { index(in: String($0)) })
            let failedCount = Set(eventIDs("delivery_failed")).count
            missing = accepted.keys.filter { !delivered.contains($0) }.sorted()
            if missing.count <= failedCount { break }
            Thread.sleep(forTimeInterval: 0.5)
        } while Date() < deadline
        log("converged: \(missing.count) accepted message(s) not delivered")

        // 2. The durable records: drain both inboxes through the running processes. Each holds
        //    everything that was ever notified (nothing was drained before) and more: what a
        //    killed process committed but had no time to show.
        let bobInbox = try bob!.call("myc_recv", ["max": 500]).split(separator: "\n").map(String.init)
        let aliceInbox = try alice.call("myc_recv", ["max": 500]).split(separator: "\n").map(String.init)
        if bobInbox.contains(where: { $0.contains("older entries dropped") }) || aliceInbox.contains(where: { $0.contains("older entries dropped") }) {
            verdict.problems.append("an inbox overflowed; the record is incomplete")
        }

        // Recipient: each message at most once, only chaos messages of this run from alice.
        var inboxCounts: [Int: Int] = [:]
        for line in bobInbox where !line.contains("⚙") && line != "No pending messages." {
            guard let i = index(in: line), line.contains("] alice@default (") else {
                verdict.problems.append("bob's inbox holds something nobody sent: \(line)")
                continue
            }
            inboxCounts[i, default: 0] += 1
        }
        for (i, n) in inboxCounts where n > 1 { verdict.problems.append("message #\(i) is in bob's inbox \(n) times") }
        for i in inboxCounts.keys where !everything.contains(i) {
            verdict.problems.append("message #\(i) delivered but never accepted (refused: \(refused[i] ?? "never sent"))")
        }
        // What bob's hosts were shown: each message at most once across every incarnation,
        // and every one of them is in the durable inbox.
        let shown = deliveredByBob()
        var shownCounts: [Int: Int] = [:]
        for entry in shown {
            guard let i = entry.index, entry.from == "alice" else {
                verdict.problems.append("bob was shown something nobody sent: \(entry.content) from \(entry.from ?? "?")")
                continue
            }
            shownCounts[i, default: 0] += 1
        }
        for (i, n) in shownCounts where n > 1 { verdict.problems.append("message #\(i) shown to bob's host \(n) times") }
        for i in shownCounts.keys where inboxCounts[i] == nil { verdict.problems.append("message #\(i) shown but not in the durable inbox") }

        // Sender: each failure reported at most once (inbox is the full record), never for a
        // message that was delivered, and never both delivered and failed.
        func ids(_ marker: String) -> [String] {
            aliceInbox.filter { $0.contains("⚙") && $0.contains(marker) }.compactMap { line in
                guard let r = line.range(of: "Message ") else { return nil }
                return String(line[r.upperBound...].prefix { !$0.isWhitespace })
            }
        }
        let failedIDs = ids("FAILED")
        let deliveredIDs = ids("confirmed delivered")
        for id in Set(failedIDs) where failedIDs.filter({ $0 == id }).count > 1 {
            verdict.problems.append("delivery_failed for \(id) recorded \(failedIDs.filter { $0 == id }.count) times")
        }
        for id in Set(deliveredIDs) where deliveredIDs.filter({ $0 == id }).count > 1 {
            verdict.problems.append("delivered for \(id) recorded \(deliveredIDs.filter { $0 == id }.count) times")
        }
        for id in Set(failedIDs).intersection(deliveredIDs) { verdict.problems.append("\(id) reported both delivered and failed") }
        let shownFailures = eventIDs("delivery_failed")
        for id in Set(shownFailures) where shownFailures.filter({ $0 == id }).count > 1 {
            verdict.problems.append("delivery_failed for \(id) shown \(shownFailures.filter { $0 == id }.count) times")
        }
        let deliveredMsgIDs = Set(shown.compactMap(\.msgID))
        for id in failedIDs where deliveredMsgIDs.contains(id) {
            verdict.problems.append("\(id) reported failed but bob received it")
        }
        for id in Set(shownFailures).subtracting(failedIDs) { verdict.problems.append("failure \(id) shown but not in alice's inbox") }

        // Accounting: accepted-but-undelivered messages are exactly the failed ones (up to the
        // mid-send kills, whose fate the host never learnt).
        let deliveredIndexes = Set(inboxCounts.keys)
        let lost = accepted.keys.filter { !deliveredIndexes.contains($0) }.sorted()
        let unknownUndelivered = unknown.subtracting(deliveredIndexes).count
        let failures = Set(failedIDs).count
        if lost.count > failures {
            verdict.problems.append("\(lost.count - failures) accepted message(s) neither delivered nor reported failed: "
                                    + "\(lost.prefix(20).map { "#\($0) (\(accepted[$0]!))" }.joined(separator: ", "))")
        }
        if failures > lost.count + unknownUndelivered {
            verdict.problems.append("\(failures) failures reported but only \(lost.count + unknownUndelivered) messages undelivered")
        }
        verdict.deliveredOrFailed = accepted.keys.filter { deliveredIndexes.contains($0) }.count + min(lost.count, failures)
        for peer in aliceIncarnations + bobIncarnations where !peer.client.protocolViolations.isEmpty {
            verdict.problems.append("\(peer.name): stdout violations \(peer.client.protocolViolations.prefix(3))")
        }
        let modes = accepted.values.reduce(into: [String: Int]()) { counts, text in
            counts[text.contains("🔒") ? "live" : text.contains("📮") ? "offline" : "queued", default: 0] += 1
        }
        verdict.summary = "\(accepted.count) accepted (\(modes.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))), "
            + "\(unknown.count) in flight at a sender kill (\(unknown.intersection(deliveredIndexes).count) delivered), "
            + "\(refused.count) refused, \(deliveredIndexes.count) delivered, \(failures) failed, \(deliveredIDs.count) late confirmations, "
            + "\(kills) kills, \(aliceIncarnations.count) sender / \(bobIncarnations.count) recipient incarnations"

        alice.stop()
        bob?.stop()
        relay?.terminate()
        return verdict
    }
}
