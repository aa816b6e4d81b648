import Foundation
import Logging
import PostgresNIO
import StratusCore

/// Resources on PostgreSQL, each write one transaction (the resource row locked `FOR UPDATE` before a
/// revision is made); the SQL is `ResourceLayout`'s, shared with SQLite.
extension PostgresIndexer {
    public func createResource(_ creation: ResourceCreation) async throws -> Resource {
        try await transaction(
            unique: .resourceAlreadyExists(creation.id),
            uniqueByConstraint: ["uniq_metric0resource_id0name": .namedMetricAlreadyExists(creation.metrics.keys.sorted().first ?? "")]
        ) { connection in
            let layout = try await self.activeLayout(connection, creation.type)
            let now = ResourceLayout.now()
            let startedAt = creation.startedAt ?? now
            if let endedAt = creation.endedAt, startedAt > endedAt { throw IndexError.startAfterEnd }
            if try await !self.rows(connection, "SELECT 1 FROM resource WHERE id = \(creation.id)").isEmpty {
                throw IndexError.resourceAlreadyExists(creation.id)
            }
            let resource = Resource(
                id: creation.id, type: creation.type,
                originalResourceId: creation.originalResourceId ?? creation.id.lowercased, creator: creation.creator,
                startedAt: startedAt, endedAt: creation.endedAt, userId: creation.userId, projectId: creation.projectId,
                revisionStart: now, attributes: creation.attributes)
            try await self.execute(connection, ResourceLayout.insertGeneric(resource, dialect: .postgresql))
            if layout.stored.hasTables {
                try await self.execute(
                    connection, layout.insertAttributes(history: false, key: .uuid(creation.id), creation.attributes))
            }
            try await self.attachMetrics(connection, resource: resource, creation.metrics)
            return try await self.fetchResource(connection, layout, creation.id) ?? resource
        }
    }

    public func resource(type: String, id: UUID) async throws -> Resource? {
        try await withConnection { connection in
            try await self.fetchResource(connection, try await self.activeLayout(connection, type), id)
        }
    }

