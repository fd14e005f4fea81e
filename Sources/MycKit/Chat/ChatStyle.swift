/// Colours for `myc chat`: on only when stdout is a terminal, `NO_COLOR` is unset or
/// empty (no-color.org) and `TERM` is not `dumb`. Each sender gets a stable colour from a
/// hash of its name's bytes, so `bob` is the same colour in every session.
public struct ChatStyle: Sendable, Equatable {
    public var colour: Bool

    public init(colour: Bool) { self.colour = colour }

    public static let plain = ChatStyle(colour: false)

    public static func decide(stdoutIsTerminal: Bool, environment: [String: String]) -> ChatStyle {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return .plain }
        if environment["TERM"] == "dumb" { return .plain }
        return ChatStyle(colour: stdoutIsTerminal)
    }

    /// SGR codes for senders: no red (that is for alarms), no black or white.
    static let palette = [32, 33, 34, 35, 36, 92, 93, 94, 95, 96]

    /// FNV-1a over the UTF-8 bytes: stable across runs and machines (unlike `Hasher`).
    public static func colourCode(for name: String) -> Int {
        var hash: UInt32 = 2_166_136_261
        for byte in name.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return palette[Int(hash % UInt32(palette.count))]
    }

    public func name(_ name: String) -> String { sgr(Self.colourCode(for: name), name) }
    public func alert(_ text: String) -> String { sgr(31, text) }
    public func warn(_ text: String) -> String { sgr(33, text) }
    public func good(_ text: String) -> String { sgr(32, text) }
    public func dim(_ text: String) -> String { sgr(2, text) }
    public func bold(_ text: String) -> String { sgr(1, text) }

    func sgr(_ code: Int, _ text: String) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}

/// Text from the network made safe for a terminal: a hostile peer must not move the
/// cursor, retitle the window or reorder what is shown. C0/C1 controls and DEL become
/// caret notation (`^[`), bidirectional overrides become U+FFFD; newlines stay only when
/// allowed (message bodies), tabs become a space.
public enum ChatText {
    public static func sanitize(_ text: String, keepNewlines: Bool = false) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A where keepNewlines:
                out.append(scalar)
            case 0x09:
                out.append(" ")
            case 0x00..<0x20:
                out.append("^")
                out.append(Unicode.Scalar(UInt8(scalar.value + 0x40)))
            case 0x7F:
                out.append(contentsOf: "^?".unicodeScalars)
            case 0x80..<0xA0, 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C:
                out.append("\u{FFFD}")
            default:
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Columns a string takes on a terminal: a small `wcwidth` (wide East Asian and emoji
    /// take two, combining marks and zero-width characters none). Escape sequences of
    /// our own styling are skipped.
    public static func columns(_ text: String) -> Int {
        var width = 0
        var inEscape = false
        for scalar in text.unicodeScalars {
            if inEscape {
                if (0x40...0x7E).contains(scalar.value), scalar != "[" { inEscape = false }
                continue
            }
            if scalar == "\u{1B}" { inEscape = true; continue }
            width += columns(of: scalar)
        }
        return width
    }

    static func columns(of scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x20 || (0x7F..<0xA0).contains(v) { return 0 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if v == 0x200B || (0xFE00...0xFE0F).contains(v) { return 0 }
        if (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v) || (0x1F900...0x1F9FF).contains(v)
            || (0x1F680...0x1F6FF).contains(v) || (0x20000...0x3FFFD).contains(v) {
            return 2
        }
        if scalar.properties.isEmojiPresentation { return 2 }
        return 1
    }
}
