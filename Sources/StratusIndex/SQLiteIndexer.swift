import Carbonara
import Foundation
import StratusCore
import GRDB
import Logging

/// The index on SQLite through GRDB: a `DatabasePool` (WAL) on a file, or an in-memory `DatabaseQueue` for tests.
public final class SQLiteIndexer: Indexer {
    let writer: any DatabaseWriter
    let logger: Logger

    /// Opens (creating if needed) the index in the SQLite file at `path`; its directory must exist.
    /// - Throws: `IndexError.database` when the file cannot be opened.
    public init(path: String, logger: Logger = Logger(label: "stratus.index")) throws {
        do {
            self.writer = try DatabasePool(path: path, configuration: Self.configuration())
        } catch {
            throw IndexError.database("Cannot open SQLite index at \(path): \(error)")
        }
        self.logger = logger
    }

    /// Creates an index in memory, private to the returned instance (for tests).
    /// - Throws: `IndexError.database` when SQLite cannot open it.
    public static func inMemory(logger: Logger = Logger(label: "stratus.index")) throws -> SQLiteIndexer {
        do {
            return SQLiteIndexer(writer: try DatabaseQueue(configuration: configuration()), logger: logger)
        } catch {
            throw IndexError.database("Cannot open in-memory SQLite index: \(error)")
        }
    }

    private init(writer: any DatabaseWriter, logger: Logger) {
        self.writer = writer
        self.logger = logger
    }