    public func updateResource(type: String, id: UUID, _ update: ResourceUpdate) async throws -> Resource {
        try await transaction(
            uniqueByConstraint: ["uniq_metric0resource_id0name": .namedMetricAlreadyExists((update.metrics ?? [:]).keys.sorted().first ?? "")]
        ) { connection in
            let layout = try await self.activeLayout(connection, type)
            _ = try await self.rows(connection, "SELECT id FROM resource WHERE id = \(id) FOR UPDATE")
            guard var resource = try await self.fetchResource(connection, layout, id) else {
                throw IndexError.resourceNotFound(id.lowercased)
            }
            if update.createRevision && update.changes(resource) {
                let now = max(ResourceLayout.now(), resource.revisionStart)
                guard let revision = try await self.rows(connection, Self.query(layout.copyToHistory(id, revisionEnd: now)))
                    .first?.decode(Int64.self)
                else {
                    throw IndexError.resourceNotFound(id.lowercased)
                }
                if let copy = layout.copyAttributesToHistory(id, revision: revision) {
                    try await self.execute(connection, copy)
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
            try await self.execute(connection, layout.updateGeneric(resource))
            if let statement = layout.updateAttributes(id, update.attributes) { try await self.execute(connection, statement) }
            if let metrics = update.metrics {
                if !update.appendMetrics {
                    try await connection.query(
                        "UPDATE metric SET resource_id = NULL WHERE resource_id = \(id) AND status = 'active'",
                        logger: self.logger)
                }
                try await self.attachMetrics(connection, resource: resource, metrics)
            }
            guard let updated = try await self.fetchResource(connection, layout, id) else {
                throw IndexError.resourceNotFound(id.lowercased)
            }
            return updated
        }
    }

    public func deleteResource(id: UUID) async throws {
        try await transaction { connection in
            try await connection.query(
                "UPDATE metric SET status = 'delete', resource_id = NULL WHERE resource_id = \(id)", logger: self.logger)
            let deleted = try await self.rows(connection, "DELETE FROM resource WHERE id = \(id) RETURNING id")
            if deleted.isEmpty { throw IndexError.resourceNotFound(id.lowercased) }
        }
    }

    public func deleteResources(type: String, filter: SearchExpression, creator: String?) async throws -> Int {
        // Compiled once before the transaction so that search errors reach the caller as they are.
        _ = try await withConnection { connection in try await self.activeLayout(connection, type) }
            .matchingIds(filter, creator: creator)
        return try await transaction { connection in
            let layout = try await self.activeLayout(connection, type)
            let matching = try layout.matchingIds(filter, creator: creator)
            var markMetrics = ResourceStatement(.postgresql)
            markMetrics.append("UPDATE metric SET status = 'delete', resource_id = NULL WHERE resource_id IN (\(matching.sql))")
            let bindings = Self.query(matching).binds
            try await connection.query(PostgresQuery(unsafeSQL: markMetrics.sql, binds: bindings), logger: self.logger)
            let deleted = try await self.rows(
                connection, PostgresQuery(unsafeSQL: "DELETE FROM resource WHERE id IN (\(matching.sql)) RETURNING id", binds: bindings))
            return deleted.count
        }
    }

    public func listResources(type: String, query: ResourceQuery) async throws -> [Resource] {
        // Compiled once before reading so that search and sort errors reach the caller as they are.
        _ = try await withConnection { connection in try await self.activeLayout(connection, type) }.list(query, marker: nil)
        return try await withConnection { connection in
            let layout = try await self.activeLayout(connection, type)
            let kinds = layout.columns.map(\.kind)
            var marker: [String: SearchArgument]?
            if let text = query.marker {
                guard let statement = layout.markerRow(text, history: query.history),
                      let row = try await self.values(connection, statement, kinds: kinds).first
                else {
                    throw IndexError(.invalidQuery, "Invalid marker: `\(text)'", detail: text)
                }
                marker = layout.dictionary(row)
            }
            let statement = try layout.list(query, marker: marker)
            var resources = try await self.values(connection, statement, kinds: kinds).map { try layout.resource($0) }
            if query.details, !layout.stored.hasTables {
                try await self.loadDetails(connection, &resources)
            }
            try await self.loadMetrics(connection, &resources)
            return resources
        }
    }

    public func activeMetrics(ofResources ids: [UUID]) async throws -> [Metric] {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return [] }
        return try await withConnection { connection in
            try await self.rows(
                connection,
                "SELECT \(unescaped: MetricSQL.columns) FROM metric WHERE status = 'active' AND resource_id = ANY(\(unique))"
            ).map(Self.metric)
        }
    }

    public func existingResources(_ ids: [UUID]) async throws -> Set<UUID> {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return [] }
        return try await withConnection { connection in
            Set(try await self.rows(connection, "SELECT id FROM resource WHERE id = ANY(\(unique))").map { try $0.decode(UUID.self) })
        }
    }

    // MARK: - Helpers

    func execute(_ connection: PostgresConnection, _ statement: ResourceStatement) async throws {
        try await connection.query(Self.query(statement), logger: logger)
    }

    /// The rows of a statement, each value decoded by its column's kind.
    func values(_ connection: PostgresConnection, _ statement: ResourceStatement, kinds: [SearchColumn.Kind]) async throws
        -> [[SearchArgument]]
    {
        try await rows(connection, Self.query(statement)).map { row in
            var values: [SearchArgument] = []
            values.reserveCapacity(kinds.count)
            for (cell, kind) in zip(row, kinds) {
                switch kind {
                case .uuid: values.append(try cell.decode(UUID?.self).map(SearchArgument.uuid) ?? .null)
                case .string: values.append(try cell.decode(String?.self).map(SearchArgument.text) ?? .null)
                case .number: values.append(try cell.decode(Double?.self).map(SearchArgument.double) ?? .null)
                case .bool: values.append(try cell.decode(Bool?.self).map(SearchArgument.bool) ?? .null)
                case .integer, .datetime: values.append(try cell.decode(Int64?.self).map(SearchArgument.integer) ?? .null)
                }
            }
            return values
        }
    }

