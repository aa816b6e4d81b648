import Foundation
import StratusCore

/// SQL text with its arguments for one dialect (`?` for SQLite, `$n` for PostgreSQL), holding values as the
/// search compiler binds them.
struct ResourceStatement: Sendable {
    let dialect: SearchSQLDialect
    private(set) var sql: String
    private(set) var arguments: [SearchArgument] = []

    init(_ dialect: SearchSQLDialect, _ sql: String = "") {
        self.dialect = dialect
        self.sql = sql
    }

    mutating func append(_ text: String) { sql += text }

    /// Binds a value and returns its placeholder.
    mutating func bind(_ argument: SearchArgument) -> String {
        arguments.append(argument)
        return dialect == .sqlite ? "?" : "$\(arguments.count)"
    }

    /// `column IN (…)` over the values, or a false condition for none.
    mutating func isIn(_ column: String, _ values: [SearchArgument]) -> String {
        guard !values.isEmpty else { return "1 = 0" }
        return "\(column) IN (" + values.map { bind($0) }.joined(separator: ", ") + ")"
    }

    /// Compiles a search for this statement (placeholders numbered after the ones bound so far) and appends
    /// its arguments; returns the condition.
    mutating func condition(_ expression: SearchExpression, compiler: (Int) -> SearchSQLCompiler) throws -> String {
        let fragment = try compiler(arguments.count).compile(expression)
        arguments += fragment.arguments
        return "(" + fragment.sql + ")"
    }
}

/// How a resource type's rows are read: the columns of `listResources` rows (generic columns, then the type's
/// attributes by name) and the SQL that produces them. Shared by both backends.
struct ResourceLayout: Sendable {
    let stored: StoredResourceType
    let dialect: SearchSQLDialect

    var type: ResourceType { stored.type }

    /// The generic columns with their kinds, in row order.
    static let genericKinds: [(name: String, kind: SearchColumn.Kind)] = [
        ("id", .uuid), ("type", .string), ("creator", .string), ("started_at", .datetime(.epochNanoseconds)),
        ("revision_start", .datetime(.epochNanoseconds)), ("ended_at", .datetime(.epochNanoseconds)),
        ("user_id", .string), ("project_id", .string), ("original_resource_id", .string), ("revision", .integer),
        ("revision_end", .datetime(.epochNanoseconds)),
    ]

    /// Every column of a row, in order.
    var columns: [(name: String, kind: SearchColumn.Kind)] {
        Self.genericKinds + type.attributes.map { ($0.name, Self.kind(of: $0)) }
    }

    static func kind(of attribute: ResourceAttribute) -> SearchColumn.Kind {
        switch attribute.kind {
        case .string: .string
        case .uuid: .uuid
        case .number: .number
        case .bool: .bool
        case .datetime: .datetime(.epochNanoseconds)
        }
    }

