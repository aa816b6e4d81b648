/// JSON text of telemetry values, keys sorted, numbers as Python's `json.dumps` writes them
/// (`5`, `5.0`, `1e-05`; NaN and infinities as `NaN`, `Infinity`, `-Infinity`).
public enum TelemetryJSON {
    /// One line of JSON for `value`.
    public static func encode(_ value: TelemetryValue) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        write(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the JSON of `value` to `out` (UTF-8).
    public static func write(_ value: TelemetryValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .int(let number): out.append(contentsOf: String(number).utf8)
        case .double(let number):
            if number.isNaN {
                out.append(contentsOf: "NaN".utf8)
            } else if number.isInfinite {
                out.append(contentsOf: (number < 0 ? "-Infinity" : "Infinity").utf8)
            } else {
                out.append(contentsOf: PythonText.floatRepr(number).utf8)
            }
        case .string(let text): writeString(text, to: &out)
        case .list(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(contentsOf: ", ".utf8) }
                write(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .dictionary(let entries):
            out.append(UInt8(ascii: "{"))
            for (index, entry) in PythonText.sortedEntries(entries).enumerated() {
                if index > 0 { out.append(contentsOf: ", ".utf8) }
                writeString(entry.key, to: &out)
                out.append(contentsOf: ": ".utf8)
                write(entry.value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            // Most strings need no escape: copy them whole.
            guard bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
                out.append(contentsOf: bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
                case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
                case 0x0A: out.append(contentsOf: "\\n".utf8)
                case 0x0D: out.append(contentsOf: "\\r".utf8)
                case 0x09: out.append(contentsOf: "\\t".utf8)
                case 0..<0x20:
                    out.append(contentsOf: "\\u00".utf8)
                    out.append(hexDigits[Int(byte >> 4)])
                    out.append(hexDigits[Int(byte & 0x0F)])
                default: out.append(byte)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
