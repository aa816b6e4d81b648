/// JSON text of telemetry values, keys sorted, numbers as Python's `json.dumps` writes them
/// (`5`, `5.0`, `1e-05`; NaN and infinities as `NaN`, `Infinity`, `-Infinity`).
public enum TelemetryJSON {
    /// One line of JSON for `value`.
    public static func encode(_ value: TelemetryValue) -> String {
        var out = ""
        write(value, to: &out)
        return out
    }

    private static func write(_ value: TelemetryValue, to out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .int(let number): out += String(number)
        case .double(let number):
            if number.isNaN {
                out += "NaN"
            } else if number.isInfinite {
                out += number < 0 ? "-Infinity" : "Infinity"
            } else {
                out += PythonText.floatRepr(number)
            }
        case .string(let text): writeString(text, to: &out)
        case .list(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += ", " }
                write(item, to: &out)
            }
            out += "]"
        case .dictionary(let entries):
            out += "{"
            for (index, key) in entries.keys.sorted(by: PythonText.less).enumerated() {
                if index > 0 { out += ", " }
                writeString(key, to: &out)
                out += ": "
                write(entries[key]!, to: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