    static func quote(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The current rows (`history` false) or every revision, as a subquery body with the row's columns.
    func rowsSQL(history: Bool) -> String {
        let attributes = type.attributes.map { ", t.\(Self.quote($0.name)) AS \(Self.quote($0.name))" }.joined()
        func select(_ alias: String, revision: String, revisionEnd: String, table: String, join: String) -> String {
            var sql = "SELECT \(alias).id AS id, \(alias).type AS type, \(alias).creator AS creator, "
                + "\(alias).started_at AS started_at, \(alias).revision_start AS revision_start, "
                + "\(alias).ended_at AS ended_at, \(alias).user_id AS user_id, \(alias).project_id AS project_id, "
                + "\(alias).original_resource_id AS original_resource_id, \(revision) AS revision, "
                + "\(revisionEnd) AS revision_end\(attributes) FROM \(table) AS \(alias)"
            if stored.hasTables { sql += " " + join }
            return sql
        }
        let current = select(
            "r", revision: "CAST(-1 AS BIGINT)", revisionEnd: "CAST(NULL AS BIGINT)", table: "resource",
            join: "JOIN \(Self.quote(stored.tableName)) AS t ON t.id = r.id")
        guard history else { return current }
        let past = select(
            "h", revision: "h.revision", revisionEnd: "h.revision_end", table: "resource_history",
            join: "JOIN \(Self.quote(stored.historyTableName)) AS t ON t.revision = h.revision")
        return current + " UNION ALL " + past
    }

    /// The search compiler over `result` (the rows subquery), numbering placeholders after `offset`.
    func compiler(offset: Int, creator: String?) -> SearchSQLCompiler {
        let known = Dictionary(columns.map { ($0.name, $0.kind) }, uniquingKeysWith: { a, _ in a })
        let typeName = type.name
        return SearchSQLCompiler(
            dialect: dialect, placeholderOffset: offset,
            convertUUID: { text in try ResourceIdentifier.uuid(text, creator: creator) },
            resolve: { name in
                guard let kind = known[name] else {
                    throw SearchError.unknownAttribute(resourceType: typeName, attribute: name)
                }
                return SearchColumn("result." + ResourceLayout.quote(name), kind)
            })
    }

    /// The SELECT of `listResources` (marker row already fetched, if any).
    func list(_ query: ResourceQuery, marker: [String: SearchArgument]?) throws -> ResourceStatement {
        if let limit = query.limit, limit < 0 { throw IndexError.invalidLimit(limit) }
        let keys = try sortKeys(query)
        var statement = ResourceStatement(dialect, "SELECT * FROM (" + rowsSQL(history: query.history) + ") AS result")
        var conditions: [String] = []
        if let filter = query.filter {
            conditions.append(try statement.condition(filter) { compiler(offset: $0, creator: query.creator) })
        }
        if let marker { conditions.append(keyset(keys, marker: marker, into: &statement)) }
        if !conditions.isEmpty { statement.append(" WHERE " + conditions.joined(separator: " AND ")) }
        let order = keys.map { "result.\(Self.quote($0.key)) \($0.ascending ? "ASC NULLS FIRST" : "DESC NULLS LAST")" }
        statement.append(" ORDER BY " + order.joined(separator: ", "))
        if let limit = query.limit { statement.append(" LIMIT " + statement.bind(.integer(Int64(limit)))) }
        return statement
    }

    /// The marker's row: by id, or `id@revision` in history listings. Nil when the text is not a valid marker.
    func markerRow(_ marker: String, history: Bool) -> ResourceStatement? {
        var statement = ResourceStatement(dialect, "SELECT * FROM (" + rowsSQL(history: history) + ") AS result WHERE ")
        if history {
            let parts = marker.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, let id = UUID(uuidString: String(parts[0])), let revision = Int64(parts[1]) else {
                return nil
            }
            statement.append("result.id = \(statement.bind(.uuid(id))) AND result.revision = \(statement.bind(.integer(revision)))")
        } else {
            guard let id = UUID(uuidString: marker) else { return nil }
            statement.append("result.id = " + statement.bind(.uuid(id)))
        }
        return statement
    }

    /// One current resource by id.
    func one(_ id: UUID) -> ResourceStatement {
        var statement = ResourceStatement(dialect, "SELECT * FROM (" + rowsSQL(history: false) + ") AS result WHERE result.id = ")
        statement.append(statement.bind(.uuid(id)))
        return statement
    }

    /// The ids of the current resources matching a filter (for bulk deletion).
    func matchingIds(_ filter: SearchExpression, creator: String?) throws -> ResourceStatement {
        var statement = ResourceStatement(dialect, "SELECT result.id FROM (" + rowsSQL(history: false) + ") AS result WHERE ")
        statement.append(try statement.condition(filter) { compiler(offset: $0, creator: creator) })
        return statement
    }

    /// Validates the sort keys and appends the unique ones, as Gnocchi's `_build_sort_keys`.
    func sortKeys(_ query: ResourceQuery) throws(IndexError) -> [(key: String, ascending: Bool)] {
        let valid = Set(columns.map(\.name))
        var keys = query.sort
        for (key, _) in keys where !valid.contains(key) { throw IndexError.invalidSortKey(key) }
        let unique = query.history ? ["id", "revision"] : ["id"]
        for key in unique where !keys.contains(where: { $0.key == key }) { keys.append((key: key, ascending: true)) }
        return keys
    }

    /// Rows strictly after the marker: OR over i of (keys before i equal AND key i after); NULL sorts first.
    private func keyset(
        _ keys: [(key: String, ascending: Bool)], marker: [String: SearchArgument], into statement: inout ResourceStatement
    ) -> String {
        var alternatives: [String] = []
        for (i, sortKey) in keys.enumerated() {
            let column = "result." + Self.quote(sortKey.key)
            let value = marker[sortKey.key] ?? .null
            if value == .null, !sortKey.ascending { continue }
            var parts: [String] = []
            for previous in keys[..<i] {
                let previousColumn = "result." + Self.quote(previous.key)
                let v = marker[previous.key] ?? .null
                parts.append(v == .null ? "\(previousColumn) IS NULL" : "\(previousColumn) = \(statement.bind(v))")
            }
            switch (value, sortKey.ascending) {
            case (.null, _): parts.append("\(column) IS NOT NULL")
            case (_, true): parts.append("\(column) > \(statement.bind(value))")
            case (_, false): parts.append("(\(column) < \(statement.bind(value)) OR \(column) IS NULL)")
            }
            alternatives.append("(" + parts.joined(separator: " AND ") + ")")
        }
        return alternatives.isEmpty ? "1 = 0" : "(" + alternatives.joined(separator: " OR ") + ")"
    }

    // MARK: - Rows

    /// A row's values by column name.
    func dictionary(_ values: [SearchArgument]) -> [String: SearchArgument] {
        Dictionary(zip(columns.map(\.name), values).map { ($0, $1) }, uniquingKeysWith: { a, _ in a })
    }

    /// The resource of a row (metrics not loaded).
    func resource(_ values: [SearchArgument]) throws(IndexError) -> Resource {
        let columns = self.columns
        guard values.count == columns.count else {
            throw IndexError.database("Resource row has \(values.count) columns, expected \(columns.count)")
        }
        func text(_ i: Int) -> String? { if case .text(let s) = values[i] { s } else { nil } }
        func integer(_ i: Int) -> Int64? { if case .integer(let v) = values[i] { v } else { nil } }
        guard case .uuid(let id) = values[0], let typeName = text(1), let startedAt = integer(3),
              let revisionStart = integer(4), let original = text(8), let revision = integer(9)
        else {
            throw IndexError.database("Stored resource row is invalid")
        }
        var attributes: [String: ResourceAttributeValue] = [:]
        for (offset, attribute) in type.attributes.enumerated() {
            attributes[attribute.name] = Self.attributeValue(values[Self.genericKinds.count + offset], attribute)
        }
        return Resource(
            id: id, type: typeName, originalResourceId: original, creator: text(2), startedAt: startedAt,
            endedAt: integer(5), userId: text(6), projectId: text(7), revision: revision, revisionStart: revisionStart,
            revisionEnd: integer(10), attributes: attributes)
    }

    static func attributeValue(_ value: SearchArgument, _ attribute: ResourceAttribute) -> ResourceAttributeValue {
        switch (attribute.kind, value) {
        case (_, .null): .null
        case (.string, .text(let s)): .string(s)
        case (.uuid, .uuid(let id)): .uuid(id)
        case (.number, .double(let d)): .number(d)
        case (.number, .integer(let i)): .number(Double(i))
        case (.bool, .bool(let b)): .bool(b)
        case (.bool, .integer(let i)): .bool(i != 0)
        case (.datetime, .integer(let ns)): .datetime(ns)
        default: .null
        }
    }

    /// A value as bound into an attribute column.
    static func argument(_ value: ResourceAttributeValue) -> SearchArgument {
        switch value {
        case .null: .null
        case .string(let s): .text(s)
        case .uuid(let id): .uuid(id)
        case .number(let d): .double(d)
        case .bool(let b): .bool(b)
        case .datetime(let ns): .integer(ns)
        }
    }

    // MARK: - Writes

    /// The INSERT of a resource's (or a history row's) type attributes.
    func insertAttributes(history: Bool, key: SearchArgument, _ values: [String: ResourceAttributeValue]) -> ResourceStatement {
        let table = Self.quote(history ? stored.historyTableName : stored.tableName)
        var statement = ResourceStatement(dialect)
        let names = [history ? "revision" : "id"] + type.attributes.map { Self.quote($0.name) }
        var placeholders = [statement.bind(key)]
        for attribute in type.attributes { placeholders.append(statement.bind(Self.argument(values[attribute.name] ?? .null))) }
        statement.append("INSERT INTO \(table) (\(names.joined(separator: ", "))) VALUES (\(placeholders.joined(separator: ", ")))")
        return statement
    }

    /// The UPDATE of some attributes of a current resource.
    func updateAttributes(_ id: UUID, _ values: [String: ResourceAttributeValue]) -> ResourceStatement? {
        let changed = type.attributes.filter { values[$0.name] != nil }
        guard stored.hasTables, !changed.isEmpty else { return nil }
        var statement = ResourceStatement(dialect, "UPDATE \(Self.quote(stored.tableName)) SET ")
        let sets = changed.map { "\(Self.quote($0.name)) = \(statement.bind(Self.argument(values[$0.name]!)))" }
        statement.append(sets.joined(separator: ", "))
        statement.append(" WHERE id = " + statement.bind(.uuid(id)))
        return statement
    }

    /// The column type of an attribute in the dialect.
    static func columnType(_ attribute: ResourceAttribute, _ dialect: SearchSQLDialect) -> String {
        switch (attribute.kind, dialect) {
        case (.string, .sqlite): "TEXT"
        case (.string, .postgresql): "TEXT COLLATE \"C\""
        case (.uuid, .sqlite): "TEXT"
        case (.uuid, .postgresql): "UUID"
        case (.number, .sqlite): "REAL"
        case (.number, .postgresql): "DOUBLE PRECISION"
        case (.bool, _): "BOOLEAN"
        case (.datetime, _): "BIGINT"
        }
    }

    /// The name of the index of an attribute column of a type's current table (short enough for PostgreSQL).
    static func indexName(table: String, attribute: String) -> String {
        "ix_\(table)_" + SHA1.hexDigest(Array(attribute.utf8)).prefix(10)
    }

    /// The index of an attribute column of a type's current table, so that equality and range searches on
    /// attributes do not scan.
    static func createIndex(table: String, attribute: String) -> String {
        "CREATE INDEX \(quote(indexName(table: table, attribute: attribute))) ON \(quote(table)) (\(quote(attribute)))"
    }

    /// The CREATE TABLE (and attribute index) statements of a type's two tables.
    static func createTables(_ stored: StoredResourceType, dialect: SearchSQLDialect) -> [String] {
        let columns = stored.type.attributes.map { ", \(quote($0.name)) \(columnType($0, dialect))" }.joined()
        let idType = dialect == .sqlite ? "TEXT" : "UUID"
        let indexes = stored.type.attributes.map { createIndex(table: stored.tableName, attribute: $0.name) }
        return [
            """
            CREATE TABLE \(quote(stored.tableName)) (
                id \(idType) NOT NULL PRIMARY KEY REFERENCES resource (id) ON DELETE CASCADE\(columns))
            """,
            """
            CREATE TABLE \(quote(stored.historyTableName)) (
                revision BIGINT NOT NULL PRIMARY KEY REFERENCES resource_history (revision) ON DELETE CASCADE\(columns))
            """,
        ] + indexes
    }
}

extension ResourceLayout {
    /// The generic columns of `resource` and `resource_history` (the history adds `revision_end`).
    static let resourceColumns =
        "id, type, creator, started_at, revision_start, ended_at, user_id, project_id, original_resource_id"

