import StratusCore

/// `threshold`, the legacy Ceilometer-statistics rule (reference C1, seed 002), evaluated by
/// Stratus against Gnocchi: the meter is the metric name, the query selects resources, `period`
/// is the granularity and `statistic` the aggregation method.
public struct LegacyThresholdRule: Sendable, Hashable {
    /// A Ceilometer v2 query condition (`{"field": "resource_id", "op": "eq", "value": "…"}`).
    public struct Condition: Sendable, Hashable {
        /// The field: `resource_id`, `project_id`, `user_id`, `metadata.<attr>`, …
        public var field: String
        /// The operator, default `eq`.
        public var op: ComparisonOperator
        /// The value, as text.
        public var value: String
        /// The declared value type (`integer float string boolean datetime`), when given.
        public var type: String?

        /// Creates a condition.
        public init(field: String, op: ComparisonOperator = .eq, value: String, type: String? = nil) {
            self.field = field
            self.op = op
            self.value = value
            self.type = type
        }

        var json: TelemetryValue {
            var entries: [String: TelemetryValue] = [
                "field": .string(field), "op": .string(op.rawValue), "value": .string(value),
            ]
            if let type { entries["type"] = .string(type) }
            return .dictionary(entries)
        }
    }

    /// The statistic compared: `max min avg sum count`.
    public enum Statistic: String, Sendable, Hashable, CaseIterable {
        case max, min, avg, sum, count

        /// The Gnocchi aggregation method computing it.
        public var aggregationMethod: String {
            switch self {
            case .avg: "mean"
            case .max: "max"
            case .min: "min"
            case .sum: "sum"
            case .count: "count"
            }
        }
    }

    /// The meter (metric) name.
    public var meterName: String
    /// Conditions selecting the resources.
    public var query: [Condition]
    /// Seconds per statistics period (≥ 1, default 60).
    public var period: Int
    /// How each statistic is compared with `threshold`.
    public var comparisonOperator: ComparisonOperator
    /// The threshold.
    public var threshold: Double
    /// The statistic (default `avg`).
    public var statistic: Statistic
    /// How many of the latest periods must all cross the threshold (default 1).
    public var evaluationPeriods: Int
    /// Whether periods whose sample count is outside mean ± 2σ are ignored (default false).
    public var excludeOutliers: Bool

    /// Creates a rule; defaults as Aodh's.
    public init(
        meterName: String, query: [Condition] = [], period: Int = 60, comparisonOperator: ComparisonOperator = .eq,
        threshold: Double, statistic: Statistic = .avg, evaluationPeriods: Int = 1, excludeOutliers: Bool = false
    ) {
        self.meterName = meterName
        self.query = query
        self.period = period
        self.comparisonOperator = comparisonOperator
        self.threshold = threshold
        self.statistic = statistic
        self.evaluationPeriods = evaluationPeriods
        self.excludeOutliers = excludeOutliers
    }

    static let type = "threshold"
    static let keys: Set<String> = [
        "meter_name", "query", "period", "comparison_operator", "threshold", "statistic", "evaluation_periods",
        "exclude_outliers",
    ]

    init(_ value: TelemetryValue, allowing extra: Set<String> = []) throws(AlarmValidationError) {
        let fields = try RuleFields(value, context: "threshold_rule")
        try fields.checkKnown(Self.keys.union(extra))
        meterName = try fields.requiredString("meter_name")
        guard !meterName.isEmpty else { throw AlarmValidationError("meter_name must not be empty") }
        var conditions: [Condition] = []
        if let list = fields.value("query") {
            guard case .list(let items) = list else { throw AlarmValidationError("query must be a list of conditions") }
            for item in items {
                let condition = try RuleFields(item, context: "threshold_rule query")
                try condition.checkKnown(["field", "op", "value", "type"])
                let op = try condition.optionalString("op").map { (text) throws(AlarmValidationError) in
                    guard let op = ComparisonOperator(rawValue: text) else {
                        throw AlarmValidationError("query op must be one of: lt, le, eq, ne, ge, gt, not \(text)")
                    }
                    return op
                } ?? .eq
                let type = try condition.optionalString("type")
                if let type, !["", "integer", "float", "string", "boolean", "datetime"].contains(type) {
                    throw AlarmValidationError(
                        "query type must be one of: integer, float, string, boolean, datetime, not \(type)")
                }
                let valueText: String
                if case .bool(let flag)? = condition.value("value") {
                    valueText = flag ? "True" : "False"
                } else {
                    valueText = try condition.requiredString("value")
                }
                conditions.append(
                    Condition(field: try condition.requiredString("field"), op: op, value: valueText, type: type))
            }
        }
        query = conditions
        period = try fields.integer("period", default: 60, range: ThresholdCriteria.granularityRange)
        comparisonOperator = try fields.comparisonOperator()
        threshold = try fields.requiredDouble("threshold")
        guard threshold.isFinite else { throw AlarmValidationError("threshold must be a finite number") }
        if let text = try fields.optionalString("statistic") {
            guard let statistic = Statistic(rawValue: text) else {
                throw AlarmValidationError("statistic must be one of: max, min, avg, sum, count, not \(text)")
            }
            self.statistic = statistic
        } else {
            statistic = .avg
        }
        evaluationPeriods = try fields.integer(
            "evaluation_periods", default: 1, range: ThresholdCriteria.evaluationPeriodsRange)
        excludeOutliers = try fields.bool("exclude_outliers", default: false)
    }

    /// The rule as Aodh returns it.
    public var json: TelemetryValue {
        .dictionary([
            "meter_name": .string(meterName), "query": .list(query.map(\.json)), "period": .int(Int64(period)),
            "comparison_operator": .string(comparisonOperator.rawValue), "threshold": .double(threshold),
            "statistic": .string(statistic.rawValue), "evaluation_periods": .int(Int64(evaluationPeriods)),
            "exclude_outliers": .bool(excludeOutliers),
        ])
    }
}
