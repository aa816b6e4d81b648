#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Timestamps as Gnocchi accepts and prints them, held as `Int64` nanoseconds since the Unix epoch.
///
/// The representable range is the one of Gnocchi's `datetime64[ns]`: from the epoch (earlier times
/// are rejected, as in Gnocchi) to 2262-04-11T23:47:16.854775807Z.
public enum Timestamps {
    /// Nanoseconds in one second.
    public static let nanosecondsPerSecond: Int64 = 1_000_000_000

    /// Parses a timestamp as Gnocchi's `utils.to_timestamp` does.
    ///
    /// Tried in Gnocchi's order:
    /// 1. a number (Python `float()` syntax: `"1420070400"`, `"1420070400.5"`, `"1.4e9"`) — seconds
    ///    since the epoch, parsed exactly to the nanosecond;
    /// 2. ISO 8601 as numpy reads it: `YYYY-MM[-DD[(T| )HH[:MM[:SS[.fraction]]][Z|±HH[[:]MM]]]]`,
    ///    naive times are UTC, fractions beyond nanoseconds are truncated; `now` and `today`;
    /// 3. a relative time, `now` plus a pytimeparse duration (`"-2 days"`, `"10 minutes"`, `"+3 weeks"`).
    ///
    /// Surrounding whitespace is ignored.
    /// - Parameters:
    ///   - text: The text to parse.
    ///   - now: The current time in nanoseconds since the epoch, for `now`, `today` and relative times.
    /// - Returns: Nanoseconds since the Unix epoch.
    /// - Throws: `TimestampError` with code `.unparsable`, `.beforeEpoch` or `.outOfRange`.
    public static func parse(_ text: String, now: Int64) throws(TimestampError) -> Int64 {
        var copy = text
        let outcome = copy.withUTF8 { raw in
            parse(bytes: raw.trimmingASCIIWhitespace(), now: now)
        }
        switch outcome {
        case .success(let nanoseconds):
            return nanoseconds
        case .failure(let failure):
            throw TimestampError(code: failure.code, text: text, reason: failure.reason)
        }
    }

    /// Converts seconds since the epoch given as a JSON number.
    ///
    /// The shortest decimal text of the `Double` is converted exactly, so `1420070400.123` gives
    /// `1420070400123000000` rather than the binary approximation's `…122999906`. Callers that still
    /// hold the number's original text should call `parse(_:now:)` with it instead.
    /// - Throws: `TimestampError` for NaN and infinities (`.unparsable`), negative values
    ///   (`.beforeEpoch`) and values past 2262 (`.outOfRange`).
    public static func fromEpochSeconds(_ seconds: Double) throws(TimestampError) -> Int64 {
        guard seconds.isFinite else {
            throw TimestampError(code: .unparsable, text: seconds.description)
        }
        if seconds == seconds.rounded(.towardZero), abs(seconds) < 9.0e15 {
            // Whole seconds: no decimal conversion needed.
            let whole = Int64(seconds)
            if whole < 0 { throw TimestampError(code: .beforeEpoch, text: seconds.description) }
            let (value, overflow) = whole.multipliedReportingOverflow(by: nanosecondsPerSecond)
            if overflow { throw TimestampError(code: .outOfRange, text: seconds.description) }
            return value
        }
        var text = seconds.description
        let outcome: Result<Int64, Failure> = text.withUTF8 { raw in
            guard let number = DecimalNumber.parseFloatSyntax(raw) else {
                return .failure(Failure(code: .unparsable))
            }
            return epochNanoseconds(number)
        }
        switch outcome {
        case .success(let nanoseconds): return nanoseconds
        case .failure(let failure): throw TimestampError(code: failure.code, text: text, reason: failure.reason)
        }
    }

