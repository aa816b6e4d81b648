/// An exactly parsed decimal number: `±significand × 10^exponent`.
///
/// Used instead of `Double` where Gnocchi parses text with Python's `float()` or `Decimal()`, so
/// that "1420070400.123456789" keeps every nanosecond. At most 19 significant digits are kept; the
/// digits beyond them are truncated (they are below a nanosecond for every value Stratus accepts).
struct DecimalNumber: Sendable, Hashable {
    var negative: Bool
    var significand: UInt64
    var exponent: Int

    static let zero = DecimalNumber(negative: false, significand: 0, exponent: 0)

    /// Parses Python `float()` syntax without the special values: optional sign, digits with an
    /// optional fraction (`"5."`, `".5"`, `"1.25"`), optional exponent (`"1e3"`). No surrounding
    /// whitespace. Returns nil when the bytes are not such a number.
    static func parseFloatSyntax(_ bytes: UnsafeBufferPointer<UInt8>) -> DecimalNumber? {
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        guard var number = parseUnsigned(bytes, from: &index, allowExponent: true), index == bytes.count else {
            return nil
        }
        number.negative = negative
        return number
    }

    /// Parses the `[\d.]+` tokens of pytimeparse as Python's `Decimal()` would: digits with at most
    /// one dot and at least one digit. Returns nil for "." or "1.2.3".
    static func parseDigitsAndDot(_ bytes: UnsafeBufferPointer<UInt8>) -> DecimalNumber? {
        var index = 0
        guard let number = parseUnsigned(bytes, from: &index, allowExponent: false), index == bytes.count else {
            return nil
        }
        return number
    }

    /// Parses `digits[.digits]` / `.digits` / `digits.` and an optional exponent starting at `index`.
    static func parseUnsigned(
        _ bytes: UnsafeBufferPointer<UInt8>, from index: inout Int, allowExponent: Bool
    ) -> DecimalNumber? {
        var significand: UInt64 = 0
        var kept = 0          // significant digits stored in `significand`
        var exponent = 0
        var sawDigit = false
        var i = index
        // Integer part.
        while i < bytes.count, let digit = asciiDigit(bytes[i]) {
            sawDigit = true
            if kept < 19 {
                if significand != 0 || digit != 0 {
                    significand = significand &* 10 &+ UInt64(digit)
                    kept += 1
                }
            } else {
                exponent += 1  // dropped integer digit
            }
            i += 1
        }
        // Fraction.
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < bytes.count, let digit = asciiDigit(bytes[i]) {
                sawDigit = true
                if kept < 19 {
                    if significand != 0 || digit != 0 {
                        significand = significand &* 10 &+ UInt64(digit)
                        kept += 1
                    }
                    exponent -= 1
                }
                i += 1
            }
        }
        guard sawDigit else { return nil }
        // Exponent.
        if allowExponent, i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            var j = i + 1
            var exponentNegative = false
            if j < bytes.count, bytes[j] == UInt8(ascii: "+") || bytes[j] == UInt8(ascii: "-") {
                exponentNegative = bytes[j] == UInt8(ascii: "-")
                j += 1
            }
            var value = 0
            var sawExponentDigit = false
            while j < bytes.count, let digit = asciiDigit(bytes[j]) {
                sawExponentDigit = true
                if value < 100_000 { value = value * 10 + Int(digit) }
                j += 1
            }
            guard sawExponentDigit else { return nil }
            exponent += exponentNegative ? -value : value
            i = j
        }
        index = i
        if significand == 0 { exponent = 0 }
        return DecimalNumber(negative: false, significand: significand, exponent: exponent)
    }

    /// The value multiplied by `multiplier × 10^power`, truncated toward zero; nil if it does not
    /// fit in an `Int128`.
    func scaled(by multiplier: Int128, power: Int) -> Int128? {
        if significand == 0 { return 0 }
        let total = exponent + power
        var value = Int128(significand)
        let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
        if overflow { return nil }
        value = product
        if total >= 0 {
            for _ in 0..<total {
                let (next, overflow) = value.multipliedReportingOverflow(by: 10)
                if overflow { return nil }
                value = next
            }
        } else if total < -40 {
            value = 0
        } else {
            for _ in 0..<(-total) { value /= 10 }
        }
        return negative ? -value : value
    }

    @inline(__always)
    static func asciiDigit(_ byte: UInt8) -> UInt8? {
        let digit = byte &- UInt8(ascii: "0")
        return digit < 10 ? digit : nil
    }
}

extension UInt8 {
    /// True for the ASCII whitespace Python's `str.strip()` and `\s` remove (space, \t, \n, \v, \f, \r).
    @inline(__always)
    var isASCIIWhitespace: Bool {
        self == 0x20 || (self >= 0x09 && self <= 0x0D)
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// The bytes without leading and trailing ASCII whitespace.
    func trimmingASCIIWhitespace() -> UnsafeBufferPointer<UInt8> {
        var start = 0
        var end = count
        while start < end, self[start].isASCIIWhitespace { start += 1 }
        while end > start, self[end - 1].isASCIIWhitespace { end -= 1 }
        return UnsafeBufferPointer(rebasing: self[start..<end])
    }
}
