import Foundation
import Testing
import MycKit

/// `myc relay --event-loops N` / RELAY_EVENT_LOOPS (default 1): the relay serves its sockets
/// on exactly N event-loop threads of its own, and still routes end to end.
@Suite(.serialized) struct RelayEventLoopsTests {
    /// Thread names of a process, from /proc (NIO names its loops NIO-ELT-… for a group of
    /// its own and NIO-SGLTN-… for the process-wide one).
    private func threadNames(_ pid: Int32) -> [String] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.compactMap { try? String(contentsOfFile: "/proc/\(pid)/task/\($0)/comm", encoding: .utf8) }
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    @Test func oneEventLoopServesEverySocketAndRoutesEndToEnd() throws {
        let relay = try RelayProcess(args: ["--event-loops", "1"])
        defer { relay.terminate() }
        let alice = try MCPPeer("alice", relay: relay.url)
        let bob = try MCPPeer("bob", relay: relay.url)
        try alice.waitForVerifiedSession(with: "bob")
        _ = try alice.call("myc_send", ["target": "bob", "text": "over one loop"])
        _ = try bob.waitForMessage(from: "alice", content: "over one loop")

        let names = threadNames(relay.process.processIdentifier)
        #expect(names.filter { $0.hasPrefix("NIO-ELT-") }.count == 1, "\(names)")
        #expect(!names.contains { $0.hasPrefix("NIO-SGLTN-") }, "the process-wide group was started too: \(names)")
        #expect(relay.logLines.contains { $0.contains("\"relay listening\"") && $0.contains("\"event_loops\":\"1\"") })
    }

    @Test func oneLoopIsTheDefault() throws {
        let relay = try RelayProcess()
        defer { relay.terminate() }
        let names = threadNames(relay.process.processIdentifier)
        #expect(names.filter { $0.hasPrefix("NIO-ELT-") }.count == 1, "\(names)")
        #expect(!names.contains { $0.hasPrefix("NIO-SGLTN-") }, "\(names)")
    }

    @Test func theEnvironmentSetsTheCountAndTheFlagWins() throws {
        let fromEnv = try RelayProcess(env: ["RELAY_EVENT_LOOPS": "3"])
        defer { fromEnv.terminate() }
        #expect(threadNames(fromEnv.process.processIdentifier).filter { $0.hasPrefix("NIO-ELT-") }.count == 3)

        let flagWins = try RelayProcess(env: ["RELAY_EVENT_LOOPS": "3"], args: ["--event-loops", "2"])
        defer { flagWins.terminate() }
        #expect(threadNames(flagWins.process.processIdentifier).filter { $0.hasPrefix("NIO-ELT-") }.count == 2)
    }

    @Test func aBadCountIsRefusedWithItsReason() throws {
        let flag = try Myc.run(["relay", "--port", "0", "--event-loops", "0"])
        #expect(flag.status == 64)
        #expect(flag.stderr.contains("--event-loops must be 1…256"), "\(flag.stderr)")

        let home = TempDir()
        let env = try Myc.run(["relay", "--host", "127.0.0.1", "--port", "0", "--db", home.file("relay.db"),
                               "--key-file", home.file("relay-keys.json")],
                              env: ["RELAY_TOKEN": "t", "RELAY_EVENT_LOOPS": "many", "HOME": home.path])
        #expect(env.status == 1)
        #expect(env.stderr.contains(#"RELAY_EVENT_LOOPS="many" is not a whole number in 1…256"#), "\(env.stderr)")
    }
}
