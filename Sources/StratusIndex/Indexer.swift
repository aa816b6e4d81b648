import Carbonara
import Foundation

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
    /// Releases connections; the indexer must not be used afterwards.
    func close() async throws
}

extension Indexer {
    /// Default matching: the first rule of `archivePolicyRules()` whose pattern matches, as Gnocchi does.
    public func archivePolicyRule(matchingMetricName name: String) async throws -> ArchivePolicyRule? {
        try await archivePolicyRules().first { fnmatch(name, pattern: $0.metricPattern) }
    }
}
