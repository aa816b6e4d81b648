import Foundation
import StratusCore
import GRDB

/// Row decoding, statement helpers and error mapping of `SQLiteIndexer`.
extension SQLiteIndexer {
    /// Ids per `IN (…)` list, well below SQLite's parameter limit.
    static let chunkSize = 500

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await wrap { try await writer.read(body) }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await wrap { try await writer.write(body) }
    }

    /// Runs `body`, passing `IndexError`s through and wrapping any other error as `IndexError.database`.
    func wrap<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as IndexError {
            throw error
        } catch let error as DatabaseError {
            logger.debug("SQLite index error", metadata: ["index.error": "\(error)"])
            throw IndexError.database("SQLite index error: \(error.message ?? error.description)")
        } catch {
            throw IndexError.database("SQLite index error: \(error)")
        }
    }

    static func arguments(_ values: [SQLValue]) -> StatementArguments {
        StatementArguments(values.map { value -> DatabaseValue in
            switch value {
            case .text(let text): return text.databaseValue
            case .integer(let integer): return integer.databaseValue
            case .bool(let bool): return bool.databaseValue
            case .uuid(let uuid): return uuid.lowercased.databaseValue
            case .null: return .null
            }
        })
    }

    static func fetchPolicy(_ db: Database, _ name: String) throws -> StoredArchivePolicy? {
        try Row.fetchOne(db, sql: "SELECT * FROM archive_policy WHERE name = ?", arguments: [name]).map(storedPolicy)
    }

    static func storedPolicy(_ row: Row) throws -> StoredArchivePolicy {
        StoredArchivePolicy(
            name: row["name"], backWindow: row["back_window"], definition: row["definition"],
            aggregationMethods: row["aggregation_methods"])
    }

    static func fetchRule(_ db: Database, _ name: String) throws -> ArchivePolicyRule? {
        try Row.fetchOne(db, sql: "SELECT * FROM archive_policy_rule WHERE name = ?", arguments: [name]).map(rule)
    }

    static func rule(_ row: Row) throws -> ArchivePolicyRule {
        ArchivePolicyRule(name: row["name"], metricPattern: row["metric_pattern"], archivePolicyName: row["archive_policy_name"])
    }

    static func fetchMetric(_ db: Database, _ id: UUID) throws -> Metric? {
        try Row.fetchOne(db, sql: "SELECT \(MetricSQL.columns) FROM metric WHERE id = ?", arguments: [id.lowercased])
            .map(metric)
    }

    /// Decodes a row of `MetricSQL.columns`, by position (GRDB's lookup by name lowercases the name on every
    /// access, which showed up in the batch-ingest profile).
    static func metric(_ row: Row) throws -> Metric {
        func uuid(_ index: Int, _ column: String) throws -> UUID? {
            guard let text: String = row[index] else { return nil }
            guard let id = UUID(lowercaseText: text) ?? UUID(uuidString: text) else {
                throw IndexError.database("Stored metric has an invalid \(column): \(text)")
            }
            return id
        }
        let statusText: String = row[6]
        guard let id = try uuid(0, "id"), let status = MetricStatus(rawValue: statusText) else {
            throw IndexError.database("Stored metric has an invalid id or status")
        }
        return Metric(
            id: id, name: row[1], unit: row[2], archivePolicyName: row[3],
            creator: row[4], resourceId: try uuid(5, "resource_id"), status: status,
            needsRawDataTruncation: row[7], lastMeasureTimestamp: row[8])
    }
}
