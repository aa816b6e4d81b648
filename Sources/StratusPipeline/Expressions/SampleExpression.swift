import StratusCore

/// A `scale` or `expr` expression of a transformer, in a small and safe language of our own that
/// covers what Ceilometer's pipelines `eval` (reference B8): no code is ever executed.
///
/// Grammar (Python's precedence and associativity):
/// ```
/// expression := or
/// or         := and ("or" and)*            -- the first truthy operand, else the last
/// and        := not ("and" not)*
/// not        := "not" not | sum
/// sum        := product (("+" | "-") product)*
/// product    := unary (("*" | "/" | "//" | "%") unary)*
/// unary      := ("+" | "-") unary | power
/// power      := primary ("**" unary)?      -- right-associative: 2**3**2 = 512, -2**2 = -4
/// primary    := number | "True" | "False" | "None" | field | meter | "(" expression ")"
/// field      := name ("." name)*           -- volume, resource_metadata.cpu_number, …
/// meter      := "$(" meter-name ")" ("." name)*   -- arithmetic only: $(memory) is its volume
/// ```
/// A field path starts with a sample field (`name`, `type`, `unit`, `volume`, `user_id`,
/// `project_id`, `resource_id`, `timestamp`, `resource_metadata`, `source`, `id`,
/// `monotonic_time`, `user_name`, `project_name`); a missing key of a mapping is a falsy "missing"
/// value, as Ceilometer's `Namespace`, so `resource_metadata.cpu_number or 1` gives 1 when the
/// metadata has no `cpu_number`.
public struct SampleExpression: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written.
    public let text: String
    /// The meters referenced with `$(…)`, in order of first appearance (empty outside arithmetic).
    public let meterNames: [String]
    let root: ExpressionNode

    /// The fields a path may start with: the keys of Ceilometer's `Sample.as_dict()`.
    public static let sampleFields: Set<String> = [
        "name", "type", "unit", "volume", "user_id", "project_id", "resource_id", "timestamp",
        "resource_metadata", "source", "id", "monotonic_time", "user_name", "project_name",
    ]

    /// Parses an expression.
    /// - Parameters:
    ///   - text: The expression.
    ///   - allowsMeterReferences: Whether `$(meter)` references are allowed (the arithmetic
    ///     transformer's `expr`).
    /// - Throws: ``ExpressionError`` for a syntax error, an unknown field or a misplaced `$(…)`.
    public init(_ text: String, allowsMeterReferences: Bool = false) throws(ExpressionError) {
        var parser = ExpressionParser(text: text, allowsMeterReferences: allowsMeterReferences)
        root = try parser.parseAll()
        meterNames = parser.meterNames
        self.text = text
    }

    public var description: String { text }

    public static func == (lhs: SampleExpression, rhs: SampleExpression) -> Bool { lhs.text == rhs.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }

    /// Evaluates the expression over one sample (`scale`).
    /// - Throws: ``ExpressionError`` when an operand is not a number, on division by zero, or
    ///   when the result is not a number.
    public func evaluate(sample: Sample) throws(ExpressionError) -> Double {
        try run(ExpressionScope(sample: sample, meters: [:]))
    }

    /// Evaluates the expression over the samples of several meters (`expr`), keyed by meter name;
    /// field paths without `$(…)` read `sample`.
    /// - Throws: ``ExpressionError``.
    public func evaluate(meters: [String: Sample], sample: Sample? = nil) throws(ExpressionError) -> Double {
        try run(ExpressionScope(sample: sample, meters: meters))
    }

    private func run(_ scope: ExpressionScope) throws(ExpressionError) -> Double {
        let value: ExpressionValue
        do {
            value = try root.evaluate(in: scope)
        } catch {
            throw ExpressionError(expression: text, reason: error.reason)
        }
        guard let number = value.number else {
            throw ExpressionError(expression: text, reason: "the result is \(value.kind), not a number")
        }
        return number
    }
}

/// An expression that cannot be parsed or evaluated.
public struct ExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The expression.
    public var expression: String
    /// What is wrong.
    public var reason: String

    /// Creates the error.
    public init(expression: String, reason: String) {
        self.expression = expression
        self.reason = reason
    }

    public var description: String { "expression '\(expression)': \(reason)" }
}
