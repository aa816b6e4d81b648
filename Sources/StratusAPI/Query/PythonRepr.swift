/// Python's `repr()` of the values that appear in Gnocchi's messages.
enum PythonRepr {
    /// `repr(str)`: single quotes unless the text holds a single quote and no double quote; backslash,
    /// the quote and control characters escaped; other characters kept.
    static func string(_ text: String) -> String {
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
                    out += "\\x" + (hex.count < 2 ? "0" : "") + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append(quote)
        return out
    }
}

extension StringProtocol {
    /// The text without leading and trailing whitespace, as Python's `str.strip()` removes it.
    func trimmingPythonWhitespace() -> String {
        let scalars = Array(unicodeScalars)
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace && !Self.isPythonSpace($0) }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace && !Self.isPythonSpace($0) }) else {
            return ""
        }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: scalars[start...end])
        return String(text)
    }

    private static func isPythonSpace(_ scalar: Unicode.Scalar) -> Bool {
        // Python also strips the ASCII separators 0x1C…0x1F.
        (0x1C...0x1F).contains(scalar.value)
    }
}
