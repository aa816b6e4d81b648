import Carbonara
import Foundation
import StratusCore
import StratusIndex

/// The resource form of `/v1/aggregates`: metric names (fnmatch wildcards allowed) over the resources of a
/// type matching a search, optionally grouped by resource attributes (Gnocchi's `_get_measures_by_name`,
/// `get_measures_grouping` and `Grouper`).
struct ResourceAggregates: Sendable {
    let environment: APIEnvironment
    let identity: Identity

    /// The answer bytes: `{"measures": …, "references"?: …}`, or with `groupby` a list of
    /// `{"group": {…}, "measures": {"measures": …}}`.
    /// - Throws: 404 "Metric [names] does not exist" when no resource has a matching metric; the errors of the
    ///   search, of `listResources` and of `AggregatesFetcher`.
    func aggregate(
        _ operation: AggregateOperation, type: ResourceType, search: SearchExpression?, groupby: [String], useHistory: Bool,
        arguments: AggregatesArguments, details: Bool
    ) async throws -> [UInt8] {
        var filter = search
        if let policy = try environment.policyFilter(.searchResource, identity) {
            filter = filter.map { .and([policy, $0]) } ?? policy
        }
        let lookups = operation.references
        if groupby.isEmpty {
            let resources = try await environment.listResources(
                type: type.name, ResourceQuery(filter: filter, creator: identity.user))
            guard let answer = try await measures(of: resources, lookups: lookups, operation: operation, arguments: arguments, details: details)
            else { throw noSuchMetric(lookups) }
            return answer
        }
        if useHistory {
            return try await HistoryGrouper(aggregates: self, type: type, filter: filter, groupby: groupby, lookups: lookups,
                                            operation: operation, arguments: arguments, details: details).answer()
        }
        let resources = try await environment.listResources(
            type: type.name,
            ResourceQuery(filter: filter, sort: groupby.map { (key: $0, ascending: true) }, details: true, creator: identity.user))
        var out = [UInt8(ascii: "[")]
        var groups = 0
        var index = 0
        while index < resources.count {
            let key = groupKey(resources[index], groupby)
            var end = index + 1
            while end < resources.count, groupKey(resources[end], groupby) == key { end += 1 }
            if let answer = try await measures(
                of: Array(resources[index..<end]), lookups: lookups, operation: operation, arguments: arguments, details: details) {
                if groups > 0 { out += Array(", ".utf8) }
                out += Array(#"{"group": "#.utf8)
                JSONWriter.write(.object(Dictionary(uniqueKeysWithValues: zip(groupby, key))), into: &out)
                out += Array(#", "measures": "#.utf8) + answer + [UInt8(ascii: "}")]
                groups += 1
            }
            index = end
        }
        guard groups > 0 else { throw noSuchMetric(lookups) }
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// The value of each `groupby` attribute of a resource, as its JSON prints it (null when it has none).
    func groupKey(_ resource: Resource, _ groupby: [String]) -> [JSONValue] {
        let json = ResourceBody.json(resource)
        return groupby.map { json[$0] ?? .null }
    }

    /// Gnocchi's `NoSuchMetric(sorted names)` as a 404: "Metric ['cpu', 'mem*'] does not exist".
    func noSuchMetric(_ lookups: [MetricLookup]) -> APIError {
        let names = Array(Set(lookups.map(\.name))).sorted()
        return APIError(.notFound, "Metric \(QueryParameters.pythonListRepr(names)) does not exist")
    }

    /// `_get_measures_by_name`: the aggregation of the matching metrics of `resources`, nil when none matches.
    /// - Parameters:
    ///   - window: per resource, the `(start, stop)` to read instead of the arguments' (history grouping).
    func measures(
        of resources: [Resource], lookups: [MetricLookup], operation: AggregateOperation, arguments: AggregatesArguments,
        details: Bool
    ) async throws -> [UInt8]? {
        guard let (result, references) = try await aggregated(of: resources, lookups: lookups, operation: operation, arguments: arguments)
        else { return nil }
        var referencesJSON: JSONValue?
        if details {
            var seen = Set<UUID>()
            let used = references.compactMap { ref in resources.first { $0.id == ref.resourceId } }.filter { seen.insert($0.id).inserted }
            referencesJSON = .array(used.sorted { $0.id.lowercaseText < $1.id.lowercaseText }.map { ResourceBody.json($0) })
        }
        return AggregatesWriter.envelope(measures: AggregatesWriter.measures(result, references: references), references: referencesJSON)
    }

    /// The references of `resources` matching `lookups` and their aggregation; nil when none matches.
    func aggregated(
        of resources: [Resource], lookups: [MetricLookup], operation: AggregateOperation, arguments: AggregatesArguments
    ) async throws -> (CrossSeriesAggregator.Result, [AggregatesReference])? {
        var matches = [(Resource, MetricLookup, UUID)]()
        for resource in resources {
            let named = resource.metrics.sorted { $0.key < $1.key }
            for lookup in lookups {
                for (name, id) in named where fnmatch(name, pattern: lookup.name) { matches.append((resource, lookup, id)) }
            }
        }
        guard !matches.isEmpty else { return nil }
        var ids = [UUID]()
        var seen = Set<UUID>()
        for (_, _, id) in matches where seen.insert(id).inserted { ids.append(id) }
        let metrics = Dictionary(try await environment.activeMetrics(ids: ids).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var policies = [String: ArchivePolicy]()
        var references = [AggregatesReference]()
        for (resource, lookup, id) in matches {
            guard let metric = metrics[id] else { continue }
            if policies[metric.archivePolicyName] == nil {
                policies[metric.archivePolicyName] = try await environment.archivePolicy(named: metric.archivePolicyName)
            }
            guard let policy = policies[metric.archivePolicyName] else { continue }
            references.append(AggregatesReference(lookup: lookup, metric: metric, policy: policy, resourceId: resource.id))
        }
        guard !references.isEmpty else { return nil }
        let result = try await AggregatesFetcher(environment: environment).aggregate(references, operation: operation, arguments: arguments)
        return (result, references)
    }
}
