import Synchronization

/// Collects what the relay's wire tap reports, in order, and names each socket after the
/// peer that authenticated on it (the `peer` field of its `auth` frame: the relay sees it
/// in clear, as it sees every name).
public final class DemoWireLog: Sendable {
    private struct State {
        var frames: [RelayWireFrame] = []
        var names: [UInt64: String] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// The tap to hand to `RelayService.start`.
    public var tap: RelayWireTap {
        { [self] frame in record(frame) }
    }

    func record(_ frame: RelayWireFrame) {
        state.withLock { state in
            if frame.direction == .fromPeer, state.names[frame.connection] == nil,
               let object = try? JSONParser.parseObject(frame.bytes),
               object["type"]?.stringValue == "auth", let name = object["peer"]?.stringValue {
                state.names[frame.connection] = name
            }
            state.frames.append(frame)
        }
    }

    public var count: Int { state.withLock { $0.frames.count } }

    /// Every frame so far, each named after the peer that authenticated on its socket
    /// (also the relay's `challenge`, sent before the relay knew the name).
    public var frames: [DemoTranscript.WireFrame] {
        state.withLock { state in
            state.frames.map { frame in
                DemoTranscript.WireFrame(direction: frame.direction, peer: state.names[frame.connection] ?? "conn-\(frame.connection)",
                                         bytes: frame.bytes)
            }
        }
    }
}
