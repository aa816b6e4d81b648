import Foundation
import StratusCore

/// The rule of an alarm: what its evaluator checks (reference C1, C4).
public indirect enum AlarmRule: Sendable, Hashable {
    /// Legacy Ceilometer `threshold`, evaluated against Gnocchi.
    case threshold(LegacyThresholdRule)
    /// Legacy `combination` of other alarms' states.
    case combination(CombinationRule)
    /// `gnocchi_resources_threshold`.
    case gnocchiResourcesThreshold(GnocchiResourcesThresholdRule)
    /// `gnocchi_aggregation_by_metrics_threshold`.
    case gnocchiAggregationByMetricsThreshold(GnocchiAggregationByMetricsThresholdRule)
    /// `gnocchi_aggregation_by_resources_threshold`.
    case gnocchiAggregationByResourcesThreshold(GnocchiAggregationByResourcesThresholdRule)
    /// `composite`: and/or of threshold rules.
    case composite(CompositeRule)

    /// Every type name, as Aodh spells them.
    public static let types = [
        "combination", "composite", "gnocchi_aggregation_by_metrics_threshold",
        "gnocchi_aggregation_by_resources_threshold", "gnocchi_resources_threshold", "threshold",
    ]

    /// Aodh's type name (`gnocchi_resources_threshold`); the alarm's `type` and `<type>_rule` key.
    public var type: String {
        switch self {
        case .threshold: LegacyThresholdRule.type
        case .combination: CombinationRule.type
        case .gnocchiResourcesThreshold: GnocchiResourcesThresholdRule.type
        case .gnocchiAggregationByMetricsThreshold: GnocchiAggregationByMetricsThresholdRule.type
        case .gnocchiAggregationByResourcesThreshold: GnocchiAggregationByResourcesThresholdRule.type
        case .composite: "composite"
        }
    }

    /// Parses and validates a rule of `type`, filling in Aodh's defaults (C1).
    /// - Parameters:
    ///   - type: the alarm's type.
    ///   - rule: the `<type>_rule` object (for `composite`, the and/or tree whose leaves carry `type`).
    ///   - aggregationMethods: the methods `aggregation_method` may name (`/v1/capabilities`).
    /// - Throws: `AlarmValidationError` for an unknown type, a missing or invalid field.
    public static func parse(
        type: String, rule: TelemetryValue,
        aggregationMethods: Set<String> = ThresholdCriteria.gnocchiAggregationMethods
    ) throws(AlarmValidationError) -> AlarmRule {
        switch type {
        case LegacyThresholdRule.type:
            return .threshold(try LegacyThresholdRule(rule))
        case CombinationRule.type:
            return .combination(try CombinationRule(rule))
        case GnocchiResourcesThresholdRule.type:
            return .gnocchiResourcesThreshold(
                try GnocchiResourcesThresholdRule(rule, aggregationMethods: aggregationMethods))
        case GnocchiAggregationByMetricsThresholdRule.type:
            return .gnocchiAggregationByMetricsThreshold(
                try GnocchiAggregationByMetricsThresholdRule(rule, aggregationMethods: aggregationMethods))
        case GnocchiAggregationByResourcesThresholdRule.type:
            return .gnocchiAggregationByResourcesThreshold(
                try GnocchiAggregationByResourcesThresholdRule(rule, aggregationMethods: aggregationMethods))
        case "composite":
            return .composite(try CompositeRule.parse(rule, aggregationMethods: aggregationMethods))
        default:
            throw AlarmValidationError("type must be one of: \(types.joined(separator: ", ")), not \(type)")
        }
    }

    /// The rule as Aodh returns it (`<type>_rule`, or the tree for `composite`), defaults filled in.
    public var json: TelemetryValue {
        switch self {
        case .threshold(let rule): rule.json
        case .combination(let rule): rule.json
        case .gnocchiResourcesThreshold(let rule): rule.json
        case .gnocchiAggregationByMetricsThreshold(let rule): rule.json
        case .gnocchiAggregationByResourcesThreshold(let rule): rule.json
        case .composite(let rule): rule.json
        }
    }

    /// The alarms a `combination` refers to; empty for every other type.
    public var alarmIDs: [UUID] {
        if case .combination(let rule) = self { return rule.alarmIDs }
        return []
    }

    /// The rule with every by_resources query AND-ed with project scoping (C1: on create for
    /// non-admins); other rules unchanged.
    public func scoped(toProject project: String) -> AlarmRule {
        switch self {
        case .gnocchiAggregationByResourcesThreshold(let rule):
            .gnocchiAggregationByResourcesThreshold(rule.scoped(toProject: project))
        case .composite(let tree):
            .composite(tree.scoped(toProject: project))
        default:
            self
        }
    }
}

extension CompositeRule {
    func scoped(toProject project: String) -> CompositeRule {
        switch self {
        case .and(let children): .and(children.map { $0.scoped(toProject: project) })
        case .or(let children): .or(children.map { $0.scoped(toProject: project) })
        case .rule(let rule): .rule(rule.scoped(toProject: project))
        }
    }
}
