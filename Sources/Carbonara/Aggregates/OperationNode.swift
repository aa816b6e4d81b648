/// A raw `/v1/aggregates` operation tree, before validation: what the JSON body or the S-expression string
/// holds (lists, strings, numbers). Also carries the `detail` of error bodies, which Gnocchi builds from the
/// same kind of values.
public indirect enum OperationNode: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A JSON number without fraction or exponent (Python `int`).
    case integer(Int64)
    /// Any other number (Python `float`).
    case number(Double)
    case string(String)
    case list([OperationNode])
    /// A JSON object (never valid in an operation; kept to report it), members in document order.
    case object([(String, OperationNode)])

    public static func == (lhs: OperationNode, rhs: OperationNode) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.number(let a), .number(let b)): a == b || (a.isNaN && b.isNaN)
        case (.string(let a), .string(let b)): a == b
        case (.list(let a), .list(let b)): a == b
        case (.object(let a), .object(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(b)
        case .integer(let i): hasher.combine(i)
        case .number(let d): hasher.combine(d.isNaN ? 0 : d)
        case .string(let s): hasher.combine(s)
        case .list(let items): hasher.combine(items)
        case .object(let members): for (key, value) in members { hasher.combine(key); hasher.combine(value) }
        }
    }

    /// Python's `repr()` of the value as Gnocchi holds it (`['metric', 'id', 'mean']`, `2.0`, `None`).
    public var pythonRepr: String {
        switch self {
        case .null: "None"
        case .bool(let b): b ? "True" : "False"
        case .integer(let i): String(i)
        case .number(let d): PythonFormat.floatRepr(d)
        case .string(let s): PythonFormat.stringRepr(s)
        case .list(let items): "[" + items.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .object(let members): "{" + members.map { PythonFormat.stringRepr($0.0) + ": " + $0.1.pythonRepr }.joined(separator: ", ") + "}"
        }
    }

    /// Python's `str()` (`'%s' % value`): strings bare, everything else as its repr.
    public var pythonStr: String {
        if case .string(let s) = self { return s }
        return pythonRepr
    }

    /// Python's type name, as `type(value)` prints it (`<class 'int'>`).
    var pythonTypeName: String {
        switch self {
        case .null: "NoneType"
        case .bool: "bool"
        case .integer: "int"
        case .number: "float"
        case .string: "str"
        case .list: "list"
        case .object: "dict"
        }
    }
}

/// Python's formatting of the few values Gnocchi's messages print.
enum PythonFormat {
    /// `repr(float)`: shortest round-trip digits, `.0` on integral values below 1e16, `nan`, `inf`.
    static func floatRepr(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == value.rounded(.towardZero), abs(value) < 1e16 {
            return (value.sign == .minus ? "-" : "") + String(Int64(abs(value))) + ".0"
        }
        let text = value.description
        // Swift prints 1e-05 as "1e-05" already; Python writes exponents with a sign and two digits.
        if let e = text.firstIndex(of: "e") {
            let mantissa = text[..<e]
            var exponent = text[text.index(after: e)...]
            var sign = "+"
            if exponent.first == "-" { sign = "-"; exponent = exponent.dropFirst() } else if exponent.first == "+" { exponent = exponent.dropFirst() }
            let digits = exponent.count < 2 ? String(repeating: "0", count: 2 - exponent.count) + exponent : String(exponent)
            return mantissa + "e" + sign + digits
        }
        return text
    }

    /// `repr(str)`: single quotes unless the text holds a single quote and no double quote.
    static func stringRepr(_ text: String) -> String {
        let quote: Character = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(scalar) == quote {
                    out += "\\" + String(quote)
                } else if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append(quote)
        return out
    }

    /// `'%.Nf' % value` for the non-negative percentages Gnocchi's overlap message prints.
    static func fixed(_ value: Double, decimals: Int) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let negative = value < 0
        let scaled = (abs(value) * scale).rounded(.toNearestOrEven)
        guard scaled < 9e18 else { return floatRepr(value) }
        let integer = UInt64(scaled)
        let divisor = UInt64(scale)
        var fraction = String(integer % divisor)
        while fraction.count < decimals { fraction = "0" + fraction }
        let whole = String(integer / divisor)
        return (negative ? "-" : "") + whole + (decimals > 0 ? "." + fraction : "")
    }

    /// Python's `float(text)` on a string: optional surrounding whitespace and sign, decimal digits with single
    /// underscores between digits, optional fraction and exponent, or `inf`/`infinity`/`nan` in any case.
    static func parseFloat(_ text: String) -> Double? {
        let trimmed = text.trimmingPythonWhitespace()
        guard !trimmed.isEmpty else { return nil }
        var body = Substring(trimmed)
        var negative = false
        if let first = body.first, first == "+" || first == "-" {
            negative = first == "-"
            body = body.dropFirst()
        }
        switch body.lowercased() {
        case "inf", "infinity": return negative ? -.infinity : .infinity
        case "nan": return .nan
        default: break
        }
        var cleaned = ""
        var previous: Character?
        for (offset, c) in zip(body.indices, body) {
            if c == "_" {
                let next = body.index(after: offset)
                guard let p = previous, p.isASCII, p.isNumber, next < body.endIndex, body[next].isASCII, body[next].isNumber
                else { return nil }
            } else {
                guard c.isASCII, c.isNumber || c == "." || c == "e" || c == "E" || c == "+" || c == "-" else { return nil }
                cleaned.append(c)
            }
            previous = c
        }
        guard cleaned.contains(where: { $0.isNumber }), let value = Double(cleaned) else { return nil }
        return negative ? -value : value
    }
}

extension String {
    func trimmingPythonWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
