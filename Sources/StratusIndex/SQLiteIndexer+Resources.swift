import Foundation
import GRDB
import StratusCore

/// Resources on SQLite, each operation one transaction; the SQL is `ResourceLayout`'s, shared with PostgreSQL.
extension SQLiteIndexer {
    public func createResource(_ creation: ResourceCreation) async throws -> Resource {
        try await write { db in
            let layout = try Self.activeLayout(db, creation.type)
            let now = ResourceLayout.now()
            let startedAt = creation.startedAt ?? now
            if let endedAt = creation.endedAt, startedAt > endedAt { throw IndexError.startAfterEnd }
            if try Self.resourceExists(db, creation.id) { throw IndexError.resourceAlreadyExists(creation.id) }
            var resource = Resource(
                id: creation.id, type: creation.type,
                originalResourceId: creation.originalResourceId ?? creation.id.lowercased, creator: creation.creator,
                startedAt: startedAt, endedAt: creation.endedAt, userId: creation.userId, projectId: creation.projectId,
                revisionStart: now, attributes: creation.attributes)
            try Self.execute(db, ResourceLayout.insertGeneric(resource, dialect: .sqlite))
            if layout.stored.hasTables {
                try Self.execute(db, layout.insertAttributes(history: false, key: .uuid(creation.id), creation.attributes))
            }
            try Self.attachMetrics(db, resource: resource, creation.metrics)
            resource = try Self.fetchResource(db, layout, creation.id) ?? resource
            return resource
        }
    }

    public func resource(type: String, id: UUID) async throws -> Resource? {
        try await read { db in try Self.fetchResource(db, try Self.activeLayout(db, type), id) }
    }

    public func updateResource(type: String, id: UUID, _ update: ResourceUpdate) async throws -> Resource {
        try await write { db in
            let layout = try Self.activeLayout(db, type)
            guard var resource = try Self.fetchResource(db, layout, id) else {
                throw IndexError.resourceNotFound(id.lowercased)
            }
            if update.createRevision && update.changes(resource) {
                let now = max(ResourceLayout.now(), resource.revisionStart)
                try Self.execute(db, layout.copyToHistory(id, revisionEnd: now))
                if let copy = layout.copyAttributesToHistory(id, revision: db.lastInsertedRowID) {
                    try Self.execute(db, copy)
                }
                resource.revisionStart = now
            }
            if let startedAt = update.startedAt { resource.startedAt = startedAt }
            if let endedAt = update.endedAt { resource.endedAt = endedAt }
            if let userId = update.userId { resource.userId = userId }
            if let projectId = update.projectId { resource.projectId = projectId }
            if let endedAt = resource.endedAt, resource.startedAt > endedAt {
                throw IndexError.invalidEndedAt(type: type, resource.endedAt)
            }
            try Self.execute(db, layout.updateGeneric(resource))
            if let statement = layout.updateAttributes(id, update.attributes) { try Self.execute(db, statement) }
            if let metrics = update.metrics {
                if !update.appendMetrics {
                    try db.execute(
                        sql: "UPDATE metric SET resource_id = NULL WHERE resource_id = ? AND status = 'active'",
                        arguments: [id.lowercased])
                }
                try Self.attachMetrics(db, resource: resource, metrics)
            }
            guard let updated = try Self.fetchResource(db, layout, id) else { throw IndexError.resourceNotFound(id.lowercased) }
            return updated
        }
    }

