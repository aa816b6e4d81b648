import Foundation
import StratusCore

/// How a threshold rule reads its statistics from Gnocchi (reference C1), and the insufficient-data
/// reasons of failed requests, as Aodh's Gnocchi evaluators word them.
public enum RuleStatistics {
    /// The threshold parameters of a leaf rule: comparison, granularity, periods, and whether
    /// `exclude_outliers` extends the look-back.
    public struct Threshold: Sendable, Hashable {
        /// How points are compared with `threshold`.
        public var comparison: ComparisonOperator
        /// The threshold.
        public var threshold: Double
        /// The granularity of the points (a legacy rule's `period`), seconds.
        public var granularity: Int
        /// How many of the latest points are compared.
        public var evaluationPeriods: Int
        /// Legacy `exclude_outliers`.
        public var excludeOutliers: Bool
    }

    /// The threshold parameters of a threshold rule; nil for `combination` and `composite`.
    public static func threshold(of rule: AlarmRule) -> Threshold? {
        func from(_ criteria: ThresholdCriteria) -> Threshold {
            Threshold(
                comparison: criteria.comparisonOperator, threshold: criteria.threshold,
                granularity: criteria.granularity, evaluationPeriods: criteria.evaluationPeriods, excludeOutliers: false)
        }
        switch rule {
        case .gnocchiResourcesThreshold(let rule): return from(rule.criteria)
        case .gnocchiAggregationByMetricsThreshold(let rule): return from(rule.criteria)
        case .gnocchiAggregationByResourcesThreshold(let rule): return from(rule.criteria)
        case .threshold(let rule):
            return Threshold(
                comparison: rule.comparisonOperator, threshold: rule.threshold, granularity: rule.period,
                evaluationPeriods: rule.evaluationPeriods, excludeOutliers: rule.excludeOutliers)
        case .combination, .composite: return nil
        }
    }

    /// The request of a threshold rule over `[start, stop]`; nil for `combination` and `composite`.
    public static func request(for rule: AlarmRule, start: Date, stop: Date) -> StatisticsRequest? {
        switch rule {
        case .gnocchiResourcesThreshold(let rule):
            return .measures(
                resourceID: rule.resourceID, metric: rule.metric, granularity: rule.criteria.granularity,
                aggregation: rule.criteria.aggregationMethod, start: start, stop: stop)
        case .gnocchiAggregationByMetricsThreshold(let rule):
            return .aggregates(
                operations: metricsOperations(rule.metrics, aggregation: rule.criteria.aggregationMethod), search: nil,
                resourceType: nil, granularity: rule.criteria.granularity, start: start, stop: stop)
        case .gnocchiAggregationByResourcesThreshold(let rule):
            let method = rule.criteria.aggregationMethod
            return .aggregates(
                operations: ["aggregate", .string(method), ["metric", .string(rule.metric), .string(baseMethod(method))]],
                search: rule.queryValue, resourceType: rule.resourceType, granularity: rule.criteria.granularity,
                start: start, stop: stop)
        case .threshold(let rule):
            let method = rule.statistic.aggregationMethod
            return .aggregates(
                operations: ["aggregate", .string(method), ["metric", .string(rule.meterName), .string(method)]],
                search: legacySearch(rule.query), resourceType: "generic", granularity: rule.period, start: start,
                stop: stop)
        case .combination, .composite:
            return nil
        }
    }

    /// The request of the sample counts per period of a legacy rule with `exclude_outliers`.
    public static func countRequest(for rule: LegacyThresholdRule, start: Date, stop: Date) -> StatisticsRequest {
        .aggregates(
            operations: ["aggregate", "sum", ["metric", .string(rule.meterName), "count"]],
            search: legacySearch(rule.query), resourceType: "generic", granularity: rule.period, start: start, stop: stop)
    }

