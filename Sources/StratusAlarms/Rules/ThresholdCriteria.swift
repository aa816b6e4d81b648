import StratusCore

/// The fields every Gnocchi threshold rule shares (reference C1): the comparison, and which
/// points of which granularity it is applied to.
public struct ThresholdCriteria: Sendable, Hashable {
    /// How each point is compared with `threshold`.
    public var comparisonOperator: ComparisonOperator
    /// The threshold.
    public var threshold: Double
    /// The Gnocchi aggregation method whose points are compared (`mean`, `rate:max`, `95pct`…).
    public var aggregationMethod: String
    /// The granularity of the points, in seconds (1…31 536 000, default 60).
    public var granularity: Int
    /// How many of the latest points must all cross the threshold (1…100, default 1).
    public var evaluationPeriods: Int

    /// Creates criteria; defaults as Aodh's.
    public init(
        comparisonOperator: ComparisonOperator = .eq, threshold: Double, aggregationMethod: String,
        granularity: Int = 60, evaluationPeriods: Int = 1
    ) {
        self.comparisonOperator = comparisonOperator
        self.threshold = threshold
        self.aggregationMethod = aggregationMethod
        self.granularity = granularity
        self.evaluationPeriods = evaluationPeriods
    }

    /// The rule fields these criteria read.
    static let keys: Set<String> = [
        "comparison_operator", "threshold", "aggregation_method", "granularity", "evaluation_periods",
    ]
    /// Granularity bounds: one second to one year.
    public static let granularityRange = 1...31_536_000
    /// Evaluation period bounds.
    public static let evaluationPeriodsRange = 1...100

    init(_ fields: RuleFields, aggregationMethods: Set<String>) throws(AlarmValidationError) {
        comparisonOperator = try fields.comparisonOperator()
        threshold = try fields.requiredDouble("threshold")
        guard threshold.isFinite else { throw AlarmValidationError("threshold must be a finite number") }
        aggregationMethod = try fields.requiredString("aggregation_method")
        guard aggregationMethods.contains(aggregationMethod) else {
            throw AlarmValidationError(
                "aggregation_method should be one of the aggregation methods of /v1/capabilities, not \(aggregationMethod)")
        }
        granularity = try fields.integer("granularity", default: 60, range: Self.granularityRange)
        evaluationPeriods = try fields.integer(
            "evaluation_periods", default: 1, range: Self.evaluationPeriodsRange)
    }

    /// Adds the criteria's fields to a rule's JSON.
    func write(to entries: inout [String: TelemetryValue]) {
        entries["comparison_operator"] = .string(comparisonOperator.rawValue)
        entries["threshold"] = .double(threshold)
        entries["aggregation_method"] = .string(aggregationMethod)
        entries["granularity"] = .int(Int64(granularity))
        entries["evaluation_periods"] = .int(Int64(evaluationPeriods))
    }

    /// Every aggregation method Gnocchi 4.7.1 lists in `/v1/capabilities`: `mean sum last max min
    /// std median first count`, `1pct`…`99pct`, and each of these as `rate:`.
    public static let gnocchiAggregationMethods: Set<String> = {
        let functions = ["mean", "sum", "last", "max", "min", "std", "median", "first", "count"]
            + (1...99).map { "\($0)pct" }
        return Set(functions + functions.map { "rate:" + $0 })
    }()
}
