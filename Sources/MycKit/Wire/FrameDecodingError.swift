/// A frame that parsed as JSON but is not the frame it claims to be: a missing or
/// mistyped required field. Always a clear, loggable rejection, never a crash.
public struct FrameDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    public let frameType: String
    public let reason: String

    public init(_ frameType: String, _ reason: String) {
        self.frameType = frameType
        self.reason = reason
    }

    public var description: String { "malformed \(frameType) frame: \(reason)" }
}
