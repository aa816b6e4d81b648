import Carbonara
import StratusCore
import StratusIndex

extension ArchivePolicy {
    /// The policy as Gnocchi's `ArchivePolicy.jsonify()` prints it: `name`, `back_window`, `definition` (items in
    /// the policy's order) and `aggregation_methods`.
    ///
    /// Gnocchi prints the methods in Python set order, which varies from process to process; Stratus sorts them.
    var json: JSONValue {
        [
            "name": .string(name),
            "back_window": .integer(Int64(backWindow)),
            "definition": .array(definition.map(\.json)),
            "aggregation_methods": .array(aggregationMethods.map(\.name).sorted().map { .string($0) }),
        ]
    }
}

extension ArchivePolicyItem {
    /// The item as Gnocchi's `ArchivePolicyItem.jsonify()`: granularity and timespan as `str(timedelta)`
    /// (`"0:05:00"`, `"30 days, 0:00:00"`), timespan and points null for infinite retention.
    var json: JSONValue {
        [
            "granularity": .string(Durations.formatTimedelta(nanoseconds: granularity)),
            "points": points.map { .integer(Int64($0)) } ?? .null,
            "timespan": timespan.map { .string(Durations.formatTimedelta(nanoseconds: $0)) } ?? .null,
        ]
    }
}

extension ArchivePolicyRule {
    /// The rule as Gnocchi prints its row: `name`, `metric_pattern`, `archive_policy_name`.
    var json: JSONValue {
        [
            "name": .string(name),
            "metric_pattern": .string(metricPattern),
            "archive_policy_name": .string(archivePolicyName),
        ]
    }
}