    /// Formats a timestamp in UTC as Gnocchi prints it (Python's `isoformat()`).
    ///
    /// `"2014-01-01T12:00:00+00:00"`; with `.ffffff` when the microseconds are not zero
    /// (`"2014-01-01T12:00:00.500000+00:00"`); with nine fraction digits when the value is not a
    /// whole number of microseconds (`"2014-01-01T12:00:00.000000001+00:00"`).
    /// - Parameter nanoseconds: Nanoseconds since the epoch; negative values are formatted too.
    public static func format(_ nanoseconds: Int64) -> String {
        let (seconds, fraction) = floorDivide(nanoseconds, nanosecondsPerSecond)
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let (year, month, day) = civil(fromDays: days)
        let hour = secondOfDay / 3600
        let minute = secondOfDay / 60 % 60
        let second = secondOfDay % 60
        let fractionDigits = fraction == 0 ? 0 : (fraction % 1000 == 0 ? 6 : 9)
        let capacity = 25 + (fractionDigits == 0 ? 0 : fractionDigits + 1) + 2
        return String(unsafeUninitializedCapacity: capacity) { buffer in
            var index = 0
            func put(_ byte: UInt8) {
                buffer[index] = byte
                index += 1
            }
            func put(_ value: Int64, digits: Int) {
                var divisor: Int64 = 1
                for _ in 1..<digits { divisor *= 10 }
                var rest = value
                for _ in 0..<digits {
                    put(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
                    rest %= divisor
                    divisor /= 10
                }
            }
            if year < 0 {
                put(UInt8(ascii: "-"))
                put(-year, digits: 4)
            } else {
                put(year, digits: 4)
            }
            put(UInt8(ascii: "-"))
            put(month, digits: 2)
            put(UInt8(ascii: "-"))
            put(day, digits: 2)
            put(UInt8(ascii: "T"))
            put(hour, digits: 2)
            put(UInt8(ascii: ":"))
            put(minute, digits: 2)
            put(UInt8(ascii: ":"))
            put(second, digits: 2)
            if fractionDigits == 6 {
                put(UInt8(ascii: "."))
                put(fraction / 1000, digits: 6)
            } else if fractionDigits == 9 {
                put(UInt8(ascii: "."))
                put(fraction, digits: 9)
            }
            for byte in "+00:00".utf8 { put(byte) }
            return index
        }
    }

    /// The wall-clock time in nanoseconds since the epoch (`CLOCK_REALTIME`).
    public static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * nanosecondsPerSecond + Int64(spec.tv_nsec)
    }

    // MARK: - Internals

    /// A failure before the text is attached.
    struct Failure: Error, Sendable {
        var code: TimestampError.Code
        var reason: String?
    }

    static func parse(bytes: UnsafeBufferPointer<UInt8>, now: Int64) -> Result<Int64, Failure> {
        guard !bytes.isEmpty else { return .failure(Failure(code: .unparsable)) }
        // 1. Python float(): epoch seconds.
        if let number = DecimalNumber.parseFloatSyntax(bytes) {
            return epochNanoseconds(number)
        }
        if isPythonFloatSpecial(bytes) {
            return .failure(Failure(code: .unparsable))
        }
        // 2. numpy.datetime64(): ISO 8601, "now", "today".
        switch ISO8601Parser.parse(bytes) {
        case .value(let nanoseconds):
            return checkEpoch(nanoseconds)
        case .beforeEpoch:
            return .failure(Failure(code: .beforeEpoch))
        case .outOfRange:
            return .failure(Failure(code: .outOfRange))
        case .invalid(let reason):
            return .failure(Failure(code: .unparsable, reason: "\(TimestampError.unparsableReason): \(reason)"))
        case .notISO8601:
            break
        }
        if equalsIgnoringCase(bytes, "now") {
            return checkEpoch(now)
        }
        if equalsIgnoringCase(bytes, "today") {
            let (days, _) = floorDivide(now, 86_400 * nanosecondsPerSecond)
            return checkEpoch(days * 86_400 * nanosecondsPerSecond)
        }
        // 3. now + pytimeparse duration.
        guard let delta = PyTimeParse.parse(bytes) else {
            return .failure(Failure(code: .unparsable))
        }
        guard let deltaNanoseconds = delta.nanoseconds else {
            return .failure(Failure(code: .outOfRange))
        }
        let (sum, overflow) = now.addingReportingOverflow(deltaNanoseconds)
        if overflow { return .failure(Failure(code: sum < 0 ? .outOfRange : .beforeEpoch)) }
        return checkEpoch(sum)
    }

    static func epochNanoseconds(_ number: DecimalNumber) -> Result<Int64, Failure> {
        if number.negative && number.significand != 0 {
            return .failure(Failure(code: .beforeEpoch))
        }
        guard let value = number.scaled(by: 1, power: 9), let nanoseconds = Int64(exactly: value) else {
            return .failure(Failure(code: .outOfRange))
        }
        return checkEpoch(nanoseconds)
    }

    @inline(__always)
    static func checkEpoch(_ nanoseconds: Int64) -> Result<Int64, Failure> {
        nanoseconds < 0 ? .failure(Failure(code: .beforeEpoch)) : .success(nanoseconds)
    }

    /// "inf", "infinity", "nan" with an optional sign, any case: Python's float() accepts them but
    /// they are no time.
    static func isPythonFloatSpecial(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var rest = bytes
        if let first = rest.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            rest = UnsafeBufferPointer(rebasing: rest[1...])
        }
        return equalsIgnoringCase(rest, "inf") || equalsIgnoringCase(rest, "infinity")
            || equalsIgnoringCase(rest, "nan")
    }

    static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        guard bytes.count == word.utf8CodeUnitCount else { return false }
        let wordBytes = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for index in 0..<bytes.count where bytes[index] | 0x20 != wordBytes[index] | 0x20 {
            return false
        }
        return true
    }

    /// Division rounding toward negative infinity, with a non-negative remainder.
    @inline(__always)
    static func floorDivide(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    @inline(__always)
    public static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (`civil_from_days`).
    public static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// True for leap years of the proleptic Gregorian calendar.
    @inline(__always)
    static func isLeapYear(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }
}
