import StratusCore

/// A JSON document as parsed from an HTTP response or a definition file, objects keeping their
/// key order (a dynamic pollster without `response_entries_key` takes the first key, as Python's
/// dict order does).
enum JSONNode: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number with its text as written, so that integer ids keep every digit.
    case number(String)
    case string(String)
    case array([JSONNode])
    case object([(key: String, value: JSONNode)])

    static func == (lhs: JSONNode, rhs: JSONNode) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.number(a), .number(b)): a == b || (Double(a) != nil && Double(a) == Double(b))
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(value)
        case .number(let text): hasher.combine(Double(text) ?? .nan)
        case .string(let text): hasher.combine(text)
        case .array(let items): hasher.combine(items)
        case .object(let members):
            for member in members {
                hasher.combine(member.key)
                hasher.combine(member.value)
            }
        }
    }

    /// The value of `key` in an object (the last one when the key repeats), nil otherwise.
    subscript(key: String) -> JSONNode? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.key == key })?.value
    }

    /// The number, if the value is a number, a boolean (Python's `float(True)`) or a string
    /// holding a number (Python's `float("1.5")`).
    var doubleValue: Double? {
        switch self {
        case .number(let text): Double(text)
        case .bool(let value): value ? 1 : 0
        case .string(let text): Double(text.trimmingCharacters(in: " \t\n"))
        default: nil
        }
    }

    /// The string, if the value is one.
    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The text Python's `str()` gives for ids: strings as they are, integers as written,
    /// `None` for null.
    var pythonString: String {
        switch self {
        case .null: "None"
        case .bool(let value): value ? "True" : "False"
        case .number(let text): text
        case .string(let text): text
        case .array, .object: TelemetryJSON.encode(telemetryValue)
        }
    }

    /// The value as a sample field: integers stay integers, other numbers become doubles.
    var telemetryValue: TelemetryValue {
        switch self {
        case .null: return .null
        case .bool(let value): return .bool(value)
        case .number(let text):
            if let integer = Int64(text) { return .int(integer) }
            return Double(text).map { .double($0) } ?? .string(text)
        case .string(let text): return .string(text)
        case .array(let items): return .list(items.map(\.telemetryValue))
        case .object(let members):
            var dictionary: [String: TelemetryValue] = [:]
            for member in members { dictionary[member.key] = member.value.telemetryValue }
            return .dictionary(dictionary)
        }
    }

    /// A short description of the kind of value, for error messages.
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        guard let first = firstIndex(where: { !characters.contains($0) }),
              let last = lastIndex(where: { !characters.contains($0) })
        else { return "" }
        return String(self[first...last])
    }
}
