import Foundation
import StratusCore

/// A bound value of an alarm-store statement.
enum AlarmSQLValue: Sendable, Hashable {
    case text(String)
    case integer(Int64)
    case bool(Bool)
    case null
}

/// The SQL dialects of the two backends.
enum AlarmSQLDialect: Sendable {
    case sqlite
    case postgresql
}

/// A statement being built: SQL text with placeholders and the values bound to them, in order.
struct AlarmSQLStatement: Sendable {
    let dialect: AlarmSQLDialect
    var sql: String
    var values: [AlarmSQLValue] = []

    init(_ dialect: AlarmSQLDialect, _ sql: String = "") {
        self.dialect = dialect
        self.sql = sql
    }

    /// Adds `value` and returns its placeholder (`?` or `$n`).
    mutating func bind(_ value: AlarmSQLValue) -> String {
        values.append(value)
        return dialect == .sqlite ? "?" : "$\(values.count)"
    }

    mutating func append(_ text: String) { sql += text }
}

/// The alarm store's schema knowledge shared by both backends: columns, the fields filters and sorts may
/// use (a whitelist: nothing from a request reaches the SQL text), filter compilation and keyset pagination.
enum AlarmSQL {
    /// How a field's values are compared and converted.
    enum Kind: Sendable {
        case text, uuid, bool, time
    }

    /// One queryable field.
    struct Field: Sendable {
        let column: String
        let kind: Kind
        let nullable: Bool
    }

    /// A table the store queries: alarms or their history.
    struct Table: Sendable {
        let name: String
        let primaryKey: String
        let fields: [String: Field]
        /// Sorted by this when the query names no key.
        let defaultSort: [AlarmQuery.Sort]
    }

    static let alarmColumns = """
        alarm_id, name, description, type, enabled, severity, state, state_reason, state_timestamp, "timestamp", \
        evaluate_timestamp, project_id, user_id, repeat_actions, ok_actions, alarm_actions, \
        insufficient_data_actions, time_constraints, rule
        """

    static let historyColumns = """
        event_id, alarm_id, type, detail, project_id, user_id, on_behalf_of, "timestamp", severity
        """

    static let alarms = Table(
        name: "alarm", primaryKey: "alarm_id",
        fields: [
            "alarm_id": Field(column: "alarm_id", kind: .uuid, nullable: false),
            "name": Field(column: "name", kind: .text, nullable: false),
            "description": Field(column: "description", kind: .text, nullable: false),
            "type": Field(column: "type", kind: .text, nullable: false),
            "enabled": Field(column: "enabled", kind: .bool, nullable: false),
            "severity": Field(column: "severity", kind: .text, nullable: false),
            "state": Field(column: "state", kind: .text, nullable: false),
            "state_reason": Field(column: "state_reason", kind: .text, nullable: false),
            "state_timestamp": Field(column: "state_timestamp", kind: .time, nullable: false),
            "timestamp": Field(column: "\"timestamp\"", kind: .time, nullable: false),
            "evaluate_timestamp": Field(column: "evaluate_timestamp", kind: .time, nullable: true),
            "project_id": Field(column: "project_id", kind: .text, nullable: true),
            "user_id": Field(column: "user_id", kind: .text, nullable: true),
            "repeat_actions": Field(column: "repeat_actions", kind: .bool, nullable: false),
        ],
        defaultSort: [AlarmQuery.Sort("timestamp", ascending: false)])

    static let history = Table(
        name: "alarm_history", primaryKey: "event_id",
        fields: [
            "event_id": Field(column: "event_id", kind: .uuid, nullable: false),
            "alarm_id": Field(column: "alarm_id", kind: .uuid, nullable: false),
            "type": Field(column: "type", kind: .text, nullable: false),
            "detail": Field(column: "detail", kind: .text, nullable: false),
            "project_id": Field(column: "project_id", kind: .text, nullable: true),
            "user_id": Field(column: "user_id", kind: .text, nullable: true),
            "on_behalf_of": Field(column: "on_behalf_of", kind: .text, nullable: true),
            "timestamp": Field(column: "\"timestamp\"", kind: .time, nullable: false),
            "severity": Field(column: "severity", kind: .text, nullable: true),
        ],
        defaultSort: [AlarmQuery.Sort("timestamp", ascending: false)])

    // MARK: - Filters