    /// Copies the current row of a resource into `resource_history`, with `revision_end`.
    func copyToHistory(_ id: UUID, revisionEnd: Int64) -> ResourceStatement {
        var statement = ResourceStatement(
            dialect,
            "INSERT INTO resource_history (\(Self.resourceColumns), revision_end) SELECT \(Self.resourceColumns), ")
        statement.append(statement.bind(.integer(revisionEnd)) + " FROM resource WHERE id = ")
        statement.append(statement.bind(.uuid(id)))
        if dialect == .postgresql { statement.append(" RETURNING revision") }
        return statement
    }

    /// Copies the type attributes of a resource into the history table under `revision`; nil for `generic`.
    func copyAttributesToHistory(_ id: UUID, revision: Int64) -> ResourceStatement? {
        guard stored.hasTables else { return nil }
        let names = type.attributes.map { ResourceLayout.quote($0.name) }
        var statement = ResourceStatement(
            dialect,
            "INSERT INTO \(Self.quote(stored.historyTableName)) (" + (["revision"] + names).joined(separator: ", ")
                + ") SELECT ")
        statement.append(([statement.bind(.integer(revision))] + names).joined(separator: ", "))
        statement.append(" FROM \(Self.quote(stored.tableName)) WHERE id = " + statement.bind(.uuid(id)))
        return statement
    }

