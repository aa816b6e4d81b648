import Carbonara
import Foundation
import StratusCore

/// The index of archive policies, archive policy rules and metrics (Gnocchi's indexer), one per backend.
///
/// Every method is safe to call concurrently. Errors are `IndexError`s. Call `upgrade()` once before use
/// and `close()` when done.
public protocol Indexer: Sendable {
    /// Runs the pending named migrations; idempotent.
    func upgrade() async throws

    /// Stores a new archive policy. - Throws: `archivePolicyAlreadyExists`.
    func createArchivePolicy(_ policy: ArchivePolicy) async throws
    /// The policy with this name, nil if none.
    func archivePolicy(named: String) async throws -> ArchivePolicy?
    /// Every policy, ordered by name.
    func archivePolicies() async throws -> [ArchivePolicy]
    /// Changes the points of each granularity and optionally the back window; lowering the back window
    /// marks the policy's metrics `needsRawDataTruncation`.
    /// - Throws: `archivePolicyNotFound`; `invalidArchivePolicyUpdate` when granularities are added, dropped or changed.
    func updateArchivePolicy(named: String, definition: [ArchivePolicyItem], backWindow: Int?) async throws -> ArchivePolicy
    /// Deletes a policy. - Throws: `archivePolicyNotFound`; `archivePolicyInUse` when a metric (any status) or a rule uses it.
    func deleteArchivePolicy(named: String) async throws

    /// Stores a new rule. - Throws: `archivePolicyRuleAlreadyExists`; `archivePolicyNotFound` for an unknown policy.
    func createArchivePolicyRule(_ rule: ArchivePolicyRule) async throws
    /// The rule with this name, nil if none.
    func archivePolicyRule(named: String) async throws -> ArchivePolicyRule?
    /// Every rule, ordered by metric pattern descending then name, as Gnocchi matches them.
    func archivePolicyRules() async throws -> [ArchivePolicyRule]
    /// Renames a rule (its only mutable field).
    /// - Throws: `archivePolicyRuleNotFound`; `archivePolicyRuleAlreadyExists` when `newName` is taken.
    func renameArchivePolicyRule(named: String, to newName: String) async throws -> ArchivePolicyRule
    /// Deletes a rule. - Throws: `archivePolicyRuleNotFound`.
    func deleteArchivePolicyRule(named: String) async throws
    /// The first rule, in `archivePolicyRules()` order, whose pattern `fnmatch`es the name; nil if none.
    func archivePolicyRule(matchingMetricName: String) async throws -> ArchivePolicyRule?

    /// Stores a new metric with the caller's id.
    /// - Throws: `metricAlreadyExists` for a taken id or (resource, name); `archivePolicyNotFound`.
    func createMetric(_ metric: Metric) async throws
    /// The metric with this id, in any status.
    func metric(id: UUID) async throws -> Metric?
    /// The metrics with these ids that exist, in any status, ordered by id.
    func metrics(ids: [UUID]) async throws -> [Metric]
    /// The metrics matching a query. - Throws: `invalidQuery` for an unknown sort key, a negative limit or an unknown marker.
    func listMetrics(_ query: MetricQuery) async throws -> [Metric]
    /// Marks an active metric deleted and detaches it from its resource. - Throws: `metricNotFound` unless active.
    func markMetricDeleted(id: UUID) async throws
    /// Removes the metric's row, once the janitor has deleted its storage. - Throws: `metricNotFound`.
    func expungeMetric(id: UUID) async throws
    /// Sets the last measure timestamps (ns) of these metrics; unknown ids are ignored.
    func setLastMeasureTimestamps(_ values: [UUID: Int64]) async throws
    /// Clears `needsRawDataTruncation` on these metrics; unknown ids are ignored.
    func clearNeedsRawDataTruncation(ids: [UUID]) async throws

    /// Whether any archive policy or rule exists (the upgrade creates the defaults only when none does).
    func hasArchivePoliciesOrRules() async throws -> Bool

    // Resource types and resources (`Indexer+Resources.swift` documents them).

    /// Creates a type and its tables; returns it `active`. - Throws: `resourceTypeAlreadyExists`.
    func createResourceType(_ type: ResourceType) async throws -> ResourceType
    /// The type with this name, nil if none.
    func resourceType(named: String) async throws -> ResourceType?
    /// Every type, by name.
    func resourceTypes() async throws -> [ResourceType]
    /// Adds, drops and changes attributes (ALTER TABLE), filling existing resources.
    /// - Throws: `resourceTypeNotFound`, `invalidResourceTypeUpdate`.
    func updateResourceType(named: String, _ update: ResourceTypeUpdate) async throws -> ResourceType
    /// Drops a type and its tables. - Throws: `resourceTypeNotFound`; `resourceTypeInUse` for `generic` or a type with resources.
    func deleteResourceType(named: String) async throws
    /// Stores a resource and attaches or creates its metrics.
    /// - Throws: `resourceTypeNotFound`, `unexpectedResourceTypeState`, `resourceAlreadyExists`, `resourceValueError`,
    ///   `metricNotFound`, `metricAlreadyExists` (named metric), `archivePolicyNotFound`.
    func createResource(_ creation: ResourceCreation) async throws -> Resource
    /// The current revision of a resource of this type (any resource for `generic`), with its attributes and metrics.
    /// - Throws: `resourceTypeNotFound`.
    func resource(type: String, id: UUID) async throws -> Resource?
    /// Changes a resource, first copying it into its history when `update.createRevision`.
    /// - Throws: `resourceNotFound`, `resourceValueError`, the metric errors of `createResource`.
    func updateResource(type: String, id: UUID, _ update: ResourceUpdate) async throws -> Resource
    /// Deletes a resource and its history; its metrics are marked deleted. - Throws: `resourceNotFound`.
    func deleteResource(id: UUID) async throws
    /// Deletes the resources of a type matching a filter (their metrics marked deleted); returns how many.
    /// - Throws: `resourceTypeNotFound`, `resourceAttributeError`, `SearchError`.
    func deleteResources(type: String, filter: SearchExpression, creator: String?) async throws -> Int
    /// The resources (or revisions) of a type matching a query, in its order.
    /// - Throws: `resourceTypeNotFound`, `invalidQuery` (sort key, marker, limit), `resourceAttributeError`, `SearchError`.
    func listResources(type: String, query: ResourceQuery) async throws -> [Resource]
    /// The active metrics attached to any of these resources (batch ingest looks them up in one go).
    func activeMetrics(ofResources ids: [UUID]) async throws -> [Metric]
    /// Which of these ids are resources (of any type).
    func existingResources(_ ids: [UUID]) async throws -> Set<UUID>
    /// Releases connections; the indexer must not be used afterwards.
    func close() async throws
}

extension Indexer {
    /// Default matching: the first rule of `archivePolicyRules()` whose pattern matches, as Gnocchi does.
    public func archivePolicyRule(matchingMetricName name: String) async throws -> ArchivePolicyRule? {
        try await archivePolicyRules().first { fnmatch(name, pattern: $0.metricPattern) }
    }
}
