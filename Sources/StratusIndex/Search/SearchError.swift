import Foundation

/// A search query that cannot be parsed or compiled; every code becomes HTTP 400 with `message` as Gnocchi words it.
public struct SearchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: Sendable, Hashable {
        /// The `filter=` string does not follow the grammar (`message` says where and why).
        case syntax
        /// The JSON query does not follow `ResourceSearchSchema` / `MetricSearchSchema`.
        case schema
        /// An operator that the language does not have (Gnocchi's `QueryInvalidOperator`).
        case unknownOperator
        /// The resource type has no such attribute (Gnocchi's `QueryAttributeError`).
        case unknownAttribute
        /// The value cannot be converted to the attribute's type (Gnocchi's `QueryValueError`).
        case invalidValue
        /// A structurally invalid query (Gnocchi's `QueryError`, "Unable to parse this query").
        case invalidQuery
    }

    /// The kind of failure.
    public var code: Code
    /// Gnocchi's message.
    public var message: String
    /// The attribute, operator or position concerned, when there is one.
    public var detail: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, detail: String? = nil) {
        self.code = code
        self.message = message
        self.detail = detail
    }

    public var description: String { message }

    /// "Resource type T has no A attribute".
    public static func unknownAttribute(resourceType: String, attribute: String) -> Self {
        Self(.unknownAttribute, "Resource type \(resourceType) has no \(attribute) attribute", detail: attribute)
    }

    /// "Invalid value: `V' for field `F'", V printed as Python's `str()`.
    public static func invalidValue(_ value: SearchValue, field: String) -> Self {
        Self(.invalidValue, "Invalid value: `\(value.pythonString)' for field `\(field)'", detail: field)
    }

    /// "Unknown operator `OP'".
    public static func unknownOperator(_ op: String) -> Self {
        Self(.unknownOperator, "Unknown operator `\(op)'", detail: op)
    }

    /// "Unable to parse this query".
    public static let invalidQuery = Self(.invalidQuery, "Unable to parse this query")
}