    public func deleteResource(id: UUID) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE metric SET status = 'delete', resource_id = NULL WHERE resource_id = ?", arguments: [id.lowercased])
            try db.execute(sql: "DELETE FROM resource WHERE id = ?", arguments: [id.lowercased])
            if db.changesCount == 0 { throw IndexError.resourceNotFound(id.lowercased) }
        }
    }

    public func deleteResources(type: String, filter: SearchExpression, creator: String?) async throws -> Int {
        // Compiled once before the transaction so that search errors reach the caller as they are.
        _ = try await read { db in try Self.activeLayout(db, type) }.matchingIds(filter, creator: creator)
        return try await write { db in
            let layout = try Self.activeLayout(db, type)
            let matching = try layout.matchingIds(filter, creator: creator)
            let arguments = StatementArguments(matching.arguments.map(\.sqliteValue))
            try db.execute(
                sql: "UPDATE metric SET status = 'delete', resource_id = NULL WHERE resource_id IN (\(matching.sql))",
                arguments: arguments)
            try db.execute(sql: "DELETE FROM resource WHERE id IN (\(matching.sql))", arguments: arguments)
            return db.changesCount
        }
    }

    public func listResources(type: String, query: ResourceQuery) async throws -> [Resource] {
        // Compiled once before reading so that search and sort errors reach the caller as they are.
        _ = try await read { db in try Self.activeLayout(db, type) }.list(query, marker: nil)
        return try await read { db in
            let layout = try Self.activeLayout(db, type)
            var marker: [String: SearchArgument]?
            if let text = query.marker {
                guard let statement = layout.markerRow(text, history: query.history),
                      let row = try Self.rows(db, statement, kinds: layout.columns.map(\.kind)).first
                else {
                    throw IndexError(.invalidQuery, "Invalid marker: `\(text)'", detail: text)
                }
                marker = layout.dictionary(row)
            }
            let statement = try layout.list(query, marker: marker)
            var resources = try Self.rows(db, statement, kinds: layout.columns.map(\.kind)).map { try layout.resource($0) }
            if query.details, !layout.stored.hasTables {
                try Self.loadDetails(db, &resources)
            }
            try Self.loadMetrics(db, &resources)
            return resources
        }
    }

    public func activeMetrics(ofResources ids: [UUID]) async throws -> [Metric] {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return [] }
        return try await read { db in
            var found: [Metric] = []
            for start in stride(from: 0, to: unique.count, by: Self.chunkSize) {
                var statement = ResourceStatement(.sqlite, "SELECT \(MetricSQL.columns) FROM metric WHERE status = 'active' AND ")
                statement.append(statement.isIn(
                    "resource_id", unique[start..<min(start + Self.chunkSize, unique.count)].map(SearchArgument.uuid)))
                found += try Row.fetchAll(
                    db, sql: statement.sql, arguments: StatementArguments(statement.arguments.map(\.sqliteValue))
                ).map(Self.metric)
            }
            return found
        }
    }

    public func existingResources(_ ids: [UUID]) async throws -> Set<UUID> {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return [] }
        return try await read { db in
            var found: Set<UUID> = []
            for start in stride(from: 0, to: unique.count, by: Self.chunkSize) {
                var statement = ResourceStatement(.sqlite, "SELECT id FROM resource WHERE ")
                statement.append(statement.isIn("id", unique[start..<min(start + Self.chunkSize, unique.count)].map(SearchArgument.uuid)))
                for row in try Self.rows(db, statement, kinds: [.uuid]) {
                    if case .uuid(let id) = row[0] { found.insert(id) }
                }
            }
            return found
        }
    }

    // MARK: - Helpers

    static func execute(_ db: Database, _ statement: ResourceStatement) throws {
        try db.execute(sql: statement.sql, arguments: StatementArguments(statement.arguments.map(\.sqliteValue)))
    }

    /// The rows of a statement, each value decoded by its column's kind.
    static func rows(_ db: Database, _ statement: ResourceStatement, kinds: [SearchColumn.Kind]) throws -> [[SearchArgument]] {
        try Row.fetchAll(db, sql: statement.sql, arguments: StatementArguments(statement.arguments.map(\.sqliteValue)))
            .map { row in
                try kinds.enumerated().map { index, kind in try value(row[index] as DatabaseValue, kind) }
            }
    }

    static func value(_ value: DatabaseValue, _ kind: SearchColumn.Kind) throws -> SearchArgument {
        switch (value.storage, kind) {
        case (.null, _): return .null
        case (.string(let text), .uuid):
            guard let id = UUID(uuidString: text) else { throw IndexError.database("Stored UUID is invalid: \(text)") }
            return .uuid(id)
        case (.string(let text), _): return .text(text)
        case (.int64(let integer), .bool): return .bool(integer != 0)
        case (.int64(let integer), .number): return .double(Double(integer))
        case (.int64(let integer), _): return .integer(integer)
        case (.double(let double), _): return .double(double)
        case (.blob, _): throw IndexError.database("Unexpected blob in a resource row")
        }
    }

    static func resourceExists(_ db: Database, _ id: UUID) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM resource WHERE id = ?)", arguments: [id.lowercased]) ?? false
    }

    /// The current resource with its metrics, nil if it is not of the layout's type.
    static func fetchResource(_ db: Database, _ layout: ResourceLayout, _ id: UUID) throws -> Resource? {
        guard let row = try rows(db, layout.one(id), kinds: layout.columns.map(\.kind)).first else { return nil }
        var resources = [try layout.resource(row)]
        try loadMetrics(db, &resources)
        return resources.first
    }

    /// Fills each resource's active metrics.
    static func loadMetrics(_ db: Database, _ resources: inout [Resource]) throws {
        guard !resources.isEmpty else { return }
        let ids = Array(Set(resources.map(\.id)))
        var byResource: [UUID: [String: UUID]] = [:]
        for start in stride(from: 0, to: ids.count, by: chunkSize) {
            let statement = ResourceLayout.metricsOf(Array(ids[start..<min(start + chunkSize, ids.count)]), dialect: .sqlite)
            for row in try rows(db, statement, kinds: [.uuid, .string, .uuid]) {
                guard case .uuid(let resource) = row[0], case .text(let name) = row[1], case .uuid(let metric) = row[2] else {
                    continue
                }
                byResource[resource, default: [:]][name] = metric
            }
        }
        for index in resources.indices { resources[index].metrics = byResource[resources[index].id] ?? [:] }
    }

    /// Fills the type attributes of `generic` rows (Gnocchi's `details=true`), one query per type.
    static func loadDetails(_ db: Database, _ resources: inout [Resource]) throws {
        let types = Set(resources.map(\.type)).subtracting([ResourceType.genericName])
        for typeName in types {
            guard let stored = try fetchResourceType(db, typeName), stored.type.state == .active else { continue }
            let layout = ResourceLayout(stored: stored, dialect: .sqlite)
            for history in [false, true] {
                let indices = resources.indices.filter { resources[$0].type == typeName && (resources[$0].revision != -1) == history }
                guard !indices.isEmpty else { continue }
                let keys: [SearchArgument] = indices.map {
                    history ? .integer(resources[$0].revision) : .uuid(resources[$0].id)
                }
                var attributesByKey: [SearchArgument: [String: ResourceAttributeValue]] = [:]
                for start in stride(from: 0, to: keys.count, by: chunkSize) {
                    let chunk = Array(keys[start..<min(start + chunkSize, keys.count)])
                    for row in try rows(db, layout.attributesOf(chunk, history: history), kinds: layout.attributeRowKinds(history: history)) {
                        var values: [String: ResourceAttributeValue] = [:]
                        for (offset, attribute) in layout.type.attributes.enumerated() {
                            values[attribute.name] = ResourceLayout.attributeValue(row[offset + 1], attribute)
                        }
                        attributesByKey[row[0]] = values
                    }
                }
                for index in indices {
                    let key: SearchArgument = history ? .integer(resources[index].revision) : .uuid(resources[index].id)
                    resources[index].attributes = attributesByKey[key] ?? [:]
                }
            }
        }
    }

    /// Attaches existing metrics (same creator, active) or creates new ones, as Gnocchi's `_set_metrics_for_resource`.
    static func attachMetrics(_ db: Database, resource: Resource, _ metrics: [String: ResourceMetricSpec]) throws {
        for (name, spec) in metrics.sorted(by: { $0.key < $1.key }) {
            switch spec {
            case .existing(let metricId):
                let taken = try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM metric WHERE resource_id = ? AND name = ? AND id <> ?)",
                    arguments: [resource.id.lowercased, name, metricId.lowercased]) ?? false
                if taken { throw IndexError.namedMetricAlreadyExists(name) }
                try db.execute(
                    sql: "UPDATE metric SET resource_id = ?, name = ? WHERE id = ? AND status = 'active' AND creator IS ?",
                    arguments: [resource.id.lowercased, name, metricId.lowercased, resource.creator])
                if db.changesCount == 0 { throw IndexError.metricNotFound(metricId) }
            case .create(let policy, let unit):
                let taken = try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM metric WHERE resource_id = ? AND name = ?)",
                    arguments: [resource.id.lowercased, name]) ?? false
                if taken { throw IndexError.namedMetricAlreadyExists(name) }
                guard try fetchPolicy(db, policy) != nil else { throw IndexError.archivePolicyNotFound(policy) }
                try db.execute(
                    sql: "INSERT INTO metric (\(MetricSQL.columns)) VALUES (?, ?, ?, ?, ?, ?, 'active', 0, NULL)",
                    arguments: [UUID().lowercased, name, unit, policy, resource.creator ?? "", resource.id.lowercased])
            }
        }
    }
}