    func fetchResource(_ connection: PostgresConnection, _ layout: ResourceLayout, _ id: UUID) async throws -> Resource? {
        guard let row = try await values(connection, layout.one(id), kinds: layout.columns.map(\.kind)).first else {
            return nil
        }
        var resources = [try layout.resource(row)]
        try await loadMetrics(connection, &resources)
        return resources.first
    }

    func loadMetrics(_ connection: PostgresConnection, _ resources: inout [Resource]) async throws {
        guard !resources.isEmpty else { return }
        let ids = Array(Set(resources.map(\.id)))
        var byResource: [UUID: [String: UUID]] = [:]
        let rows = try await self.rows(
            connection,
            "SELECT resource_id, name, id FROM metric WHERE status = 'active' AND resource_id = ANY(\(ids))")
        for row in rows {
            let (resource, name, metric) = try row.decode((UUID, String?, UUID).self)
            guard let name else { continue }
            byResource[resource, default: [:]][name] = metric
        }
        for index in resources.indices { resources[index].metrics = byResource[resources[index].id] ?? [:] }
    }

    func loadDetails(_ connection: PostgresConnection, _ resources: inout [Resource]) async throws {
        let types = Set(resources.map(\.type)).subtracting([ResourceType.genericName])
        for typeName in types {
            guard let stored = try await fetchResourceType(connection, typeName), stored.type.state == .active else { continue }
            let layout = ResourceLayout(stored: stored, dialect: .postgresql)
            for history in [false, true] {
                let indices = resources.indices.filter { resources[$0].type == typeName && (resources[$0].revision != -1) == history }
                guard !indices.isEmpty else { continue }
                let keys: [SearchArgument] = indices.map {
                    history ? .integer(resources[$0].revision) : .uuid(resources[$0].id)
                }
                var attributesByKey: [SearchArgument: [String: ResourceAttributeValue]] = [:]
                let statement = layout.attributesOf(keys, history: history)
                for row in try await values(connection, statement, kinds: layout.attributeRowKinds(history: history)) {
                    var values: [String: ResourceAttributeValue] = [:]
                    for (offset, attribute) in layout.type.attributes.enumerated() {
                        values[attribute.name] = ResourceLayout.attributeValue(row[offset + 1], attribute)
                    }
                    attributesByKey[row[0]] = values
                }
                for index in indices {
                    let key: SearchArgument = history ? .integer(resources[index].revision) : .uuid(resources[index].id)
                    resources[index].attributes = attributesByKey[key] ?? [:]
                }
            }
        }
    }

    func attachMetrics(_ connection: PostgresConnection, resource: Resource, _ metrics: [String: ResourceMetricSpec]) async throws {
        for (name, spec) in metrics.sorted(by: { $0.key < $1.key }) {
            switch spec {
            case .existing(let metricId):
                let taken = try await rows(
                    connection,
                    "SELECT 1 FROM metric WHERE resource_id = \(resource.id) AND name = \(name) AND id <> \(metricId)")
                if !taken.isEmpty { throw IndexError.namedMetricAlreadyExists(name) }
                let updated = try await rows(
                    connection,
                    """
                    UPDATE metric SET resource_id = \(resource.id), name = \(name)
                    WHERE id = \(metricId) AND status = 'active' AND creator IS NOT DISTINCT FROM \(resource.creator)
                    RETURNING id
                    """)
                if updated.isEmpty { throw IndexError.metricNotFound(metricId) }
            case .create(let policy, let unit):
                let taken = try await rows(connection, "SELECT 1 FROM metric WHERE resource_id = \(resource.id) AND name = \(name)")
                if !taken.isEmpty { throw IndexError.namedMetricAlreadyExists(name) }
                guard try await fetchPolicy(connection, policy) != nil else { throw IndexError.archivePolicyNotFound(policy) }
                let creator = resource.creator ?? ""
                try await connection.query(
                    """
                    INSERT INTO metric (\(unescaped: MetricSQL.columns)) VALUES (
                        \(UUID()), \(name), \(unit), \(policy), \(creator), \(resource.id), 'active', FALSE, NULL)
                    """, logger: logger)
            }
        }
    }
}