    private static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(30)  // other processes (api, metricd) may hold the write lock
        configuration.label = "StratusIndex"
        configuration.prepareDatabase { db in
            // Keep the write-ahead log small once checkpointed (it would otherwise keep its peak size).
            try db.execute(sql: "PRAGMA journal_size_limit = 0")
        }
        return configuration
    }

    public func upgrade() async throws {
        let migrator = Self.migrator
        try await wrap {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                migrator.asyncMigrate(writer) { result in
                    continuation.resume(with: result.map { _ in () })
                }
            }
        }
        logger.debug("SQLite index upgraded")
    }

    public func close() async throws {
        // GRDB closes connections when the writer is released; a pool can be closed explicitly.
        if let pool = writer as? DatabasePool {
            // Fold the write-ahead log into the database and truncate it before closing.
            try? await wrap { try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") } }
            try await wrap { try pool.close() }
        }
    }

    // MARK: - Archive policies

    public func createArchivePolicy(_ policy: ArchivePolicy) async throws {
        let stored = try StoredArchivePolicy(policy)
        try await write { db in
            if try Self.fetchPolicy(db, stored.name) != nil { throw IndexError.archivePolicyAlreadyExists(stored.name) }
            try db.execute(
                sql: "INSERT INTO archive_policy (name, back_window, definition, aggregation_methods) VALUES (?, ?, ?, ?)",
                arguments: [stored.name, stored.backWindow, stored.definition, stored.aggregationMethods])
        }
    }

    public func archivePolicy(named name: String) async throws -> ArchivePolicy? {
        try await read { db in try Self.fetchPolicy(db, name)?.policy() }
    }

    public func archivePolicies() async throws -> [ArchivePolicy] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM archive_policy ORDER BY name").map { try Self.storedPolicy($0).policy() }
        }
    }

    public func updateArchivePolicy(
        named name: String, definition: [ArchivePolicyItem], backWindow: Int?
    ) async throws -> ArchivePolicy {
        try await write { db in
            guard let current = try Self.fetchPolicy(db, name)?.policy() else { throw IndexError.archivePolicyNotFound(name) }
            let updated = try current.updated(definition: definition, backWindow: backWindow)
            try db.execute(
                sql: "UPDATE archive_policy SET definition = ?, back_window = ? WHERE name = ?",
                arguments: [try StoredArchivePolicy.encodeDefinition(updated.definition), updated.backWindow, name])
            if updated.backWindow < current.backWindow {
                try db.execute(
                    sql: "UPDATE metric SET needs_raw_data_truncation = 1 WHERE archive_policy_name = ?", arguments: [name])
            }
            return updated
        }
    }

    public func deleteArchivePolicy(named name: String) async throws {
        try await write { db in
            guard try Self.fetchPolicy(db, name) != nil else { throw IndexError.archivePolicyNotFound(name) }
            let used = try Bool.fetchOne(
                db,
                sql: """
                    SELECT EXISTS (SELECT 1 FROM metric WHERE archive_policy_name = ?1)
                        OR EXISTS (SELECT 1 FROM archive_policy_rule WHERE archive_policy_name = ?1)
                    """,
                arguments: [name]) ?? false
            if used { throw IndexError.archivePolicyInUse(name) }
            try db.execute(sql: "DELETE FROM archive_policy WHERE name = ?", arguments: [name])
        }
    }

    // MARK: - Archive policy rules

    public func createArchivePolicyRule(_ rule: ArchivePolicyRule) async throws {
        try await write { db in
            if try Self.fetchRule(db, rule.name) != nil { throw IndexError.archivePolicyRuleAlreadyExists(rule.name) }
            guard try Self.fetchPolicy(db, rule.archivePolicyName) != nil else {
                throw IndexError.archivePolicyNotFound(rule.archivePolicyName)
            }
            try db.execute(
                sql: "INSERT INTO archive_policy_rule (name, metric_pattern, archive_policy_name) VALUES (?, ?, ?)",
                arguments: [rule.name, rule.metricPattern, rule.archivePolicyName])
        }
    }

    public func archivePolicyRule(named name: String) async throws -> ArchivePolicyRule? {
        try await read { db in try Self.fetchRule(db, name) }
    }

    public func archivePolicyRules() async throws -> [ArchivePolicyRule] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM archive_policy_rule ORDER BY metric_pattern DESC, name ASC")
                .map(Self.rule)
        }
    }

    public func renameArchivePolicyRule(named name: String, to newName: String) async throws -> ArchivePolicyRule {
        try await write { db in
            guard var rule = try Self.fetchRule(db, name) else { throw IndexError.archivePolicyRuleNotFound(name) }
            guard newName != name else { return rule }
            if try Self.fetchRule(db, newName) != nil { throw IndexError.archivePolicyRuleRenameConflict(name, newName) }
            try db.execute(sql: "UPDATE archive_policy_rule SET name = ? WHERE name = ?", arguments: [newName, name])
            rule.name = newName
            return rule
        }
    }

    public func deleteArchivePolicyRule(named name: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM archive_policy_rule WHERE name = ?", arguments: [name])
            if db.changesCount == 0 { throw IndexError.archivePolicyRuleNotFound(name) }
        }
    }

    // MARK: - Metrics

    public func createMetric(_ metric: Metric) async throws {
        try await write { db in
            if try Self.fetchMetric(db, metric.id) != nil { throw IndexError.metricAlreadyExists(id: metric.id) }
            if let resource = metric.resourceId, let name = metric.name {
                let taken = try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM metric WHERE resource_id = ? AND name = ?)",
                    arguments: [resource.lowercased, name]) ?? false
                if taken { throw IndexError.namedMetricAlreadyExists(name) }
            }
            guard try Self.fetchPolicy(db, metric.archivePolicyName) != nil else {
                throw IndexError.archivePolicyNotFound(metric.archivePolicyName)
            }
            try db.execute(
                sql: "INSERT INTO metric (\(MetricSQL.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    metric.id.lowercased, metric.name, metric.unit, metric.archivePolicyName, metric.creator,
                    metric.resourceId?.lowercased, metric.status.rawValue, metric.needsRawDataTruncation,
                    metric.lastMeasureTimestamp,
                ])
        }
    }

    public func metric(id: UUID) async throws -> Metric? {
        try await read { db in try Self.fetchMetric(db, id) }
    }

    public func metrics(ids: [UUID]) async throws -> [Metric] {
        guard !ids.isEmpty else { return [] }
        let unique = Array(Set(ids))
        let metrics = try await read { db in
            var found: [Metric] = []
            for start in stride(from: 0, to: unique.count, by: Self.chunkSize) {
                let chunk = unique[start..<min(start + Self.chunkSize, unique.count)]
                var statement = SQLStatement(.sqlite, "SELECT \(MetricSQL.columns) FROM metric WHERE ")
                statement.append(statement.isIn("id", chunk.map(SQLValue.uuid)))
                found += try Row.fetchAll(db, sql: statement.sql, arguments: Self.arguments(statement.values))
                    .map(Self.metric)
            }
            return found
        }
        return metrics.sorted { $0.id.isOrderedBefore($1.id) }
    }

    public func listMetrics(_ query: MetricQuery) async throws -> [Metric] {
        try await read { db in
            var marker: Metric?
            if let id = query.marker {
                guard let found = try Self.fetchMetric(db, id) else { throw IndexError.invalidMarker(id) }
                marker = found
            }
            let statement = try MetricSQL.list(query, marker: marker, dialect: .sqlite)
            return try Row.fetchAll(db, sql: statement.sql, arguments: Self.arguments(statement.values)).map(Self.metric)
        }
    }

    public func markMetricDeleted(id: UUID) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE metric SET status = 'delete', resource_id = NULL WHERE id = ? AND status = 'active'",
                arguments: [id.lowercased])
            if db.changesCount == 0 { throw IndexError.metricNotFound(id) }
        }
    }

    public func expungeMetric(id: UUID) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM metric WHERE id = ?", arguments: [id.lowercased])
            if db.changesCount == 0 { throw IndexError.metricNotFound(id) }
        }
    }

    public func setLastMeasureTimestamps(_ values: [UUID: Int64]) async throws {
        guard !values.isEmpty else { return }
        try await write { db in
            let statement = try db.cachedStatement(sql: "UPDATE metric SET last_measure_timestamp = ? WHERE id = ?")
            for (id, timestamp) in values {
                try statement.execute(arguments: [timestamp, id.lowercased])
            }
        }
    }

    public func clearNeedsRawDataTruncation(ids: [UUID]) async throws {
        guard !ids.isEmpty else { return }
        try await write { db in
            for start in stride(from: 0, to: ids.count, by: Self.chunkSize) {
                let chunk = ids[start..<min(start + Self.chunkSize, ids.count)]
                var statement = SQLStatement(.sqlite, "UPDATE metric SET needs_raw_data_truncation = 0 WHERE ")
                statement.append(statement.isIn("id", chunk.map(SQLValue.uuid)))
                try db.execute(sql: statement.sql, arguments: Self.arguments(statement.values))
            }
        }
    }

    public func hasArchivePoliciesOrRules() async throws -> Bool {
        try await read { db in
            try Bool.fetchOne(
                db,
                sql: "SELECT EXISTS (SELECT 1 FROM archive_policy) OR EXISTS (SELECT 1 FROM archive_policy_rule)") ?? false
        }
    }
}
