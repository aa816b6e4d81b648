/// A hand-written equivalent of pytimeparse 1.1.10's `timeparse(sval)` (default granularity
/// "seconds"), the parser behind Gnocchi's `utils.to_timespan`, on UTF-8 bytes.
///
/// The formats are tried in pytimeparse's order, each anchored at both ends and case-insensitive:
/// 1. `[W w] [D d] [H h] [M m] [S s]` — units in this order, each `[\d.]+\s*unit`, each but the
///    seconds optionally followed by one `,` or `/`: `"1w 2d"`, `"2h30m"`, `"1.5 hours"`,
///    `"5 minutes, 3 secs"`. Units: `w wk wks week weeks`, `d dy dys day days`,
///    `h hr hrs hour hours`, `m min mins minute minutes`, `s sec secs second seconds`.
/// 2. `M:SS[.f]` with one or two minute digits (`"1:24"` is 84 seconds).
/// 3. `[W w] [D d] H:MM:SS[.f]` — this covers Python's `str(timedelta)`: `"30 days, 0:00:00"`.
/// 4. `D:HH:MM:SS[.f]` or `D-HH:MM:SS[.f]`.
/// 5. `:SS[.f]`.
/// A leading `+` or `-` applies to the whole expression.
///
/// Values are summed as pytimeparse does: when every field is an integer the sum is exact; when
/// the seconds field is an integer (or absent) the other fields' sum is truncated to whole
/// seconds (`"1.01m"` is 60 s); otherwise the sum keeps its fraction. Stratus computes exactly
/// where pytimeparse uses `float`, then truncates to nanoseconds as Gnocchi's `int(s * 10e8)`.
enum PyTimeParse {
    struct Parsed: Equatable {
        /// The duration in nanoseconds, nil if it does not fit in an `Int64`.
        var nanoseconds: Int64?
    }

    /// Field indexes, also the order in which units must appear.
    private static let weeks = 0, days = 1, hours = 2, minutes = 3, seconds = 4
    private static let multipliers: [Int128] = [604_800, 86_400, 3600, 60, 1]
    private static let attosecondsPerSecond: Int128 = 1_000_000_000_000_000_000

    /// A numeric field as written: its bytes' range.
    private typealias Fields = [Range<Int>?]

    static func parse(_ input: UnsafeBufferPointer<UInt8>) -> Parsed? {
        var start = 0
        let end = input.count
        while start < end, input[start].isASCIIWhitespace { start += 1 }
        var negative = false
        if start < end, input[start] == UInt8(ascii: "+") || input[start] == UInt8(ascii: "-") {
            negative = input[start] == UInt8(ascii: "-")
            start += 1
        }
        var stop = end
        while stop > start, input[stop - 1].isASCIIWhitespace { stop -= 1 }
        while start < stop, input[start].isASCIIWhitespace { start += 1 }
        guard start < stop else { return nil }  // match.group(0).strip() must not be empty
        let bytes = UnsafeBufferPointer(rebasing: input[start..<stop])

        let candidates: [(UnsafeBufferPointer<UInt8>) -> Fields?] = [
            unitsFormat, minuteClockFormat, hourClockFormat, dayClockFormat, secondClockFormat,
        ]
        for candidate in candidates {
            guard let fields = candidate(bytes) else { continue }
            if let value = evaluate(fields, in: bytes, negative: negative) {
                return value
            }
            // Malformed number ("1.2.3", "."): pytimeparse goes on with the next format.
        }
        return nil
    }

    // MARK: - Formats

    /// Format 1: `[W w] [D d] [H h] [M m] [S s]`.
    private static func unitsFormat(_ bytes: UnsafeBufferPointer<UInt8>) -> Fields? {
        var fields: Fields = Array(repeating: nil, count: 5)
        var index = 0
        guard scanUnits(bytes, &index, upTo: seconds, into: &fields), index == bytes.count else { return nil }
        return fields
    }

