/// Durations (Gnocchi "timespans") as Gnocchi's `utils.to_timespan` accepts them, held as `Int64`
/// nanoseconds, and printed as Python's `str(datetime.timedelta)`.
public enum Durations {
    /// Parses a duration as Gnocchi's `utils.to_timespan(value, allow_le_zero=True)` does.
    ///
    /// First a number of seconds in Python `float()` syntax (`"3600"`, `"3600.5"`, `"1e3"`,
    /// `"-5"`), converted exactly and truncated to nanoseconds; otherwise a pytimeparse expression:
    /// `"5 minutes"`, `"1 hour"`, `"1d"`, `"2h30m"`, `"1.5 hours"`, `"1w"`, `"0:05:00"`,
    /// `"30 days, 0:00:00"`, `"1 day, 2:03:04.5"`, `"1:30"` (90 s), `"-2 days"`. ISO 8601 durations
    /// (`"P1D"`) are not accepted, as in Gnocchi. Zero and negative durations are returned as they
    /// are; callers that need a positive timespan check it.
    /// - Returns: The duration in nanoseconds.
    /// - Throws: `DurationError` when the text is not a duration or does not fit in `Int64` nanoseconds.
    public static func parse(_ text: String) throws(DurationError) -> Int64 {
        var copy = text
        let outcome: Result<Int64, DurationError>? = copy.withUTF8 { raw in
            let bytes = raw.trimmingASCIIWhitespace()
            if let number = DecimalNumber.parseFloatSyntax(bytes) {
                guard let value = number.scaled(by: 1, power: 9), let nanoseconds = Int64(exactly: value) else {
                    return .failure(DurationError(text: text, reason: DurationError.outOfRangeReason))
                }
                return .success(nanoseconds)
            }
            guard let parsed = PyTimeParse.parse(bytes) else { return nil }
            guard let nanoseconds = parsed.nanoseconds else {
                return .failure(DurationError(text: text, reason: DurationError.outOfRangeReason))
            }
            return .success(nanoseconds)
        }
        switch outcome {
        case .success(let nanoseconds)?: return nanoseconds
        case .failure(let error)?: throw error
        case nil: throw DurationError(text: text, reason: DurationError.unparsableReason)
        }
    }

    /// Formats a duration as Python's `str(datetime.timedelta(seconds=…))`.
    ///
    /// `"0:05:00"`, `"1:00:00"`, `"1 day, 0:00:00"`, `"30 days, 0:00:00"`, `"0:00:01.500000"`,
    /// `"-1 day, 23:59:59"`. The value is first rounded to microseconds, half to even, as
    /// `timedelta` does.
    /// - Parameter nanoseconds: The duration in nanoseconds.
    public static func formatTimedelta(nanoseconds: Int64) -> String {
        // Round to microseconds, half to even.
        var (microseconds, remainder) = Timestamps.floorDivide(nanoseconds, 1000)
        if remainder > 500 || (remainder == 500 && microseconds & 1 == 1) {
            microseconds += 1
        }
        let (days, microsecondOfDay) = Timestamps.floorDivide(microseconds, 86_400_000_000)
        let secondOfDay = microsecondOfDay / 1_000_000
        let fraction = microsecondOfDay % 1_000_000
        var text = ""
        if days != 0 {
            text += "\(days) day\(abs(days) != 1 ? "s" : ""), "
        }
        text += "\(secondOfDay / 3600):\(twoDigits(secondOfDay / 60 % 60)):\(twoDigits(secondOfDay % 60))"
        if fraction != 0 {
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: 6 - digits.count) + digits
        }
        return text
    }

    private static func twoDigits(_ value: Int64) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
