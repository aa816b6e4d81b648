import StratusCore

/// `gnocchi_resources_threshold`: the measures of one resource's metric (reference C1).
public struct GnocchiResourcesThresholdRule: Sendable, Hashable {
    /// The metric name on the resource.
    public var metric: String
    /// The resource id as the user gave it (Gnocchi maps non-UUID ids).
    public var resourceID: String
    /// The resource type.
    public var resourceType: String
    /// The comparison.
    public var criteria: ThresholdCriteria

    /// Creates a rule.
    public init(metric: String, resourceID: String, resourceType: String, criteria: ThresholdCriteria) {
        self.metric = metric
        self.resourceID = resourceID
        self.resourceType = resourceType
        self.criteria = criteria
    }

    static let type = "gnocchi_resources_threshold"

    init(_ value: TelemetryValue, aggregationMethods: Set<String>, allowing extra: Set<String> = []) throws(AlarmValidationError) {
        let fields = try RuleFields(value, context: Self.type + "_rule")
        try fields.checkKnown(ThresholdCriteria.keys.union(["metric", "resource_id", "resource_type"]).union(extra))
        metric = try fields.requiredString("metric")
        resourceID = try fields.requiredString("resource_id")
        resourceType = try fields.requiredString("resource_type")
        guard !metric.isEmpty, !resourceID.isEmpty, !resourceType.isEmpty else {
            throw AlarmValidationError("metric, resource_id and resource_type must not be empty")
        }
        criteria = try ThresholdCriteria(fields, aggregationMethods: aggregationMethods)
    }

    /// The rule as Aodh returns it.
    public var json: TelemetryValue {
        var entries: [String: TelemetryValue] = [
            "metric": .string(metric), "resource_id": .string(resourceID), "resource_type": .string(resourceType),
        ]
        criteria.write(to: &entries)
        return .dictionary(entries)
    }
}
