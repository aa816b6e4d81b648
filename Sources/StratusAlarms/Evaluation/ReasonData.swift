import StratusCore

/// The `reason_data` of an evaluation, with Aodh's key order (notification bodies are
/// `json.dumps` of dicts built in this order).
public enum ReasonData: Sendable, Hashable {
    /// `{"type": "threshold", "disposition", "count", "most_recent"}`.
    case threshold(disposition: String, count: Int, mostRecent: Double?)
    /// `{"type": "composite", "composition_form"[, "causative_rules"]}`; causative rules in
    /// evaluation order, each the full sub-rule with its `type`.
    case composite(compositionForm: String, causativeRules: [(name: String, rule: TelemetryValue)]?)
    /// `{"type": "combination", "alarm_ids"}`.
    case combination(alarmIDs: [String])

    /// The reason data as a value (what the store keeps).
    public var json: TelemetryValue {
        .dictionary(Dictionary(entries, uniquingKeysWith: { a, _ in a }))
    }

    /// The keys and values in Aodh's order.
    public var entries: [(String, TelemetryValue)] {
        switch self {
        case .threshold(let disposition, let count, let mostRecent):
            [
                ("type", "threshold"), ("disposition", .string(disposition)), ("count", .int(Int64(count))),
                ("most_recent", mostRecent.map { .double($0) } ?? .null),
            ]
        case .composite(let form, let rules):
            [("type", "composite"), ("composition_form", .string(form))]
                + (rules.map { [("causative_rules", .dictionary(Dictionary($0.map { ($0.name, $0.rule) }, uniquingKeysWith: { a, _ in a })))] } ?? [])
        case .combination(let ids):
            [("type", "combination"), ("alarm_ids", .list(ids.map { .string($0) }))]
        }
    }

    /// `json.dumps` of the reason data: ", " / ": " separators, keys in Aodh's order (causative
    /// rules in evaluation order, keys inside a sub-rule sorted), non-ASCII escaped.
    public var pythonJSON: String {
        var out = "{"
        for (index, (key, value)) in entries.enumerated() {
            if index > 0 { out += ", " }
            out += PythonJSON.string(key) + ": "
            if key == "causative_rules", case .composite(_, let rules?) = self {
                out += "{"
                for (ruleIndex, rule) in rules.enumerated() {
                    if ruleIndex > 0 { out += ", " }
                    out += PythonJSON.string(rule.name) + ": " + PythonJSON.encode(rule.rule)
                }
                out += "}"
            } else {
                out += PythonJSON.encode(value)
            }
        }
        return out + "}"
    }

    /// Static equality helper for the tuple payload.
    public static func == (lhs: ReasonData, rhs: ReasonData) -> Bool { lhs.pythonJSON == rhs.pythonJSON }

    public func hash(into hasher: inout Hasher) { hasher.combine(pythonJSON) }
}

/// Python's `json.dumps` defaults: `ensure_ascii` (non-ASCII as `\uXXXX`, surrogate pairs above
/// the BMP), ", " / ": " separators; dictionary keys sorted.
public enum PythonJSON {
    /// One value.
    public static func encode(_ value: TelemetryValue) -> String {
        switch value {
        case .string(let text): return string(text)
        case .list(let items): return "[" + items.map(encode).joined(separator: ", ") + "]"
        case .dictionary(let entries):
            return "{" + entries.keys.sorted().map { string($0) + ": " + encode(entries[$0]!) }.joined(separator: ", ") + "}"
        default: return TelemetryJSON.encode(value)
        }
    }

    /// A string literal with Python's escapes.
    public static func string(_ text: String) -> String {
        var out = "\""
        for unit in text.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(unit)!)
            default:
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out + "\""
    }

    /// Python's `str()` of a float (`10.0`, `1e-05`), or `None`.
    public static func pythonString(_ value: Double?) -> String {
        guard let value else { return "None" }
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return TelemetryJSON.encode(.double(value))
    }
}
