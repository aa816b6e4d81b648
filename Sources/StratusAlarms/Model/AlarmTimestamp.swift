import Foundation

/// Timestamps as the Aodh API writes them (Python's `datetime.isoformat()` of a naive UTC time:
/// `2026-11-25T17:30:00.123456`, the fraction omitted when zero) and as the store keeps them
/// (microseconds since the epoch).
public enum AlarmTimestamp {
    /// Microseconds since the epoch, rounded.
    public static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// The date of a microsecond count.
    public static func date(microseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }

    /// `date` truncated to the store's precision (what a round trip through the store gives back).
    public static func stored(_ date: Date) -> Date {
        Self.date(microseconds: microseconds(date))
    }

    /// ISO 8601 text without time zone, microseconds when not zero.
    public static func format(_ date: Date) -> String {
        format(microseconds: microseconds(date), alwaysFraction: false)
    }

    /// Python's `datetime.isoformat()` of an aware UTC time with microseconds (`2026-01-01T00:00:00.250000+00:00`), the
    /// time truncated to the microsecond: the `start` and `stop` of Aodh's Gnocchi requests. Plain arithmetic, no
    /// `Calendar` (the evaluator formats two per request).
    public static func isoformatUTC(_ date: Date) -> String {
        format(microseconds: Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down)), alwaysFraction: true) + "+00:00"
    }

    private static func format(microseconds micros: Int64, alwaysFraction: Bool) -> String {
        let (seconds, fraction) = floorDivide(micros, 1_000_000)
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let (year, month, day) = civil(days: days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T"
            + "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
        if fraction != 0 || alwaysFraction { text += "." + pad(fraction, 6) }
        return text
    }

    /// Quotient and non-negative remainder.
    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let remainder = value % divisor
        return remainder < 0 ? (value / divisor - 1, remainder + divisor) : (value / divisor, remainder)
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
    private static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Parses ISO 8601 date-times as Aodh's query values accept them: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.ffffff]]`,
    /// a space instead of `T`, and an optional `Z` or `±HH:MM` offset (naive times are UTC). Nil when not one.
    public static func parse(_ text: String) -> Date? {
        let pattern = #"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
        func group(_ index: Int) -> String? {
            guard let range = Range(match.range(at: index), in: text) else { return nil }
            return String(text[range])
        }
        var components = DateComponents()
        components.year = Int(group(1)!)
        components.month = Int(group(2)!)
        components.day = Int(group(3)!)
        components.hour = group(4).flatMap { Int($0) } ?? 0
        components.minute = group(5).flatMap { Int($0) } ?? 0
        components.second = group(6).flatMap { Int($0) } ?? 0
        guard let month = components.month, (1...12).contains(month), let day = components.day, (1...31).contains(day),
              components.hour! < 24, components.minute! < 60, components.second! < 61 else { return nil }
        var offset = 0
        if let zone = group(8), zone != "Z" {
            let digits = zone.dropFirst().replacingOccurrences(of: ":", with: "")
            guard let hours = Int(digits.prefix(2)), let minutes = Int(digits.suffix(2)) else { return nil }
            offset = (hours * 3600 + minutes * 60) * (zone.hasPrefix("-") ? -1 : 1)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let base = calendar.date(from: components),
              calendar.component(.day, from: base) == components.day else { return nil }
        var fraction = 0.0
        if let digits = group(7) { fraction = Double("0." + digits) ?? 0 }
        return base.addingTimeInterval(fraction - Double(offset))
    }
}
