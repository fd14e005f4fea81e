/// The slash commands of `myc chat`: one table that `/help`, tab completion and the
/// one-line usage hints all read, so they never disagree.
public struct ChatCommandSpec: Sendable, Equatable {
    /// Without the slash.
    public let name: String
    /// The argument synopsis (`NAME`, `[name]`, ...); empty when none.
    public let arguments: String
    public let summary: String
    /// What its arguments complete to.
    public let completes: Completion

    public enum Completion: Sendable, Equatable { case nothing, peer, room, permission }

    public var usage: String { arguments.isEmpty ? "/\(name)" : "/\(name) \(arguments)" }

    public static let all: [ChatCommandSpec] = [
        .init(name: "help", arguments: "", summary: "this list", completes: .nothing),
        .init(name: "room", arguments: "NAME", summary: "switch the current room (one you joined)", completes: .room),
        .init(name: "rooms", arguments: "", summary: "rooms on the relay (discovery)", completes: .nothing),
        .init(name: "peers", arguments: "", summary: "who is in each room, with trust state", completes: .nothing),
        .init(name: "msg", arguments: "NAME TEXT", summary: "private message (same as `NAME: TEXT`)", completes: .peer),
        .init(name: "verify", arguments: "[NAME]", summary: "fingerprints to compare out of band (yours without NAME)",
              completes: .peer),
        .init(name: "trust", arguments: "NAME [ROOM]", summary: "accept a changed key after checking its fingerprint",
              completes: .peer),
        .init(name: "rotate", arguments: "", summary: "replace your identity key (asks first)", completes: .nothing),
        .init(name: "approve", arguments: "ID", summary: "allow a Claude instance's permission request", completes: .permission),
        .init(name: "deny", arguments: "ID", summary: "deny a Claude instance's permission request", completes: .permission),
        .init(name: "quit", arguments: "", summary: "leave (Ctrl-D too)", completes: .nothing),
    ]

    public static func named(_ name: String) -> ChatCommandSpec? {
        all.first { $0.name.isExactly(name) }
    }

    /// The `/help` text.
    public static var helpText: String {
        let width = all.map { $0.usage.count }.max() ?? 0
        var lines = all.map { spec in
            spec.usage + String(repeating: " ", count: width - spec.usage.count + 2) + spec.summary
        }
        lines.append("A plain line goes to everyone in the current room; `NAME: TEXT` goes to NAME only.")
        lines.append("Start a line with // to send a message that begins with /. Tab completes commands, names and rooms.")
        return lines.joined(separator: "\n")
    }
}