    /// Appends the SQL of `filter` (a boolean expression) to `statement`.
    /// - Throws: `AlarmStoreError.invalidQuery` for an unknown field or a value of the wrong kind.
    static func condition(_ filter: AlarmFilter, table: Table, into statement: inout AlarmSQLStatement) throws(AlarmStoreError)
        -> String
    {
        switch filter {
        case .and(let operands):
            guard !operands.isEmpty else { return "1 = 1" }
            var parts: [String] = []
            for operand in operands { parts.append(try condition(operand, table: table, into: &statement)) }
            return "(" + parts.joined(separator: " AND ") + ")"
        case .or(let operands):
            guard !operands.isEmpty else { return "1 = 0" }
            var parts: [String] = []
            for operand in operands { parts.append(try condition(operand, table: table, into: &statement)) }
            return "(" + parts.joined(separator: " OR ") + ")"
        case .not(let operand):
            // NULLs are not "not equal": a negated comparison on a nullable column stays false for NULL, as SQL's.
            return "NOT (" + (try condition(operand, table: table, into: &statement)) + ")"
        case .in(let name, let values):
            let field = try field(name, in: table)
            guard !values.isEmpty else { return "1 = 0" }
            var placeholders: [String] = []
            for value in values {
                let converted = try convert(value, for: field, named: name)
                guard converted != .null else {
                    throw AlarmStoreError(.invalidQuery, "Invalid value null for field \(name) in an 'in' list")
                }
                placeholders.append(statement.bind(converted))
            }
            return "\(field.column) IN (" + placeholders.joined(separator: ", ") + ")"
        case .comparison(let name, let op, let value):
            let field = try field(name, in: table)
            let converted = try convert(value, for: field, named: name)
            if converted == .null {
                switch op {
                case .equal: return "\(field.column) IS NULL"
                case .notEqual: return "\(field.column) IS NOT NULL"
                default: throw AlarmStoreError(.invalidQuery, "Cannot compare \(name) with null using \(op.rawValue)")
                }
            }
            let placeholder = statement.bind(converted)
            if op == .notEqual && field.nullable {
                // Aodh (SQLAlchemy) writes `!=`; NULL rows would never match. Keep SQL's meaning.
                return "\(field.column) != \(placeholder)"
            }
            return "\(field.column) \(op.rawValue) \(placeholder)"
        }
    }

    static func field(_ name: String, in table: Table) throws(AlarmStoreError) -> Field {
        guard let field = table.fields[name] else {
            let known = table.fields.keys.sorted().joined(separator: ", ")
            throw AlarmStoreError(.invalidQuery, "Unknown field \(name): use one of \(known)")
        }
        return field
    }

    /// A request value as the column stores it.
    static func convert(_ value: TelemetryValue, for field: Field, named name: String) throws(AlarmStoreError)
        -> AlarmSQLValue
    {
        if value == .null { return .null }
        switch field.kind {
        case .text:
            switch value {
            case .string(let text): return .text(text)
            case .int(let number): return .text(String(number))
            case .double(let number): return .text(TelemetryJSON.encode(.double(number)))
            default: throw AlarmStoreError(.invalidQuery, "Invalid value for field \(name): expected a string")
            }
        case .uuid:
            guard case .string(let text) = value else {
                throw AlarmStoreError(.invalidQuery, "Invalid value for field \(name): expected a string")
            }
            return .text(text.lowercased())
        case .bool:
            switch value {
            case .bool(let flag): return .bool(flag)
            case .int(let number) where number == 0 || number == 1: return .bool(number == 1)
            case .string(let text):
                switch text.lowercased() {
                case "true", "1", "yes", "on", "t", "y": return .bool(true)
                case "false", "0", "no", "off", "f", "n": return .bool(false)
                default: break
                }
            default: break
            }
            throw AlarmStoreError(.invalidQuery, "Invalid value for field \(name): expected a boolean")
        case .time:
            guard case .string(let text) = value, let date = AlarmTimestamp.parse(text) else {
                throw AlarmStoreError(.invalidQuery, "Invalid value for field \(name): expected an ISO 8601 timestamp")
            }
            return .integer(AlarmTimestamp.microseconds(date))
        }
    }

    // MARK: - Sorting and pagination

    /// A sort key as SQL: an expression without NULLs (so both backends order alike and keyset comparisons
    /// work), whether it yields text, and the direction.
    struct SortKey: Sendable {
        let expression: String
        let isText: Bool
        let ascending: Bool
    }