    /// Format 2: `M:SS[.f]`.
    private static func minuteClockFormat(_ bytes: UnsafeBufferPointer<UInt8>) -> Fields? {
        var index = 0
        let minuteDigits = scanDigits(bytes, &index)
        guard (1...2).contains(minuteDigits.count), index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
            return nil
        }
        index += 1
        guard let secondDigits = scanClockSeconds(bytes, &index), index == bytes.count else { return nil }
        var fields: Fields = Array(repeating: nil, count: 5)
        fields[minutes] = minuteDigits
        fields[seconds] = secondDigits
        return fields
    }

    /// Format 3: `[W w] [D d] H:MM:SS[.f]`.
    private static func hourClockFormat(_ bytes: UnsafeBufferPointer<UInt8>) -> Fields? {
        var fields: Fields = Array(repeating: nil, count: 5)
        var index = 0
        guard scanUnits(bytes, &index, upTo: days, into: &fields) else { return nil }
        let hourDigits = scanDigits(bytes, &index)
        guard !hourDigits.isEmpty, index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
        index += 1
        guard let minuteDigits = scanFixedDigits(bytes, &index, 2),
              index < bytes.count, bytes[index] == UInt8(ascii: ":")
        else { return nil }
        index += 1
        guard let secondDigits = scanClockSeconds(bytes, &index), index == bytes.count else { return nil }
        fields[hours] = hourDigits
        fields[minutes] = minuteDigits
        fields[seconds] = secondDigits
        return fields
    }

    /// Format 4: `D:HH:MM:SS[.f]` or `D-HH:MM:SS[.f]`.
    private static func dayClockFormat(_ bytes: UnsafeBufferPointer<UInt8>) -> Fields? {
        var index = 0
        let dayDigits = scanDigits(bytes, &index)
        guard !dayDigits.isEmpty, index < bytes.count,
              bytes[index] == UInt8(ascii: ":") || bytes[index] == UInt8(ascii: "-")
        else { return nil }
        index += 1
        guard let hourDigits = scanFixedDigits(bytes, &index, 2),
              index < bytes.count, bytes[index] == UInt8(ascii: ":")
        else { return nil }
        index += 1
        guard let minuteDigits = scanFixedDigits(bytes, &index, 2),
              index < bytes.count, bytes[index] == UInt8(ascii: ":")
        else { return nil }
        index += 1
        guard let secondDigits = scanClockSeconds(bytes, &index), index == bytes.count else { return nil }
        var fields: Fields = Array(repeating: nil, count: 5)
        fields[days] = dayDigits
        fields[hours] = hourDigits
        fields[minutes] = minuteDigits
        fields[seconds] = secondDigits
        return fields
    }

    /// Format 5: `:SS[.f]`.
    private static func secondClockFormat(_ bytes: UnsafeBufferPointer<UInt8>) -> Fields? {
        guard bytes.first == UInt8(ascii: ":") else { return nil }
        var index = 1
        guard let secondDigits = scanClockSeconds(bytes, &index), index == bytes.count else { return nil }
        var fields: Fields = Array(repeating: nil, count: 5)
        fields[seconds] = secondDigits
        return fields
    }

    // MARK: - Scanning

    /// Scans `[\d.]+\s*unit\s*([,/]\s*)?` groups whose units come in order and are at most `last`.
    /// Stops (successfully) before anything that does not start such a group, or at the end.
    /// For format 1 (`last == seconds`) the seconds group takes no separator.
    private static func scanUnits(
        _ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int, upTo last: Int, into fields: inout Fields
    ) -> Bool {
        var next = 0
        var position = index
        while position < bytes.count {
            var cursor = position
            let number = scanNumberToken(bytes, &cursor)
            guard !number.isEmpty else { break }
            skipWhitespace(bytes, &cursor)
            let wordStart = cursor
            while cursor < bytes.count, isASCIILetter(bytes[cursor]) { cursor += 1 }
            guard let unit = unitIndex(UnsafeBufferPointer(rebasing: bytes[wordStart..<cursor])),
                  unit >= next, unit <= last
            else { break }
            fields[unit] = number
            next = unit + 1
            skipWhitespace(bytes, &cursor)
            if unit != seconds, cursor < bytes.count,
               bytes[cursor] == UInt8(ascii: ",") || bytes[cursor] == UInt8(ascii: "/") {
                cursor += 1
                skipWhitespace(bytes, &cursor)
            }
            position = cursor
            if unit == seconds { break }
        }
        index = position
        return true
    }

    private static func scanNumberToken(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int) -> Range<Int> {
        let start = index
        while index < bytes.count, DecimalNumber.asciiDigit(bytes[index]) != nil || bytes[index] == UInt8(ascii: ".") {
            index += 1
        }
        return start..<index
    }

    private static func scanDigits(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int) -> Range<Int> {
        let start = index
        while index < bytes.count, DecimalNumber.asciiDigit(bytes[index]) != nil { index += 1 }
        return start..<index
    }

    private static func scanFixedDigits(
        _ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int, _ width: Int
    ) -> Range<Int>? {
        guard index + width <= bytes.count else { return nil }
        for position in index..<(index + width) where DecimalNumber.asciiDigit(bytes[position]) == nil {
            return nil
        }
        defer { index += width }
        return index..<(index + width)
    }

    /// `\d{2}(?:\.\d+)?`
    private static func scanClockSeconds(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int) -> Range<Int>? {
        let start = index
        guard scanFixedDigits(bytes, &index, 2) != nil else { return nil }
        if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "."),
           DecimalNumber.asciiDigit(bytes[index + 1]) != nil {
            index += 1
            _ = scanDigits(bytes, &index)
        }
        return start..<index
    }

    private static func skipWhitespace(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int) {
        while index < bytes.count, bytes[index].isASCIIWhitespace { index += 1 }
    }

    @inline(__always)
    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        let lower = byte | 0x20
        return lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")
    }

    private static let unitWords: [(String, Int)] = [
        ("w", weeks), ("wk", weeks), ("wks", weeks), ("week", weeks), ("weeks", weeks),
        ("d", days), ("dy", days), ("dys", days), ("day", days), ("days", days),
        ("h", hours), ("hr", hours), ("hrs", hours), ("hour", hours), ("hours", hours),
        ("m", minutes), ("min", minutes), ("mins", minutes), ("minute", minutes), ("minutes", minutes),
        ("s", seconds), ("sec", seconds), ("secs", seconds), ("second", seconds), ("seconds", seconds),
    ]

    private static func unitIndex(_ word: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !word.isEmpty, word.count <= 7 else { return nil }
        outer: for (candidate, unit) in unitWords where candidate.utf8.count == word.count {
            for (offset, byte) in candidate.utf8.enumerated() where word[offset] | 0x20 != byte {
                continue outer
            }
            return unit
        }
        return nil
    }

    // MARK: - Evaluation

    private static func isAllDigits(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        !range.isEmpty && range.allSatisfy { DecimalNumber.asciiDigit(bytes[$0]) != nil }
    }

    /// Sums the fields as pytimeparse does; nil when a field is not a valid number.
    private static func evaluate(_ fields: Fields, in bytes: UnsafeBufferPointer<UInt8>, negative: Bool) -> Parsed? {
        var numbers: [DecimalNumber?] = Array(repeating: nil, count: 5)
        for (unit, range) in fields.enumerated() {
            guard let range else { continue }
            guard let number = DecimalNumber.parseDigitsAndDot(UnsafeBufferPointer(rebasing: bytes[range])) else {
                return nil
            }
            numbers[unit] = number
        }
        let secondsIsInteger = fields[seconds].map { isAllDigits(bytes, $0) } ?? true
        // Sum of every field but the seconds, in attoseconds.
        var otherAttoseconds: Int128 = 0
        for unit in weeks..<seconds {
            guard let number = numbers[unit] else { continue }
            guard let term = number.scaled(by: multipliers[unit], power: 18) else { return Parsed(nanoseconds: nil) }
            let (sum, overflow) = otherAttoseconds.addingReportingOverflow(term)
            if overflow { return Parsed(nanoseconds: nil) }
            otherAttoseconds = sum
        }
        var nanoseconds: Int128
        if secondsIsInteger {
            // Both pytimeparse integer branches: the other fields truncated to whole seconds
            // (exact when they are integers), plus the integer seconds.
            guard let secondsValue = (numbers[seconds] ?? .zero).scaled(by: 1, power: 0) else {
                return Parsed(nanoseconds: nil)
            }
            let wholeSeconds = otherAttoseconds / attosecondsPerSecond + secondsValue
            let (product, overflow) = wholeSeconds.multipliedReportingOverflow(by: 1_000_000_000)
            if overflow { return Parsed(nanoseconds: nil) }
            nanoseconds = product
        } else {
            guard let secondsAttoseconds = (numbers[seconds] ?? .zero).scaled(by: 1, power: 18) else {
                return Parsed(nanoseconds: nil)
            }
            let (sum, overflow) = otherAttoseconds.addingReportingOverflow(secondsAttoseconds)
            if overflow { return Parsed(nanoseconds: nil) }
            nanoseconds = sum / 1_000_000_000
        }
        if negative { nanoseconds = -nanoseconds }
        return Parsed(nanoseconds: Int64(exactly: nanoseconds))
    }
}
