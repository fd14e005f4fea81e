/// JavaScript `toISOString()` timestamps (`2026-07-18T10:20:30.123Z`) ⇄ milliseconds since
/// the epoch, without Foundation: the reference's TOFU file stores pins' first/last seen
/// this way, and `myc fingerprint --peer` prints them back in the same form.
public enum ISOTimestamp {
    /// Parses `YYYY-MM-DD`, optionally followed by `THH:MM[:SS[.fraction]]` and a zone
    /// (`Z`, `±HH:MM` or `±HHMM`; none means UTC). Fractions beyond milliseconds are cut.
    /// Returns nil for anything else, including out-of-range fields.
    public static func milliseconds(from text: String) -> Int64? {
        var scanner = Scanner(Array(text.utf8))
        guard let year = scanner.digits(4), scanner.take("-"), let month = scanner.digits(2), scanner.take("-"),
              let day = scanner.digits(2), (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var seconds = daysFromCivil(year: year, month: month, day: day) * 86_400
        var millis: Int64 = 0
        if scanner.take("T") || scanner.take("t") || scanner.take(" ") {
            guard let hour = scanner.digits(2), scanner.take(":"), let minute = scanner.digits(2),
                  hour < 24, minute < 60 else { return nil }
            var second: Int64 = 0
            if scanner.take(":") {
                guard let s = scanner.digits(2), s < 60 else { return nil }
                second = s
                if scanner.take(".") || scanner.take(",") {
                    var digits = 0
                    while let d = scanner.digit() {
                        if digits < 3 { millis = millis * 10 + d }
                        digits += 1
                    }
                    guard digits > 0 else { return nil }
                    for _ in digits..<max(digits, 3) { millis *= 10 }
                }
            }
            seconds += hour * 3600 + minute * 60 + second
            if scanner.take("Z") || scanner.take("z") {
                // UTC
            } else if let sign = scanner.sign() {
                guard let oh = scanner.digits(2) else { return nil }
                _ = scanner.take(":")
                guard let om = scanner.digits(2), oh < 24, om < 60 else { return nil }
                seconds -= sign * (oh * 3600 + om * 60)
            }
        }
        guard scanner.atEnd else { return nil }
        return seconds * 1000 + millis
    }

    /// `new Date(ms).toISOString()` for years 0–9999.
    public static func string(fromMilliseconds ms: Int64) -> String {
        let (days, msOfDay) = floorDivision(ms, 86_400_000)
        let (year, month, day) = civilFromDays(days)
        let secondsOfDay = msOfDay / 1000
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondsOfDay / 3600, 2)):"
            + "\(pad(secondsOfDay / 60 % 60, 2)):\(pad(secondsOfDay % 60, 2)).\(pad(msOfDay % 1000, 3))Z"
    }

    // MARK: - Private

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        mutating func take(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(character.value) else { return false }
            index += 1
            return true
        }

        mutating func digit() -> Int64? {
            guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
            defer { index += 1 }
            return Int64(bytes[index] - UInt8(ascii: "0"))
        }

        mutating func digits(_ count: Int) -> Int64? {
            let start = index
            var value: Int64 = 0
            for _ in 0..<count {
                guard let d = digit() else {
                    index = start
                    return nil
                }
                value = value * 10 + d
            }
            return value
        }

        mutating func sign() -> Int64? {
            if take("+") { return 1 }
            if take("-") { return -1 }
            return nil
        }
    }

    private static func isLeap(_ year: Int64) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civilFromDays(_ days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func floorDivision(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
