import Foundation
import Logging
import PostgresNIO

/// Connection, transaction, decoding and error-mapping helpers of `PostgresIndexer`.
extension PostgresIndexer {
    static let policyColumns = "name, back_window, definition, aggregation_methods"

    /// Runs `body` on a pooled connection, mapping errors to `IndexError`.
    func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in try await body(connection) }
        } catch {
            throw mapError(error)
        }
    }

    /// Runs `body` in a transaction, retrying on deadlock; constraint violations that a concurrent writer
    /// slipped past the checks in `body` become the given errors.
    func transaction<T: Sendable>(
        unique: IndexError? = nil,
        foreignKey: IndexError? = nil,
        uniqueByConstraint: [String: IndexError] = [:],
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
            } catch {
                let underlying = PostgresErrors.unwrap(error)
                if let psql = underlying as? PSQLError, let state = psql.serverInfo?[.sqlState] {
                    switch state {
                    case "40P01" where attempt < 3, "40001" where attempt < 3:  // deadlock / serialization failure: retry
                        attempt += 1
                        logger.debug("Retrying index transaction", metadata: ["postgres.sqlstate": "\(state)"])
                        continue
                    case "23505":
                        if let constraint = psql.serverInfo?[.constraintName], let mapped = uniqueByConstraint[constraint] {
                            throw mapped
                        }
                        if let unique { throw unique }
                    case "23503":
                        if let foreignKey { throw foreignKey }
                    default:
                        break
                    }
                }
                throw mapError(underlying)
            }
        }
    }

    /// `IndexError`s pass through; anything else becomes `IndexError.database` with the server's message.
    func mapError(_ error: any Error) -> IndexError {
        let error = PostgresErrors.unwrap(error)
        if let indexError = error as? IndexError { return indexError }
        let message = PostgresErrors.message(error)
        logger.debug("PostgreSQL index error", metadata: ["index.error": "\(message)"])
        return IndexError.database(message)
    }

    /// Runs a query and collects its rows.
    func rows(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> [PostgresRow] {
        try await connection.query(query, logger: logger).collect()
    }

    /// The shared builder's statement as a postgres-nio query.
    static func query(_ statement: SQLStatement) throws -> PostgresQuery {
        var bindings = PostgresBindings(capacity: statement.values.count)
        for value in statement.values {
            switch value {
            case .text(let text): bindings.append(text)
            case .integer(let integer): bindings.append(integer)
            case .bool(let bool): bindings.append(bool)
            case .uuid(let uuid): bindings.append(uuid)
            case .null: bindings.appendNull()
            }
        }
        return PostgresQuery(unsafeSQL: statement.sql, binds: bindings)
    }

    func fetchPolicy(_ connection: PostgresConnection, _ name: String, forUpdate: Bool = false) async throws
        -> StoredArchivePolicy?
    {
        try await rows(
            connection,
            "SELECT \(unescaped: Self.policyColumns) FROM archive_policy WHERE name = \(name)\(unescaped: forUpdate ? " FOR UPDATE" : "")"
        ).first.map(Self.storedPolicy)
    }

    static func storedPolicy(_ row: PostgresRow) throws -> StoredArchivePolicy {
        let (name, backWindow, definition, methods) = try row.decode((String, Int, String, String).self)
        return StoredArchivePolicy(name: name, backWindow: backWindow, definition: definition, aggregationMethods: methods)
    }

    func fetchRule(_ connection: PostgresConnection, _ name: String) async throws -> ArchivePolicyRule? {
        try await rows(
            connection, "SELECT name, metric_pattern, archive_policy_name FROM archive_policy_rule WHERE name = \(name)"
        ).first.map(Self.rule)
    }

    static func rule(_ row: PostgresRow) throws -> ArchivePolicyRule {
        let (name, pattern, policy) = try row.decode((String, String, String).self)
        return ArchivePolicyRule(name: name, metricPattern: pattern, archivePolicyName: policy)
    }

    func fetchMetric(_ connection: PostgresConnection, _ id: UUID) async throws -> Metric? {
        try await rows(connection, "SELECT \(unescaped: MetricSQL.columns) FROM metric WHERE id = \(id)")
            .first.map(Self.metric)
    }

    static func metric(_ row: PostgresRow) throws -> Metric {
        let (id, name, unit, policy, creator, resource, statusText, truncate, last) = try row.decode(
            (UUID, String?, String?, String, String, UUID?, String, Bool, Int64?).self)
        guard let status = MetricStatus(rawValue: statusText) else {
            throw IndexError.database("Stored metric \(id.lowercased) has an invalid status \(statusText)")
        }
        return Metric(
            id: id, name: name, unit: unit, archivePolicyName: policy, creator: creator, resourceId: resource,
            status: status, needsRawDataTruncation: truncate, lastMeasureTimestamp: last)
    }
}
