import StratusCore

/// `gnocchi_aggregation_by_metrics_threshold`: an aggregate across metric ids (reference C1).
public struct GnocchiAggregationByMetricsThresholdRule: Sendable, Hashable {
    /// The metric ids, at least one.
    public var metrics: [String]
    /// The comparison.
    public var criteria: ThresholdCriteria

    /// Creates a rule.
    public init(metrics: [String], criteria: ThresholdCriteria) {
        self.metrics = metrics
        self.criteria = criteria
    }

    static let type = "gnocchi_aggregation_by_metrics_threshold"

    init(_ value: TelemetryValue, aggregationMethods: Set<String>, allowing extra: Set<String> = []) throws(AlarmValidationError) {
        let fields = try RuleFields(value, context: Self.type + "_rule")
        try fields.checkKnown(ThresholdCriteria.keys.union(["metrics"]).union(extra))
        guard let list = fields.value("metrics") else { throw fields.missing("metrics") }
        guard case .list(let items) = list else {
            throw AlarmValidationError("metrics must be a list of metric ids")
        }
        var metrics: [String] = []
        for item in items {
            guard case .string(let id) = item, !id.isEmpty else {
                throw AlarmValidationError("metrics must be a list of metric ids")
            }
            metrics.append(id)
        }
        guard !metrics.isEmpty else { throw AlarmValidationError("metrics must hold at least one metric id") }
        self.metrics = metrics
        criteria = try ThresholdCriteria(fields, aggregationMethods: aggregationMethods)
    }

    /// The rule as Aodh returns it.
    public var json: TelemetryValue {
        var entries: [String: TelemetryValue] = ["metrics": .list(metrics.map { .string($0) })]
        criteria.write(to: &entries)
        return .dictionary(entries)
    }
}
