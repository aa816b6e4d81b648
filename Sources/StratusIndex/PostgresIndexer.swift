import Carbonara
import Foundation
import StratusCore
import Logging
import PostgresNIO

/// The index on PostgreSQL through a postgres-nio `PostgresClient` (a connection pool).
public final class PostgresIndexer: Indexer {
    let client: PostgresClient
    let logger: Logger
    /// Runs `client.run()` when this indexer owns the client; nil when the caller runs it.
    private let runTask: Task<Void, Never>?

    /// Uses a client that the caller runs (for example in its `ServiceGroup`); `close()` leaves it running.
    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
        self.runTask = nil
    }

    /// Connects to the database of a `postgresql://` URL (see `PostgresURL`), owning the client.
    /// - Throws: `IndexError.invalidURL`.
    public init(url: String, logger: Logger = Logger(label: "stratus.index")) throws {
        let parsed = try PostgresURL(url)
        let client = PostgresClient(configuration: parsed.configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        // The indexer is created synchronously by `makeIndexer` and used from many tasks, so it owns the
        // pool's task for its lifetime; `close()` cancels it and waits for it to finish.
        self.runTask = PostgresPoolTask.start(client)
    }

    public func close() async throws {
        guard let runTask else { return }
        runTask.cancel()
        await runTask.value
    }

    // MARK: - Archive policies

    public func createArchivePolicy(_ policy: ArchivePolicy) async throws {
        let stored = try StoredArchivePolicy(policy)
        try await transaction(unique: .archivePolicyAlreadyExists(stored.name)) { connection in
            if try await self.fetchPolicy(connection, stored.name) != nil {
                throw IndexError.archivePolicyAlreadyExists(stored.name)
            }
            try await connection.query(
                """
                INSERT INTO archive_policy (name, back_window, definition, aggregation_methods)
                VALUES (\(stored.name), \(stored.backWindow), \(stored.definition), \(stored.aggregationMethods))
                """, logger: self.logger)
        }
    }

    public func archivePolicy(named name: String) async throws -> ArchivePolicy? {
        try await withConnection { connection in try await self.fetchPolicy(connection, name)?.policy() }
    }

    public func archivePolicies() async throws -> [ArchivePolicy] {
        try await withConnection { connection in
            try await self.rows(connection, "SELECT \(unescaped: Self.policyColumns) FROM archive_policy ORDER BY name")
                .map { try Self.storedPolicy($0).policy() }
        }
    }

    public func updateArchivePolicy(
        named name: String, definition: [ArchivePolicyItem], backWindow: Int?
    ) async throws -> ArchivePolicy {
        try await transaction { connection in
            guard let current = try await self.fetchPolicy(connection, name, forUpdate: true)?.policy() else {
                throw IndexError.archivePolicyNotFound(name)
            }
            let updated = try current.updated(definition: definition, backWindow: backWindow)
            let encoded = try StoredArchivePolicy.encodeDefinition(updated.definition)
            try await connection.query(
                "UPDATE archive_policy SET definition = \(encoded), back_window = \(updated.backWindow) WHERE name = \(name)",
                logger: self.logger)
            if updated.backWindow < current.backWindow {
                try await connection.query(
                    "UPDATE metric SET needs_raw_data_truncation = TRUE WHERE archive_policy_name = \(name)",
                    logger: self.logger)
            }
            return updated
        }
    }

    public func deleteArchivePolicy(named name: String) async throws {
        try await transaction(foreignKey: .archivePolicyInUse(name)) { connection in
            guard try await self.fetchPolicy(connection, name, forUpdate: true) != nil else {
                throw IndexError.archivePolicyNotFound(name)
            }
            let used = try await self.rows(
                connection,
                """
                SELECT EXISTS (SELECT 1 FROM metric WHERE archive_policy_name = \(name))
                    OR EXISTS (SELECT 1 FROM archive_policy_rule WHERE archive_policy_name = \(name))
                """
            ).first?.decode(Bool.self) ?? false
            if used { throw IndexError.archivePolicyInUse(name) }
            try await connection.query("DELETE FROM archive_policy WHERE name = \(name)", logger: self.logger)
        }
    }

    // MARK: - Archive policy rules

    public func createArchivePolicyRule(_ rule: ArchivePolicyRule) async throws {
        try await transaction(
            unique: .archivePolicyRuleAlreadyExists(rule.name), foreignKey: .archivePolicyNotFound(rule.archivePolicyName)
        ) { connection in
            if try await self.fetchRule(connection, rule.name) != nil {
                throw IndexError.archivePolicyRuleAlreadyExists(rule.name)
            }
            guard try await self.fetchPolicy(connection, rule.archivePolicyName) != nil else {
                throw IndexError.archivePolicyNotFound(rule.archivePolicyName)
            }
            try await connection.query(
                """
                INSERT INTO archive_policy_rule (name, metric_pattern, archive_policy_name)
                VALUES (\(rule.name), \(rule.metricPattern), \(rule.archivePolicyName))
                """, logger: self.logger)
        }
    }

    public func archivePolicyRule(named name: String) async throws -> ArchivePolicyRule? {
        try await withConnection { connection in try await self.fetchRule(connection, name) }
    }

    public func archivePolicyRules() async throws -> [ArchivePolicyRule] {
        try await withConnection { connection in
            try await self.rows(
                connection,
                "SELECT name, metric_pattern, archive_policy_name FROM archive_policy_rule ORDER BY metric_pattern DESC, name ASC"
            ).map(Self.rule)
        }
    }

    public func renameArchivePolicyRule(named name: String, to newName: String) async throws -> ArchivePolicyRule {
        try await transaction(unique: .archivePolicyRuleRenameConflict(name, newName)) { connection in
            guard var rule = try await self.fetchRule(connection, name) else {
                throw IndexError.archivePolicyRuleNotFound(name)
            }
            guard newName != name else { return rule }
            if try await self.fetchRule(connection, newName) != nil {
                throw IndexError.archivePolicyRuleRenameConflict(name, newName)
            }
            try await connection.query(
                "UPDATE archive_policy_rule SET name = \(newName) WHERE name = \(name)", logger: self.logger)
            rule.name = newName
            return rule
        }
    }

    public func deleteArchivePolicyRule(named name: String) async throws {
        try await withConnection { connection in
            let deleted = try await self.rows(
                connection, "DELETE FROM archive_policy_rule WHERE name = \(name) RETURNING name")
            if deleted.isEmpty { throw IndexError.archivePolicyRuleNotFound(name) }
        }
    }

    // MARK: - Metrics

    public func createMetric(_ metric: Metric) async throws {
        try await transaction(
            unique: .metricAlreadyExists(id: metric.id), foreignKey: .archivePolicyNotFound(metric.archivePolicyName),
            uniqueByConstraint: ["uniq_metric0resource_id0name": .namedMetricAlreadyExists(metric.name ?? "")]
        ) { connection in
            if try await self.fetchMetric(connection, metric.id) != nil {
                throw IndexError.metricAlreadyExists(id: metric.id)
            }
            if let resource = metric.resourceId, let name = metric.name {
                let taken = try await self.rows(
                    connection, "SELECT 1 FROM metric WHERE resource_id = \(resource) AND name = \(name)")
                if !taken.isEmpty { throw IndexError.namedMetricAlreadyExists(name) }
            }
            guard try await self.fetchPolicy(connection, metric.archivePolicyName) != nil else {
                throw IndexError.archivePolicyNotFound(metric.archivePolicyName)
            }
            try await connection.query(
                """
                INSERT INTO metric (\(unescaped: MetricSQL.columns)) VALUES (
                    \(metric.id), \(metric.name), \(metric.unit), \(metric.archivePolicyName), \(metric.creator),
                    \(metric.resourceId), \(metric.status.rawValue), \(metric.needsRawDataTruncation),
                    \(metric.lastMeasureTimestamp))
                """, logger: self.logger)
        }
    }

    public func metric(id: UUID) async throws -> Metric? {
        try await withConnection { connection in try await self.fetchMetric(connection, id) }
    }

    public func metrics(ids: [UUID]) async throws -> [Metric] {
        guard !ids.isEmpty else { return [] }
        let unique = Array(Set(ids))
        return try await withConnection { connection in
            try await self.rows(
                connection, "SELECT \(unescaped: MetricSQL.columns) FROM metric WHERE id = ANY(\(unique)) ORDER BY id"
            ).map(Self.metric)
        }
    }

    public func listMetrics(_ query: MetricQuery) async throws -> [Metric] {
        try await withConnection { connection in
            var marker: Metric?
            if let id = query.marker {
                guard let found = try await self.fetchMetric(connection, id) else { throw IndexError.invalidMarker(id) }
                marker = found
            }
            let statement = try MetricSQL.list(query, marker: marker, dialect: .postgres)
            return try await self.rows(connection, Self.query(statement)).map(Self.metric)
        }
    }

    public func markMetricDeleted(id: UUID) async throws {
        try await withConnection { connection in
            let updated = try await self.rows(
                connection,
                """
                UPDATE metric SET status = 'delete', resource_id = NULL
                WHERE id = \(id) AND status = 'active' RETURNING id
                """)
            if updated.isEmpty { throw IndexError.metricNotFound(id) }
        }
    }

    public func expungeMetric(id: UUID) async throws {
        try await withConnection { connection in
            let deleted = try await self.rows(connection, "DELETE FROM metric WHERE id = \(id) RETURNING id")
            if deleted.isEmpty { throw IndexError.metricNotFound(id) }
        }
    }

    public func setLastMeasureTimestamps(_ values: [UUID: Int64]) async throws {
        guard !values.isEmpty else { return }
        // Sorted ids: concurrent batches lock rows in the same order.
        let sorted = values.sorted { $0.key.isOrderedBefore($1.key) }
        let ids = sorted.map(\.key), timestamps = sorted.map(\.value)
        try await withConnection { connection in
            _ = try await connection.query(
                """
                UPDATE metric AS m SET last_measure_timestamp = v.ts
                FROM unnest(\(ids)::uuid[], \(timestamps)::bigint[]) AS v(id, ts)
                WHERE m.id = v.id
                """, logger: self.logger)
        }
    }

    public func clearNeedsRawDataTruncation(ids: [UUID]) async throws {
        guard !ids.isEmpty else { return }
        let sorted = Array(Set(ids)).sorted { $0.isOrderedBefore($1) }
        try await withConnection { connection in
            _ = try await connection.query(
                "UPDATE metric SET needs_raw_data_truncation = FALSE WHERE id = ANY(\(sorted))", logger: self.logger)
        }
    }

    public func hasArchivePoliciesOrRules() async throws -> Bool {
        try await withConnection { connection in
            try await self.rows(
                connection,
                "SELECT EXISTS (SELECT 1 FROM archive_policy) OR EXISTS (SELECT 1 FROM archive_policy_rule)"
            ).first?.decode(Bool.self) ?? false
        }
    }
}
