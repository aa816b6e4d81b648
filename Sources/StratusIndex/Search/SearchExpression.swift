import Foundation

/// A resource search query (Gnocchi's attribute filter), as the JSON and `filter=` languages express it.
///
/// Built by the parsers in the API target or directly by code; compiled to SQL by `SearchSQLCompiler`.
/// Operator spellings are normalised: `=`, `==` and `eq` all become `.equal`, `∧` becomes `.and`, and so on.
public indirect enum SearchExpression: Sendable, Hashable {
    /// `{op: {attribute: value}}`: compares one attribute with a value (a list for `in`).
    case comparison(SearchComparison, attribute: String, value: SearchValue)
    /// `{"and": [q…]}` / `{"∧": [q…]}`: every operand holds (an empty list is true).
    case and([SearchExpression])
    /// `{"or": [q…]}` / `{"∨": [q…]}`: at least one operand holds (an empty list is true, as Gnocchi's
    /// `or_(true())`).
    case or([SearchExpression])
    /// `{"not": q}` / `¬`: the operand does not hold.
    case not(SearchExpression)

    /// Every attribute name the expression compares, in order of appearance (with repeats).
    public var attributes: [String] {
        switch self {
        case .comparison(_, let attribute, _): return [attribute]
        case .and(let operands), .or(let operands): return operands.flatMap(\.attributes)
        case .not(let operand): return operand.attributes
        }
    }

    /// `attribute = value`.
    public static func equal(_ attribute: String, _ value: SearchValue) -> Self {
        .comparison(.equal, attribute: attribute, value: value)
    }
}

/// The comparison operators of the resource search language, with every spelling Gnocchi accepts.
public enum SearchComparison: String, Sendable, Hashable, CaseIterable {
    case equal = "="
    case lessThan = "<"
    case greaterThan = ">"
    case lessThanOrEqual = "<="
    case greaterThanOrEqual = ">="
    case notEqual = "!="
    case `in` = "in"
    case like = "like"

    /// The operator named by any of Gnocchi's spellings (`=`, `==`, `eq`, `<`, `lt`, `>`, `gt`, `<=`, `≤`, `le`,
    /// `>=`, `≥`, `ge`, `!=`, `≠`, `ne`, `in`, `like`); nil for anything else.
    public init?(spelling: String) {
        guard let op = Self.spellings[spelling] else { return nil }
        self = op
    }

    /// Every accepted spelling and the operator it names.
    public static let spellings: [String: SearchComparison] = [
        "=": .equal, "==": .equal, "eq": .equal,
        "<": .lessThan, "lt": .lessThan,
        ">": .greaterThan, "gt": .greaterThan,
        "<=": .lessThanOrEqual, "≤": .lessThanOrEqual, "le": .lessThanOrEqual,
        ">=": .greaterThanOrEqual, "≥": .greaterThanOrEqual, "ge": .greaterThanOrEqual,
        "!=": .notEqual, "≠": .notEqual, "ne": .notEqual,
        "in": .in, "like": .like,
    ]
}

/// A value in a search query, as JSON or the `filter=` grammar gives it; converted to the attribute's type
/// only at compilation, as Gnocchi's indexer does.
public indirect enum SearchValue: Sendable, Hashable {
    /// A string (quoted, an identifier or a UUID in the `filter=` form).
    case string(String)
    /// An integral JSON number (Python `int`).
    case integer(Int64)
    /// A floating-point number (Python `float`; every number of the `filter=` form is one).
    case number(Double)
    /// `true` / `false`.
    case bool(Bool)
    /// `null` (`None`, `none` in the `filter=` form).
    case null
    /// A list, the operand of `in`.
    case list([SearchValue])
    /// A point in time in nanoseconds since the Unix epoch (built by code; the parsers give strings).
    case datetime(Int64)

    /// The value as Python's `str()` prints it (`True`, `None`, `5`, `5.0`), which is what Gnocchi compares
    /// with a string attribute.
    public var pythonString: String {
        switch self {
        case .string(let s): return s
        case .integer(let i): return String(i)
        case .number(let d): return Self.pythonFloatRepr(d)
        case .bool(let b): return b ? "True" : "False"
        case .null: return "None"
        case .list(let items): return "[" + items.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .datetime(let ns): return String(ns)
        }
    }

    /// The value as Python's `repr()` prints it (strings quoted), for error messages.
    public var pythonRepr: String {
        switch self {
        case .string(let s): return "'" + s.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "'", with: "\\'") + "'"
        default: return pythonString
        }
    }

    /// Python's `repr(float)`: shortest round-trip digits, `.0` on integral values, `inf`, `nan`, exponent
    /// form outside [1e-4, 1e16).
    static func pythonFloatRepr(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        var text = d.description  // Swift: "5.0", "1e-05", "1e+16"
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            var mantissa = String(text[..<e])
            var exponent = String(text[text.index(after: e)...])
            if mantissa.hasSuffix(".0") { mantissa.removeLast(2) }
            var sign = "+"
            if exponent.hasPrefix("-") { sign = "-"; exponent.removeFirst() } else if exponent.hasPrefix("+") { exponent.removeFirst() }
            if exponent.count < 2 { exponent = "0" + exponent }
            text = mantissa + "e" + sign + exponent
        }
        return text
    }
}
