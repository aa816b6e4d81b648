/// Why a `/v1/aggregates` request cannot be answered, with the `cause`, `reason` and `detail` of Gnocchi's
/// 400 body. The API maps every code to 400.
public struct AggregatesError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Hashable {
        /// The S-expression string does not parse (`Invalid operations`).
        case unparsableOperations
        /// The operation tree does not match the language (voluptuous' `Invalid input`); `detail` is the path.
        case invalidOperations
        /// The tree names no metric (`Operations is invalid`).
        case noMetric
        /// The series cannot be combined (`Metrics cannot be aggregated`): no common granularity, too little
        /// overlap, a rolling window longer than the series, operands on different timestamps.
        case unaggregable
    }

    public var code: Code
    /// The body's `cause` (`Metrics cannot be aggregated`).
    public var cause: String
    /// The body's `reason` (`No overlap`).
    public var reason: String
    /// The body's `detail`: the references (`[[name, aggregation], …]`), a path, or a parser message.
    public var detail: OperationNode

    /// An error with the parts of Gnocchi's body.
    public init(code: Code, cause: String, reason: String, detail: OperationNode) {
        self.code = code
        self.cause = cause
        self.reason = reason
        self.detail = detail
    }

    /// Gnocchi's `UnAggregableTimeseries(references, reason)`.
    public static func unaggregable(_ reason: String, references: OperationNode) -> AggregatesError {
        AggregatesError(code: .unaggregable, cause: "Metrics cannot be aggregated", reason: reason, detail: references)
    }

    public var description: String { "\(cause): \(reason)" }
}