    /// `["aggregate", AGG, ["metric", id, AGG without rate:]]` for one metric; for several, the form
    /// Gnocchi accepts, `["aggregate", AGG, ["metric", [m1, AGG], [m2, AGG]]]` (Aodh bug #1 avoided).
    public static func metricsOperations(_ metrics: [String], aggregation: String) -> TelemetryValue {
        let base = baseMethod(aggregation)
        if metrics.count == 1 {
            return ["aggregate", .string(aggregation), ["metric", .string(metrics[0]), .string(base)]]
        }
        let references: [TelemetryValue] = metrics.map { .list([.string($0), .string(base)]) }
        return ["aggregate", .string(aggregation), .list([.string("metric")] + references)]
    }

    /// The method the metrics are read with: `rate:mean` aggregates `mean` series.
    static func baseMethod(_ method: String) -> String {
        method.hasPrefix("rate:") ? String(method.dropFirst(5)) : method
    }

    /// A Ceilometer v2 query as a Gnocchi resource search: `resource_id` → `id`, `project`/`user` →
    /// `project_id`/`user_id`, `metadata.x` / `resource_metadata.x` → `x`; values typed by `type`.
    public static func legacySearch(_ conditions: [LegacyThresholdRule.Condition]) -> TelemetryValue {
        let operators: [ComparisonOperator: String] = [.eq: "=", .ne: "!=", .lt: "<", .le: "<=", .gt: ">", .ge: ">="]
        let terms: [TelemetryValue] = conditions.map { condition in
            var field = condition.field
            switch field {
            case "resource_id", "resource": field = "id"
            case "project": field = "project_id"
            case "user": field = "user_id"
            default:
                for prefix in ["resource_metadata.", "metadata."] where field.hasPrefix(prefix) {
                    field = String(field.dropFirst(prefix.count))
                }
            }
            let value: TelemetryValue
            switch condition.type {
            case "integer": value = Int64(condition.value).map { .int($0) } ?? .string(condition.value)
            case "float": value = Double(condition.value).map { .double($0) } ?? .string(condition.value)
            case "boolean": value = .bool(["true", "1", "yes"].contains(condition.value.lowercased()))
            default: value = .string(condition.value)
            }
            return .dictionary([operators[condition.op]!: .dictionary([field: value])])
        }
        return terms.count == 1 ? terms[0] : ["and": .list(terms)]
    }

    /// The insufficient-data reason of a failed request for `rule` (Aodh's exception handlers).
    public static func reason(for error: GnocchiClientError, rule: AlarmRule) -> String {
        let notFound = error.status == 404
        let metricMissing = notFound && matches(error.message, "Metric ", " does not exist")
        let resourceMissing = notFound && matches(error.message, "Resource ", " does not exist")
        switch rule {
        case .gnocchiResourcesThreshold(let rule):
            if metricMissing { return "metric \(rule.metric) for resource \(rule.resourceID) does not exists" }
            if resourceMissing { return "resource \(rule.resourceID) does not exists" }
            if notFound {
                return "aggregation \(rule.criteria.aggregationMethod) does not exist for metric \(rule.metric) "
                    + "of resource \(rule.resourceID)"
            }
        case .gnocchiAggregationByMetricsThreshold(let rule):
            let list = "[" + rule.metrics.map { PythonRepr.string($0) }.joined(separator: ", ") + "]"
            if metricMissing { return "At least of metrics in \(list) does not exist" }
            if notFound {
                return "aggregation \(rule.criteria.aggregationMethod) does not exist for at least one metrics in \(list)"
            }
        case .gnocchiAggregationByResourcesThreshold(let rule):
            if metricMissing { return "metric \(rule.metric) does not exists" }
            if notFound {
                return "aggregation \(rule.criteria.aggregationMethod) does not exist for at least one metric of the query"
            }
        case .threshold(let rule):
            if metricMissing { return "metric \(rule.meterName) does not exists" }
            if notFound {
                return "aggregation \(rule.statistic.aggregationMethod) does not exist for at least one metric of the query"
            }
        case .combination, .composite:
            break
        }
        return "alarm statistics retrieval failed: \(error.description)"
    }

    private static func matches(_ text: String, _ prefix: String, _ suffix: String) -> Bool {
        guard let start = text.range(of: prefix), let end = text.range(of: suffix, options: .backwards) else { return false }
        return start.upperBound <= end.lowerBound
    }
}