    /// The UPDATE of a resource's generic columns to the values of `resource`.
    func updateGeneric(_ resource: Resource) -> ResourceStatement {
        var statement = ResourceStatement(dialect, "UPDATE resource SET ")
        let sets = [
            "started_at = " + statement.bind(.integer(resource.startedAt)),
            "revision_start = " + statement.bind(.integer(resource.revisionStart)),
            "ended_at = " + statement.bind(resource.endedAt.map(SearchArgument.integer) ?? .null),
            "user_id = " + statement.bind(resource.userId.map(SearchArgument.text) ?? .null),
            "project_id = " + statement.bind(resource.projectId.map(SearchArgument.text) ?? .null),
        ]
        statement.append(sets.joined(separator: ", ") + " WHERE id = " + statement.bind(.uuid(resource.id)))
        return statement
    }

    /// The INSERT of a new resource's generic row.
    static func insertGeneric(_ resource: Resource, dialect: SearchSQLDialect) -> ResourceStatement {
        var statement = ResourceStatement(dialect)
        let values: [SearchArgument] = [
            .uuid(resource.id), .text(resource.type), resource.creator.map(SearchArgument.text) ?? .null,
            .integer(resource.startedAt), .integer(resource.revisionStart),
            resource.endedAt.map(SearchArgument.integer) ?? .null, resource.userId.map(SearchArgument.text) ?? .null,
            resource.projectId.map(SearchArgument.text) ?? .null, .text(resource.originalResourceId),
        ]
        let placeholders = values.map { statement.bind($0) }
        statement.append("INSERT INTO resource (\(resourceColumns)) VALUES (\(placeholders.joined(separator: ", ")))")
        return statement
    }

