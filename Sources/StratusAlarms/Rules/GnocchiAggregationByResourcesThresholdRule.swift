import StratusCore

/// `gnocchi_aggregation_by_resources_threshold`: an aggregate of one metric across the resources a
/// Gnocchi search selects (reference C1).
public struct GnocchiAggregationByResourcesThresholdRule: Sendable, Hashable {
    /// The metric name on each resource.
    public var metric: String
    /// The Gnocchi search, as JSON text (`{"=": {"server_group": "web"}}`).
    public var query: String
    /// The resource type searched.
    public var resourceType: String
    /// The comparison.
    public var criteria: ThresholdCriteria

    /// Creates a rule.
    public init(metric: String, query: String, resourceType: String, criteria: ThresholdCriteria) {
        self.metric = metric
        self.query = query
        self.resourceType = resourceType
        self.criteria = criteria
    }

    static let type = "gnocchi_aggregation_by_resources_threshold"

    init(_ value: TelemetryValue, aggregationMethods: Set<String>, allowing extra: Set<String> = []) throws(AlarmValidationError) {
        let fields = try RuleFields(value, context: Self.type + "_rule")
        try fields.checkKnown(ThresholdCriteria.keys.union(["metric", "query", "resource_type"]).union(extra))
        metric = try fields.requiredString("metric")
        resourceType = try fields.requiredString("resource_type")
        guard !metric.isEmpty, !resourceType.isEmpty else {
            throw AlarmValidationError("metric and resource_type must not be empty")
        }
        guard let queryValue = fields.value("query") else { throw fields.missing("query") }
        switch queryValue {
        case .string(let text):
            guard case .dictionary = try? TelemetryJSON.decode(text) else {
                throw AlarmValidationError("Invalid input for field/attribute query. Value: '\(text)'. query must be a JSON object")
            }
            query = text
        case .dictionary:
            // aodhclient sends a string; accept the decoded object too.
            query = TelemetryJSON.encode(queryValue)
        default:
            throw AlarmValidationError("query must be a JSON text holding a Gnocchi search")
        }
        criteria = try ThresholdCriteria(fields, aggregationMethods: aggregationMethods)
    }

    /// The search as a value.
    public var queryValue: TelemetryValue {
        (try? TelemetryJSON.decode(query)) ?? .dictionary([:])
    }

    /// The rule with its query AND-ed with project scoping (C1): resources created by the project,
    /// or belonging to it.
    public func scoped(toProject project: String) -> GnocchiAggregationByResourcesThresholdRule {
        var copy = self
        let scope: TelemetryValue = [
            "or": [
                ["=": ["created_by_project_id": .string(project)]],
                ["=": ["project_id": .string(project)]],
            ],
        ]
        copy.query = TelemetryJSON.encode(["and": [scope, queryValue]])
        return copy
    }

    /// The rule as Aodh returns it.
    public var json: TelemetryValue {
        var entries: [String: TelemetryValue] = [
            "metric": .string(metric), "query": .string(query), "resource_type": .string(resourceType),
        ]
        criteria.write(to: &entries)
        return .dictionary(entries)
    }
}
