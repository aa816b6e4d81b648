/// A request body that does not match its schema, worded exactly as voluptuous words it in Gnocchi's
/// `{"cause": "Invalid input", "reason": …, "detail": [path…]}` answers.
///
/// voluptuous appends " for dictionary value" when the failing validator is the one of a mapping key
/// (not a deeper list element or key), then " @ data['key'][0]…" with each path element as Python's `repr`.
struct SchemaViolation: Error, Sendable, Hashable {
    /// One step of the path to the offending value.
    enum PathElement: Sendable, Hashable {
        case key(String)
        case index(Int)

        /// As in `str(path)` of voluptuous' `detail` list.
        var text: String {
            switch self {
            case .key(let key): key
            case .index(let index): String(index)
            }
        }

        /// As in `repr(path)` of voluptuous' message.
        var repr: String {
            switch self {
            case .key(let key): PythonRepr.string(key)
            case .index(let index): String(index)
            }
        }
    }

    /// The validator's message ("expected int", "extra keys not allowed").
    var message: String
    /// Where the value is, from the body's root.
    var path: [PathElement]
    /// Whether voluptuous tags this error "for dictionary value".
    var isDictionaryValue: Bool

    /// An error raised by the validator of the value at `path` (tagged "for dictionary value" when the path
    /// ends with a key).
    static func value(_ message: String, at path: [PathElement]) -> SchemaViolation {
        let tagged: Bool = if case .key = path.last { true } else { false }
        return SchemaViolation(message: message, path: path, isDictionaryValue: tagged)
    }

    /// An error about the structure at `path`: unknown or missing keys, list elements, the root.
    static func structure(_ message: String, at path: [PathElement]) -> SchemaViolation {
        SchemaViolation(message: message, path: path, isDictionaryValue: false)
    }

    /// `str(voluptuous.Invalid)`.
    var reason: String {
        var text = message
        if isDictionaryValue { text += " for dictionary value" }
        if !path.isEmpty { text += " @ data[" + path.map(\.repr).joined(separator: "][") + "]" }
        return text
    }

    /// The 400 answer Gnocchi gives for it.
    var apiError: APIError {
        APIError.invalidInput(reason, path: path.map(\.text))
    }
}

/// voluptuous' validators for JSON values, as Gnocchi's schemas use them.
enum SchemaCoercion {
    /// voluptuous `str`, plus Stratus' refusal of NUL characters, which PostgreSQL cannot store in text (Gnocchi
    /// answers those with a 500 from its database).
    static func string(_ value: JSONValue, at path: [SchemaViolation.PathElement]) throws(SchemaViolation) -> String {
        guard let text = value.stringValue else { throw .value("expected str", at: path) }
        guard !text.utf8.contains(0) else { throw .value("NUL characters are not allowed", at: path) }
        return text
    }

    /// Outcome of `Coerce(int)`.
    enum IntegerResult: Equatable {
        case value(Int)
        /// An integer Python accepts but that does not fit 64 bits.
        case outOfRange
        /// `int(x)` raises: "expected int".
        case invalid
    }

    /// voluptuous `Coerce(int)`: Python `int(x)` of a JSON value (numbers truncate towards zero, booleans are
    /// 0/1, strings in Python integer syntax).
    static func integer(_ value: JSONValue) -> IntegerResult {
        switch value {
        case .integer(let i):
            guard let i = Int(exactly: i) else { return .outOfRange }
            return .value(i)
        case .number(let d):
            guard d.isFinite else { return .invalid }
            let truncated = d.rounded(.towardZero)
            guard let i = Int(exactly: truncated) else { return .outOfRange }
            return .value(i)
        case .bool(let b):
            return .value(b ? 1 : 0)
        case .string(let s):
            if let i = QueryParameters.pythonInt(s) { return .value(i) }
            // Digits Python accepts but beyond 64 bits.
            let digits = s.trimmingPythonWhitespace().drop { $0 == "+" || $0 == "-" }.filter { $0 != "_" }
            if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) { return .outOfRange }
            return .invalid
        case .null, .array, .object:
            return .invalid
        }
    }
}