    /// The active metrics of these resources: rows of (resource_id, name, id).
    static func metricsOf(_ ids: [UUID], dialect: SearchSQLDialect) -> ResourceStatement {
        var statement = ResourceStatement(dialect, "SELECT resource_id, name, id FROM metric WHERE status = 'active' AND ")
        statement.append(statement.isIn("resource_id", ids.map(SearchArgument.uuid)))
        return statement
    }

    /// The type attributes of these resources (or revisions): rows of (key, attributes…).
    func attributesOf(_ keys: [SearchArgument], history: Bool) -> ResourceStatement {
        let key = history ? "revision" : "id"
        let names = type.attributes.map { ResourceLayout.quote($0.name) }
        var statement = ResourceStatement(
            dialect,
            "SELECT " + ([key] + names).joined(separator: ", ") + " FROM "
                + Self.quote(history ? stored.historyTableName : stored.tableName) + " WHERE ")
        statement.append(statement.isIn(key, keys))
        return statement
    }

    /// The kinds of the rows of `attributesOf`.
    func attributeRowKinds(history: Bool) -> [SearchColumn.Kind] {
        [history ? .integer : .uuid] + type.attributes.map(Self.kind(of:))
    }

    /// Now, truncated to microseconds as Gnocchi's timestamps are.
    static func now() -> Int64 {
        let now = Timestamps.now()
        return now - now % 1000
    }
}
