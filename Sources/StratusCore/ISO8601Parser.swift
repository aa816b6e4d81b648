/// Hand-written ISO 8601 reader for the forms `numpy.datetime64` accepts, on UTF-8 bytes.
///
/// Grammar: `YYYY-MM[-DD[(T| )HH[:MM[:SS[.digits*]]][Z|±HH[[:]MM]]]]`. Naive times are UTC;
/// offsets are subtracted. Fraction digits beyond the ninth are truncated.
enum ISO8601Parser {
    enum Outcome: Equatable {
        /// Nanoseconds since the epoch (possibly negative: the caller rejects those).
        case value(Int64)
        /// Shaped like ISO 8601 but a field is out of range (month 13, February 30, hour 24, …).
        case invalid(String)
        /// A valid time before 1970-01-01T00:00:00Z.
        case beforeEpoch
        /// A valid time after what an `Int64` of nanoseconds holds.
        case outOfRange
        /// Not ISO 8601 at all; the caller tries other forms.
        case notISO8601
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Outcome {
        let count = bytes.count
        guard count >= 7,
              let year = digits(bytes, 0, 4),
              bytes[4] == UInt8(ascii: "-"),
              let month = digits(bytes, 5, 2)
        else { return .notISO8601 }
        var index = 7
        var day: Int64 = 1
        var hour: Int64 = 0
        var minute: Int64 = 0
        var second: Int64 = 0
        var fraction: Int64 = 0
        var offsetSeconds: Int64 = 0

        if index < count {
            guard bytes[index] == UInt8(ascii: "-"), let value = digits(bytes, index + 1, 2) else {
                return .notISO8601
            }
            day = value
            index += 3
        }
        if index < count {
            guard bytes[index] == UInt8(ascii: "T") || bytes[index] == UInt8(ascii: " "),
                  let value = digits(bytes, index + 1, 2)
            else { return .notISO8601 }
            hour = value
            index += 3
            if index < count, bytes[index] == UInt8(ascii: ":") {
                guard let value = digits(bytes, index + 1, 2) else { return .notISO8601 }
                minute = value
                index += 3
                if index < count, bytes[index] == UInt8(ascii: ":") {
                    guard let value = digits(bytes, index + 1, 2) else { return .notISO8601 }
                    second = value
                    index += 3
                    if index < count, bytes[index] == UInt8(ascii: ".") {
                        index += 1
                        var used = 0
                        while index < count, let digit = DecimalNumber.asciiDigit(bytes[index]) {
                            if used < 9 {
                                fraction = fraction * 10 + Int64(digit)
                                used += 1
                            }
                            index += 1
                        }
                        while used < 9 {
                            fraction *= 10
                            used += 1
                        }
                    }
                }
            }
            // Zone designator.
            if index < count {
                let sign = bytes[index]
                if sign == UInt8(ascii: "Z") {
                    index += 1
                } else if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                    guard let offsetHours = digits(bytes, index + 1, 2) else { return .notISO8601 }
                    index += 3
                    var offsetMinutes: Int64 = 0
                    if index < count {
                        if bytes[index] == UInt8(ascii: ":") { index += 1 }
                        guard let value = digits(bytes, index, 2) else { return .notISO8601 }
                        offsetMinutes = value
                        index += 2
                    }
                    if offsetHours > 23 { return .invalid("timezone hours offset out of range") }
                    if offsetMinutes > 59 { return .invalid("timezone minutes offset out of range") }
                    let magnitude = offsetHours * 3600 + offsetMinutes * 60
                    offsetSeconds = sign == UInt8(ascii: "+") ? magnitude : -magnitude
                } else {
                    return .notISO8601
                }
            }
            if index != count { return .notISO8601 }
        }

        guard month >= 1, month <= 12 else { return .invalid("month out of range") }
        guard day >= 1, day <= daysInMonth(year, month) else { return .invalid("day out of range") }
        guard hour <= 23 else { return .invalid("hours out of range") }
        guard minute <= 59 else { return .invalid("minutes out of range") }
        guard second <= 59 else { return .invalid("seconds out of range") }

        let days = Timestamps.days(fromCivil: year, month, day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        if seconds < 0 { return .beforeEpoch }
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: Timestamps.nanosecondsPerSecond)
        if overflow { return .outOfRange }
        let (total, overflowAgain) = scaled.addingReportingOverflow(fraction)
        if overflowAgain { return .outOfRange }
        return .value(total)
    }

    /// The value of `width` ASCII digits starting at `start`, or nil.
    @inline(__always)
    static func digits(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ width: Int) -> Int64? {
        guard start + width <= bytes.count else { return nil }
        var value: Int64 = 0
        for index in start..<(start + width) {
            guard let digit = DecimalNumber.asciiDigit(bytes[index]) else { return nil }
            value = value * 10 + Int64(digit)
        }
        return value
    }

    @inline(__always)
    static func daysInMonth(_ year: Int64, _ month: Int64) -> Int64 {
        switch month {
        case 2: return Timestamps.isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
