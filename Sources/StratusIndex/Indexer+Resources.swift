import Foundation
import StratusCore

/// Resource types and resources in the index (Gnocchi's `resource_type`, `resource`, `resource_history` and the
/// per-type `rt_<hex>` / `rt_<hex>_history` tables), as both backends implement them:
///
/// - Types: `createResourceType`, `resourceType(named:)`, `resourceTypes()`, `updateResourceType` (ALTER TABLE in
///   one transaction, new columns filled), `deleteResourceType`; `generic` is made by the index migration and
///   Ceilometer's types by `createLegacyResourceTypes()`.
/// - Resources: `createResource`, `resource(type:id:)`, `updateResource` (history row iff `createRevision`),
///   `deleteResource`, `deleteResources(type:filter:creator:)`, and `listResources(type:query:)` — filters are
///   `SearchExpression`s compiled to SQL over the type's columns (`Resource.genericColumns` + its attributes).
/// - Lookups for other features: `resourceMetrics(_:)` (aggregates across resources), `activeMetrics(ofResources:)`
///   and `existingResources(_:)` (batch ingest).
extension Indexer {
    /// The metrics named `query.metricNames` (exact or `fnmatch` patterns) of the resources a search matches,
    /// with their resource (type attributes loaded): what `/v1/aggregates` with `resource_type` + `search`
    /// and `groupby` reads. Ordered by resource (in `listResources` order), then metric name.
    /// - Throws: as `listResources`.
    public func resourceMetrics(_ query: ResourceMetricQuery) async throws -> [ResourceMetric] {
        let resources = try await listResources(
            type: query.type,
            query: ResourceQuery(
                filter: query.filter, limit: query.resourceLimit, details: true, history: query.history,
                creator: query.creator))
        let patterns = query.metricNames.filter { $0.contains(where: { "*?[".contains($0) }) }
        let exact = Set(query.metricNames).subtracting(patterns)
        var wanted: [(Resource, String, UUID)] = []
        for resource in resources {
            for (name, id) in resource.metrics.sorted(by: { $0.key < $1.key })
            where exact.contains(name) || patterns.contains(where: { fnmatch(name, pattern: $0) }) {
                wanted.append((resource, name, id))
            }
        }
        let metrics = Dictionary(
            try await metrics(ids: wanted.map(\.2)).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return wanted.compactMap { resource, _, id in
            metrics[id].map { ResourceMetric(resource: resource, metric: $0) }
        }
    }
}
