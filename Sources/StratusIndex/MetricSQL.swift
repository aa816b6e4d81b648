import Foundation

/// A value bound to a SQL parameter, independent of the backend.
enum SQLValue: Sendable {
    case text(String)
    case integer(Int64)
    case bool(Bool)
    case uuid(UUID)
    case null
}

/// The SQL dialect details the shared query builder needs.
enum SQLDialect: Sendable {
    case sqlite, postgres
}

/// SQL text with its parameters, built for one dialect (`?` for SQLite, `$n` for PostgreSQL).
struct SQLStatement: Sendable {
    let dialect: SQLDialect
    private(set) var sql = ""
    private(set) var values: [SQLValue] = []

    init(_ dialect: SQLDialect, _ sql: String = "") {
        self.dialect = dialect
        self.sql = sql
    }

    /// Appends raw SQL.
    mutating func append(_ text: String) { sql += text }

    /// Binds a value and returns its placeholder.
    mutating func bind(_ value: SQLValue) -> String {
        values.append(value)
        return dialect == .sqlite ? "?" : "$\(values.count)"
    }

    /// `column IN (…)`, or a false condition for an empty list.
    mutating func isIn(_ column: String, _ list: [SQLValue]) -> String {
        guard !list.isEmpty else { return "1 = 0" }
        let placeholders = list.map { bind($0) }
        return "\(column) IN (\(placeholders.joined(separator: ", ")))"
    }
}

/// The columns of the `metric` table and the SQL of metric queries, shared by both backends.
enum MetricSQL {
    /// The selected columns, in the order backends decode them.
    static let columns = "id, name, unit, archive_policy_name, creator, resource_id, status, needs_raw_data_truncation, last_measure_timestamp"

    /// The value of a sort column for a metric, for keyset pagination.
    static func value(of key: String, in metric: Metric) -> SQLValue {
        switch key {
        case "id": return .uuid(metric.id)
        case "name": return metric.name.map(SQLValue.text) ?? .null
        case "unit": return metric.unit.map(SQLValue.text) ?? .null
        case "archive_policy_name": return .text(metric.archivePolicyName)
        case "creator": return .text(metric.creator)
        case "resource_id": return metric.resourceId.map(SQLValue.uuid) ?? .null
        case "status": return .text(metric.status.rawValue)
        case "needs_raw_data_truncation": return .bool(metric.needsRawDataTruncation)
        case "last_measure_timestamp": return metric.lastMeasureTimestamp.map(SQLValue.integer) ?? .null
        default: return .null
        }
    }

    /// Validates the sort keys and appends `id` ascending when absent, as Gnocchi's `_build_sort_keys`.
    static func sortKeys(_ query: MetricQuery) throws(IndexError) -> [(key: String, ascending: Bool)] {
        var keys = query.sort
        for (key, _) in keys where !MetricQuery.sortKeys.contains(key) {
            throw IndexError.invalidSortKey(key)
        }
        if !keys.contains(where: { $0.key == "id" }) { keys.append((key: "id", ascending: true)) }
        return keys
    }

    /// The SELECT of `listMetrics`; `marker` is the marker metric already fetched (NULL sorts first).
    static func list(_ query: MetricQuery, marker: Metric?, dialect: SQLDialect) throws(IndexError) -> SQLStatement {
        if let limit = query.limit, limit < 0 { throw IndexError.invalidLimit(limit) }
        let keys = try sortKeys(query)
        var statement = SQLStatement(dialect, "SELECT \(columns) FROM metric")
        var conditions: [String] = []
        if let status = query.status { conditions.append("status = \(statement.bind(.text(status.rawValue)))") }
        if let ids = query.ids { conditions.append(statement.isIn("id", ids.map(SQLValue.uuid))) }
        if let names = query.names { conditions.append(statement.isIn("name", names.map(SQLValue.text))) }
        if let creator = query.creator { conditions.append("creator = \(statement.bind(.text(creator)))") }
        if let unit = query.unit { conditions.append("unit = \(statement.bind(.text(unit)))") }
        if let policy = query.archivePolicyName {
            conditions.append("archive_policy_name = \(statement.bind(.text(policy)))")
        }
        if let resource = query.resourceId { conditions.append("resource_id = \(statement.bind(.uuid(resource)))") }
        if let marker {
            conditions.append(keyset(keys, marker: marker, into: &statement))
        }
        if !conditions.isEmpty { statement.append(" WHERE " + conditions.joined(separator: " AND ")) }
        let order = keys.map { "\($0.key) \($0.ascending ? "ASC NULLS FIRST" : "DESC NULLS LAST")" }
        statement.append(" ORDER BY " + order.joined(separator: ", "))
        if let limit = query.limit { statement.append(" LIMIT \(statement.bind(.integer(Int64(limit))))") }
        return statement
    }

    /// The rows strictly after the marker in the sort order: OR over i of (keys before i equal AND key i after).
    private static func keyset(
        _ keys: [(key: String, ascending: Bool)], marker: Metric, into statement: inout SQLStatement
    ) -> String {
        var alternatives: [String] = []
        for (i, sortKey) in keys.enumerated() {
            let v = value(of: sortKey.key, in: marker)
            // NULL is last in descending order: nothing comes after it on this key.
            if case .null = v, !sortKey.ascending { continue }
            var parts: [String] = []
            for previous in keys[..<i] {
                switch value(of: previous.key, in: marker) {
                case .null: parts.append("\(previous.key) IS NULL")
                case let v: parts.append("\(previous.key) = \(statement.bind(v))")
                }
            }
            switch (v, sortKey.ascending) {
            case (.null, _): parts.append("\(sortKey.key) IS NOT NULL")
            case (_, true): parts.append("\(sortKey.key) > \(statement.bind(v))")
            case (_, false):
                parts.append("(\(sortKey.key) < \(statement.bind(v)) OR \(sortKey.key) IS NULL)")
            }
            alternatives.append("(" + parts.joined(separator: " AND ") + ")")
        }
        return alternatives.isEmpty ? "1 = 0" : "(" + alternatives.joined(separator: " OR ") + ")"
    }
}
