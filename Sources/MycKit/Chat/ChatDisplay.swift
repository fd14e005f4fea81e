/// Where `ChatSession` puts what it shows, and how it steers the line editor. The
/// terminal (`ChatTerminal`) prints above the prompt; the non-terminal mode
/// (`ChatPipeDisplay`) sends incoming traffic to stdout and everything else to stderr.
/// Calls may come from any task; an implementation keeps their order.
public protocol ChatDisplay: Sendable {
    /// An incoming message or event, with the lines the renderer made of it.
    func incoming(_ notification: PeerNotification, lines: [String])
    /// Command output, send results, link changes.
    func status(_ lines: [String])
    /// Adds a typed line to the persisted history (the session never passes answers to
    /// confirmation questions).
    func remember(_ line: String)
    func setPrompt(_ prompt: String)
    func setCompletion(_ completion: ChatCompletion)
    /// The session is over: stop reading input.
    func close()
}

/// What the person did at the keyboard (or what arrived on a non-terminal stdin).
public enum ChatKeyboardEvent: Sendable, Equatable {
    /// One line, or several that arrived together (a paste).
    case lines([String])
    /// Ctrl-C; `discarded` is the half-typed line the editor cleared (empty if none).
    case interrupt(discarded: String)
    /// Ctrl-D on an empty line, or the end of a non-terminal stdin.
    case endOfInput
    /// SIGTERM or SIGHUP: leave now.
    case terminate
}
