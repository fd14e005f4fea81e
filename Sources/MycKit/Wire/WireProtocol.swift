/// The wire protocol this implementation speaks.
public enum WireProtocol {
    /// `proto` in handshake and routed frames.
    public static let version = 2
}

/// This implementation's own version (not the protocol's).
public enum MycVersion {
    public static let string = "0.1.0"
}
