/// A JSON-like value carried by samples: a volume, a resource metadata entry, a meter message
/// field.
///
/// Integers and floating-point numbers stay distinct because Ceilometer's signature hashes
/// Python's `str()` of each value (`5` and `5.0` sign differently).
public enum TelemetryValue: Sendable, Hashable {
    /// JSON `null` (Python `None`).
    case null
    /// A boolean.
    case bool(Bool)
    /// An integer (Python `int`).
    case int(Int64)
    /// A floating-point number (Python `float`).
    case double(Double)
    /// A string.
    case string(String)
    /// A list.
    case list([TelemetryValue])
    /// A mapping with string keys.
    case dictionary([String: TelemetryValue])

    /// The value as a number, if it is an integer, a float, or a string holding one.
    public var doubleValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        case .bool(let value): value ? 1 : 0
        case .string(let text): Double(text)
        default: nil
        }
    }

    /// The string, if the value is one.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}

extension TelemetryValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: TelemetryValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, TelemetryValue)...) {
        self = .dictionary(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension TelemetryValue {
    /// An optional string as a value: nil becomes `.null`.
    public init(_ text: String?) { self = text.map { .string($0) } ?? .null }
    /// An integer as a value.
    public init(_ value: Int) { self = .int(Int64(value)) }
}
