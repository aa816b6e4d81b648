#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Python's `str()` and `repr()` of telemetry values, for signatures and JSON that match
/// Ceilometer's byte for byte.
enum PythonText {
    /// `str(value)`.
    static func str(_ value: TelemetryValue) -> String {
        switch value {
        case .string(let text): text
        default: repr(value)
        }
    }

    /// `repr(value)`; dictionaries list their keys sorted.
    static func repr(_ value: TelemetryValue) -> String {
        switch value {
        case .null: "None"
        case .bool(let flag): flag ? "True" : "False"
        case .int(let number): String(number)
        case .double(let number): floatRepr(number)
        case .string(let text): quoted(Array(text.unicodeScalars).map(\.value), bytes: false)
        case .list(let items): listRepr(items, stringsAsBytes: false)
        case .dictionary(let entries):
            "{" + entries.keys.sorted(by: less).map { key in
                quoted(Array(key.unicodeScalars).map(\.value), bytes: false) + ": " + repr(entries[key]!)
            }.joined(separator: ", ") + "}"
        }
    }

    /// `repr(list)`; with `stringsAsBytes`, string items are rendered as `bytes` (`b'…'`), as
    /// Ceilometer's `recursive_keypairs` encodes them before `str()`.
    static func listRepr(_ items: [TelemetryValue], stringsAsBytes: Bool) -> String {
        "[" + items.map { item in
            if stringsAsBytes, case .string(let text) = item {
                return "b" + quoted(Array(text.utf8).map(UInt32.init), bytes: true)
            }
            return repr(item)
        }.joined(separator: ", ") + "]"
    }

    /// Python's ordering of `str` keys: by code point.
    static func less(_ lhs: String, _ rhs: String) -> Bool {
        // UTF-8 preserves code point order, and its bytes are cheaper to compare than scalars.
        var lhs = lhs, rhs = rhs
        return lhs.withUTF8 { left in
            rhs.withUTF8 { right in
                let common = min(left.count, right.count)
                if common > 0, let base = left.baseAddress, let other = right.baseAddress {
                    let order = memcmp(base, other, common)
                    if order != 0 { return order < 0 }
                }
                return left.count < right.count
            }
        }
    }

    /// A quoted literal as Python writes it: single quotes unless the text holds a single quote
    /// and no double quote.
    private static func quoted(_ units: [UInt32], bytes: Bool) -> String {
        let single = UInt32(UInt8(ascii: "'")), double = UInt32(UInt8(ascii: "\""))
        let quote: UInt32 = units.contains(single) && !units.contains(double) ? double : single
        var out = String(Unicode.Scalar(UInt8(quote)))
        for unit in units {
            switch unit {
            case quote, 0x5C: out += "\\" + String(Unicode.Scalar(UInt8(unit)))
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0..<0x20, 0x7F: out += "\\x" + hex(unit, width: 2)
            case 0x80...0xFF where bytes: out += "\\x" + hex(unit, width: 2)
            case 0x80..<0xA0: out += "\\x" + hex(unit, width: 2)
            default: out.unicodeScalars.append(Unicode.Scalar(unit) ?? "?")
            }
        }
        out.unicodeScalars.append(Unicode.Scalar(UInt8(quote)))
        return out
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// `repr(float)`: the shortest round-tripping digits, positional when the decimal exponent is
    /// in -4 ..< 16 (always with a fractional part), else scientific with a signed two-digit
    /// exponent (`1e-05`, `1.5e+16`); `nan`, `inf`, `-inf`.
    static func floatRepr(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description also prints the shortest round-tripping digits; take them apart.
        var text = "\(value.magnitude)"
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        var integerPart = text, fractionPart = ""
        if let dot = text.firstIndex(of: ".") {
            integerPart = String(text[..<dot])
            fractionPart = String(text[text.index(after: dot)...])
        }
        var digits = integerPart + fractionPart
        var pointPosition = integerPart.count + exponent  // digits before the decimal point
        while digits.hasPrefix("0"), digits.count > 1 {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.hasSuffix("0"), digits.count > 1 { digits.removeLast() }
        let decimalExponent = pointPosition - 1
        let sign = value < 0 ? "-" : ""
        if decimalExponent >= -4 && decimalExponent < 16 {
            if pointPosition <= 0 {
                return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
            }
            if pointPosition >= digits.count {
                return sign + digits + String(repeating: "0", count: pointPosition - digits.count) + ".0"
            }
            let split = digits.index(digits.startIndex, offsetBy: pointPosition)
            return sign + digits[..<split] + "." + digits[split...]
        }
        let mantissa = digits.count == 1 ? digits : String(digits.first!) + "." + digits.dropFirst()
        let exponentText = abs(decimalExponent) < 10 ? "0\(abs(decimalExponent))" : "\(abs(decimalExponent))"
        return sign + mantissa + "e" + (decimalExponent < 0 ? "-" : "+") + exponentText
    }
}
