#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Numbers as Gnocchi reads measure values: Python's `float()` on a JSON number or a string.
enum PythonFloat {
    /// Python `float(text)`: surrounding ASCII whitespace, an optional sign, digits with single underscores
    /// between them, an optional fraction and exponent, or `inf` / `infinity` / `nan` in any case.
    /// - Returns: nil where Python raises `ValueError`.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var start = 0
        var end = bytes.count
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        guard start < end else { return nil }
        var index = start
        var negative = false
        if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        let rest = UnsafeBufferPointer(rebasing: bytes[index..<end])
        if equalsIgnoringCase(rest, "inf") || equalsIgnoringCase(rest, "infinity") {
            return negative ? -.infinity : .infinity
        }
        if equalsIgnoringCase(rest, "nan") { return .nan }
        guard let cleaned = decimalWithoutUnderscores(rest) else { return nil }
        let magnitude = cleaned.withUnsafeBufferPointer { decimal($0) }
        return negative ? -magnitude : magnitude
    }

    /// Whether Python's `float(text)` accepts the text.
    static func accepts(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { parse(bytes) != nil }

    /// The value of a number token of `JSONByteScanner` (ujson's grammar, `NaN`, `Infinity`, `-Infinity`), as
    /// Python's `float()` of what ujson decodes: correctly rounded; integers (no fraction, no exponent) are
    /// Python `int`s first, so `-0` is `0.0`.
    @inline(__always)
    static func jsonNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Double {
        var index = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") {
            negative = true
            index = 1
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "I") { return negative ? -.infinity : .infinity }
        if bytes[0] == UInt8(ascii: "N") { return .nan }
        let magnitude = decimal(UnsafeBufferPointer(rebasing: bytes[index...]))
        if magnitude == 0, !bytes.contains(UInt8(ascii: ".")), !bytes.contains(where: { $0 | 0x20 == UInt8(ascii: "e") }) {
            return 0
        }
        return negative ? -magnitude : magnitude
    }

    // MARK: - Internals

    private static let exactPowersOfTen: [Double] = (0...22).map { power in
        var value = 1.0
        for _ in 0..<power { value *= 10 }
        return value
    }

    /// An unsigned decimal `digits[.digits][e[±]digits]` (or `.digits`, `digits.`): Clinger's fast path when
    /// the significand and the power of ten are exact doubles, `strtod` otherwise.
    @inline(__always)
    private static func decimal(_ bytes: UnsafeBufferPointer<UInt8>) -> Double {
        var significand: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        var index = 0
        let count = bytes.count
        var inFraction = false
        while index < count {
            let byte = bytes[index]
            let digit = byte &- UInt8(ascii: "0")
            if digit < 10 {
                if significand != 0 || digit != 0 { digits += 1 }
                significand = significand &* 10 &+ UInt64(digit)
                if inFraction { fractionDigits += 1 }
            } else if byte == UInt8(ascii: "."), !inFraction {
                inFraction = true
            } else {
                break  // exponent: slow path
            }
            index += 1
        }
        if index == count, digits <= 15, fractionDigits <= 22 {
            return Double(significand) / exactPowersOfTen[fractionDigits]
        }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer in
            for offset in 0..<count { buffer[offset] = CChar(bitPattern: bytes[offset]) }
            buffer[count] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }

    /// Checks Python's decimal float grammar and returns the text without underscores; nil when invalid.
    private static func decimalWithoutUnderscores(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var index = 0
        let count = bytes.count
        /// Reads `digit (_? digit)*`; false when there is none or an underscore is misplaced.
        func digitPart() -> Bool {
            guard index < count, JSONByteScanner.isDigit(bytes[index]) else { return false }
            while index < count {
                let byte = bytes[index]
                if JSONByteScanner.isDigit(byte) {
                    out.append(byte)
                    index += 1
                } else if byte == UInt8(ascii: "_"), index + 1 < count, JSONByteScanner.isDigit(bytes[index + 1]) {
                    index += 1
                } else {
                    break
                }
            }
            return true
        }
        let integer = digitPart()
        var fraction = false
        if index < count, bytes[index] == UInt8(ascii: ".") {
            out.append(UInt8(ascii: "."))
            index += 1
            fraction = digitPart()
        }
        guard integer || fraction else { return nil }
        if index < count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            out.append(UInt8(ascii: "e"))
            index += 1
            if index < count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                out.append(bytes[index])
                index += 1
            }
            guard digitPart() else { return nil }
        }
        return index == count ? out : nil
    }

    @inline(__always)
    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }

    private static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        guard bytes.count == word.utf8CodeUnitCount else { return false }
        let text = word.utf8Start
        for index in 0..<bytes.count where bytes[index] | 0x20 != text[index] {
            return false
        }
        return true
    }
}
