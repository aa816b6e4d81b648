import Carbonara
import Foundation
import StratusIndex

extension APIEnvironment {
    /// The active metrics among `ids` (each at most once, in no particular order), from the cache where it has
    /// them and from the index for the rest. Metrics marked for deletion are left out.
    func activeMetrics(ids: [UUID]) async throws -> [Metric] {
        let (cached, missing) = metricCache.values(for: ids)
        guard !missing.isEmpty else { return cached }
        let read = try await withIndexErrors { try await core.indexer.metrics(ids: missing) }.filter { $0.status == .active }
        metricCache.store(read.map { ($0.id, $0) })
        return cached + read
    }

    /// The active metric named by a path segment, as Gnocchi parses it.
    /// - Throws: 404 "Metric … does not exist" for a segment that is not a UUID or an unknown or deleted metric.
    func activeMetric(_ segment: String) async throws -> Metric {
        guard let id = PythonUUID.parse(segment) else {
            throw APIError(.notFound, "Metric \(segment) does not exist")
        }
        if let metric = metricCache.value(for: id) { return metric }
        guard let metric = try await withIndexErrors({ try await core.indexer.metric(id: id) }), metric.status == .active else {
            throw APIError(.notFound, "Metric \(segment) does not exist")
        }
        metricCache.store([(id, metric)])
        return metric
    }

    /// An archive policy by name, from the cache or the index.
    func archivePolicy(named name: String) async throws -> ArchivePolicy? {
        if let policy = archivePolicyCache.value(for: name) { return policy }
        guard let policy = try await withIndexErrors({ try await core.indexer.archivePolicy(named: name) }) else { return nil }
        archivePolicyCache.store([(name, policy)])
        return policy
    }

    /// Forgets a metric this process deleted (or whose resource it deleted).
    public func forgetMetric(_ id: UUID) { metricCache.remove(id) }

    /// Forgets every metric (after a bulk resource delete, which deletes metrics it does not name).
    public func forgetAllMetrics() { metricCache.removeAll() }

    /// Forgets an archive policy this process changed or deleted.
    public func forgetArchivePolicy(named name: String) { archivePolicyCache.remove(name) }
}

extension APIEnvironment {
    /// Enforces a metric rule as Gnocchi does: against the metric's creator and, for a metric attached to a
    /// resource, the resource's project (`metric_owner`). The resource is read only when the creator alone
    /// does not grant the rule.
    func enforce(_ rule: PolicyRule, _ identity: Identity, metric: Metric) async throws {
        if rule.allows(identity, metric.policyTarget) { return }
        if let resourceId = metric.resourceId,
           let resource = try await withIndexErrors({ try await core.indexer.resource(type: "generic", id: resourceId) }) {
            try rule.enforce(identity, PolicyTarget(creator: metric.creator, resourceProjectId: resource.projectId))
        } else {
            try rule.enforce(identity, metric.policyTarget)
        }
    }

    /// Whether `rule` allows `identity` on `metric`, reading its resource only when needed.
    func allows(_ rule: PolicyRule, _ identity: Identity, metric: Metric) async throws -> Bool {
        do {
            try await enforce(rule, identity, metric: metric)
            return true
        } catch let error as APIError where error.status == .forbidden {
            return false
        }
    }
}
