import StratusCore

/// `composite`: threshold rules combined with nested `and` / `or` (reference C4).
public indirect enum CompositeRule: Sendable, Hashable {
    /// All sub-rules in alarm.
    case and([CompositeRule])
    /// At least one sub-rule in alarm.
    case or([CompositeRule])
    /// A threshold rule (never `combination` or `composite`).
    case rule(AlarmRule)

    /// The rule types a leaf may have.
    public static let leafTypes = [
        "gnocchi_aggregation_by_metrics_threshold", "gnocchi_aggregation_by_resources_threshold",
        "gnocchi_resources_threshold", "threshold",
    ]

    /// Parses the tree; leaves carry `type`, their defaults are filled in.
    static func parse(_ value: TelemetryValue, aggregationMethods: Set<String>) throws(AlarmValidationError) -> CompositeRule {
        guard case .dictionary(var entries) = value else {
            throw AlarmValidationError(
                "Invalid input composite_rule: \(TelemetryJSON.encode(value)), should be combined with \"and\" or \"or\"")
        }
        if entries.count == 1, let (key, operand) = entries.first {
            guard key == "and" || key == "or" else {
                throw AlarmValidationError("Threshold rules should be combined with \"and\" or \"or\"")
            }
            guard case .list(let items) = operand, !items.isEmpty else {
                throw AlarmValidationError(
                    "Invalid input composite_rule: \(TelemetryJSON.encode(value)), \"\(key)\" needs a non-empty list of rules")
            }
            var children: [CompositeRule] = []
            for item in items {
                children.append(try parse(item, aggregationMethods: aggregationMethods))
            }
            return key == "and" ? .and(children) : .or(children)
        }
        guard let typeValue = entries.removeValue(forKey: "type"), case .string(let type) = typeValue, !type.isEmpty
        else {
            throw AlarmValidationError("type must be set in every rule")
        }
        guard leafTypes.contains(type) else {
            throw AlarmValidationError(
                "Unsupported sub-rule type :\(type) in composite rule, should be one of: "
                    + "[" + leafTypes.map { "'\($0)'" }.joined(separator: ", ") + "]")
        }
        return .rule(try AlarmRule.parse(type: type, rule: .dictionary(entries), aggregationMethods: aggregationMethods))
    }

    /// The tree as Aodh returns it, leaves with their `type`.
    public var json: TelemetryValue {
        switch self {
        case .and(let children): return .dictionary(["and": .list(children.map(\.json))])
        case .or(let children): return .dictionary(["or": .list(children.map(\.json))])
        case .rule(let rule):
            if case .dictionary(var entries) = rule.json {
                entries["type"] = .string(rule.type)
                return .dictionary(entries)
            }
            return rule.json
        }
    }

    /// The leaves, depth-first in definition order (`rule1`, `rule2`, … in reasons).
    public var leaves: [AlarmRule] {
        switch self {
        case .and(let children), .or(let children): children.flatMap(\.leaves)
        case .rule(let rule): [rule]
        }
    }
}