    /// The query's sort keys followed by the primary key.
    /// - Throws: `AlarmStoreError.invalidQuery` for a field that cannot be sorted on.
    static func sortKeys(_ query: AlarmQuery, table: Table) throws(AlarmStoreError) -> [SortKey] {
        let requested = query.sort.isEmpty ? table.defaultSort : query.sort
        var keys: [SortKey] = []
        var seen: Set<String> = []
        for sort in requested where seen.insert(sort.field).inserted {
            let field = try field(sort.field, in: table)
            guard field.column != "detail" else {
                throw AlarmStoreError(.invalidQuery, "Cannot sort on \(sort.field)")
            }
            keys.append(sortKey(sort.field, field, ascending: sort.ascending))
        }
        if !seen.contains(table.primaryKey) {
            keys.append(SortKey(expression: table.primaryKey, isText: true, ascending: keys.last?.ascending ?? true))
        }
        return keys
    }

    private static func sortKey(_ name: String, _ field: Field, ascending: Bool) -> SortKey {
        if name == "severity" {
            // By meaning (low < moderate < critical), as Aodh sorts it.
            let ranks = AlarmSeverity.allCases.map { "WHEN '\($0.rawValue)' THEN \($0.rank)" }.joined(separator: " ")
            return SortKey(expression: "(CASE \(field.column) \(ranks) ELSE -1 END)", isText: false, ascending: ascending)
        }
        switch field.kind {
        case .text, .uuid:
            return SortKey(
                expression: field.nullable ? "COALESCE(\(field.column), '')" : field.column, isText: true,
                ascending: ascending)
        case .bool:
            return SortKey(expression: "(CASE WHEN \(field.column) THEN 1 ELSE 0 END)", isText: false, ascending: ascending)
        case .time:
            return SortKey(
                expression: field.nullable ? "COALESCE(\(field.column), -1)" : field.column, isText: false,
                ascending: ascending)
        }
    }

    /// `ORDER BY …`.
    static func orderBy(_ keys: [SortKey]) -> String {
        " ORDER BY " + keys.map { "\($0.expression) \($0.ascending ? "ASC" : "DESC")" }.joined(separator: ", ")
    }

    /// `SELECT key1, key2, … FROM table WHERE pk = ?`: the marker row's sort values.
    static func markerStatement(_ keys: [SortKey], table: Table, marker: String, dialect: AlarmSQLDialect)
        -> AlarmSQLStatement
    {
        var statement = AlarmSQLStatement(dialect)
        statement.append("SELECT " + keys.map(\.expression).joined(separator: ", ") + " FROM \(table.name) WHERE ")
        statement.append("\(table.primaryKey) = " + statement.bind(.text(marker.lowercased())))
        return statement
    }

    /// The rows after the marker's values in the sort order:
    /// `(k1 > v1) OR (k1 = v1 AND k2 > v2) OR …` with `<` for descending keys.
    static func after(_ keys: [SortKey], values: [AlarmSQLValue], into statement: inout AlarmSQLStatement) -> String {
        var alternatives: [String] = []
        for index in keys.indices {
            var parts: [String] = []
            for previous in 0..<index {
                parts.append("\(keys[previous].expression) = " + statement.bind(values[previous]))
            }
            parts.append("\(keys[index].expression) \(keys[index].ascending ? ">" : "<") " + statement.bind(values[index]))
            alternatives.append("(" + parts.joined(separator: " AND ") + ")")
        }
        return "(" + alternatives.joined(separator: " OR ") + ")"
    }

    /// The full listing statement; `markerValues` are the marker row's sort values when paginating.
    static func list(
        _ query: AlarmQuery, table: Table, columns: String, keys: [SortKey], markerValues: [AlarmSQLValue]?,
        dialect: AlarmSQLDialect
    ) throws(AlarmStoreError) -> AlarmSQLStatement {
        var statement = AlarmSQLStatement(dialect)
        var conditions: [String] = []
        if let filter = query.filter { conditions.append(try condition(filter, table: table, into: &statement)) }
        if let markerValues { conditions.append(after(keys, values: markerValues, into: &statement)) }
        var sql = "SELECT \(columns) FROM \(table.name)"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += orderBy(keys)
        if let limit = query.limit { sql += " LIMIT \(max(0, limit))" }
        statement.sql = sql + statement.sql
        return statement
    }
}
