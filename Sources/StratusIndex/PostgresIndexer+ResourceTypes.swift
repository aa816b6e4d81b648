import Foundation
import Logging
import PostgresNIO
import StratusCore

/// Resource types on PostgreSQL: one `resource_type` row per type, and its two tables created, altered and
/// dropped in the same transaction (PostgreSQL's DDL is transactional).
extension PostgresIndexer {
    static let resourceSchema: [String] = [
        """
        CREATE TABLE resource_type (
            name TEXT COLLATE "C" NOT NULL PRIMARY KEY,
            tablename TEXT COLLATE "C" NOT NULL CONSTRAINT uniq_resource_type0tablename UNIQUE,
            attributes TEXT NOT NULL,
            state TEXT COLLATE "C" NOT NULL DEFAULT 'creating',
            updated_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE resource (
            id UUID NOT NULL PRIMARY KEY,
            type TEXT COLLATE "C" NOT NULL
                CONSTRAINT fk_resource_resource_type_name REFERENCES resource_type (name) ON DELETE RESTRICT,
            creator TEXT COLLATE "C",
            started_at BIGINT NOT NULL,
            revision_start BIGINT NOT NULL,
            ended_at BIGINT,
            user_id TEXT COLLATE "C",
            project_id TEXT COLLATE "C",
            original_resource_id TEXT COLLATE "C" NOT NULL,
            CONSTRAINT ck_resource_started_before_ended CHECK (started_at <= ended_at)
        )
        """,
        "CREATE INDEX ix_resource_type ON resource (type)",
        "CREATE INDEX ix_resource_original_resource_id ON resource (original_resource_id)",
        "CREATE INDEX ix_resource_project_id ON resource (project_id)",
        "CREATE INDEX ix_resource_default_order ON resource (revision_start, started_at, id)",
        """
        CREATE TABLE resource_history (
            revision BIGSERIAL PRIMARY KEY,
            id UUID NOT NULL CONSTRAINT fk_rh_id_resource_id REFERENCES resource (id) ON DELETE CASCADE,
            type TEXT COLLATE "C" NOT NULL
                CONSTRAINT fk_rh_resource_type_name REFERENCES resource_type (name) ON DELETE RESTRICT,
            creator TEXT COLLATE "C",
            started_at BIGINT NOT NULL,
            revision_start BIGINT NOT NULL,
            ended_at BIGINT,
            user_id TEXT COLLATE "C",
            project_id TEXT COLLATE "C",
            original_resource_id TEXT COLLATE "C" NOT NULL,
            revision_end BIGINT NOT NULL,
            CONSTRAINT ck_resource_history_started_before_ended CHECK (started_at <= ended_at)
        )
        """,
        "CREATE INDEX ix_resource_history_id ON resource_history (id)",
        "CREATE INDEX ix_resource_history_type ON resource_history (type)",
        "CREATE INDEX ix_metric_resource_id_status ON metric (resource_id, status)",
        """
        INSERT INTO resource_type (name, tablename, attributes, state, updated_at)
        VALUES ('generic', 'generic', '{}', 'active', (EXTRACT(EPOCH FROM now()) * 1000000000)::BIGINT)
        """,
    ]

    public func createResourceType(_ type: ResourceType) async throws -> ResourceType {
        try type.validateColumnNames()
        let stored = StoredResourceType(
            type: ResourceType(name: type.name, attributes: type.attributes, state: .active),
            tableName: StoredResourceType.newTableName())
        return try await transaction(unique: .resourceTypeAlreadyExists(type.name)) { connection in
            if try await self.fetchResourceType(connection, type.name) != nil {
                throw IndexError.resourceTypeAlreadyExists(type.name)
            }
            let attributes = StoredResourceType.encodeAttributes(stored.type.attributes)
            try await connection.query(
                """
                INSERT INTO resource_type (name, tablename, attributes, state, updated_at)
                VALUES (\(stored.type.name), \(stored.tableName), \(attributes), 'active', \(Timestamps.now()))
                """, logger: self.logger)
            for statement in ResourceLayout.createTables(stored, dialect: .postgresql) {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
            }
            return stored.type
        }
    }

    public func resourceType(named name: String) async throws -> ResourceType? {
        try await withConnection { connection in try await self.fetchResourceType(connection, name)?.type }
    }

    public func resourceTypes() async throws -> [ResourceType] {
        try await withConnection { connection in
            try await self.rows(connection, "SELECT name, tablename, attributes, state FROM resource_type ORDER BY name")
                .map { try Self.storedResourceType($0).type }
        }
    }

    public func updateResourceType(named name: String, _ update: ResourceTypeUpdate) async throws -> ResourceType {
        try await transaction { connection in
            guard let stored = try await self.fetchResourceType(connection, name, forUpdate: true) else {
                throw IndexError.resourceTypeNotFound(name)
            }
            guard !update.isEmpty else { return stored.type }
            guard stored.hasTables else {
                throw IndexError(.invalidResourceTypeUpdate, "Resource type \(name) cannot be modified", detail: name)
            }
            guard stored.type.state == .active else {
                throw IndexError.unexpectedResourceTypeState(name, expected: "active", state: stored.type.state)
            }
            let next = try ResourceTypeChange.apply(update, to: stored.type)
            for table in [stored.tableName, stored.historyTableName] {
                for statement in ResourceTypeChange.statements(update, table: table, dialect: .postgresql) {
                    try await connection.query(Self.query(statement), logger: self.logger)
                }
            }
            let attributes = StoredResourceType.encodeAttributes(next.attributes)
            try await connection.query(
                "UPDATE resource_type SET attributes = \(attributes), updated_at = \(Timestamps.now()) WHERE name = \(name)",
                logger: self.logger)
            return next
        }
    }

    public func deleteResourceType(named name: String) async throws {
        try await transaction(foreignKey: .resourceTypeInUse(name)) { connection in
            guard let stored = try await self.fetchResourceType(connection, name, forUpdate: true) else {
                throw IndexError.resourceTypeNotFound(name)
            }
            guard stored.hasTables else { throw IndexError.resourceTypeInUse(name) }
            let used = try await self.rows(
                connection,
                """
                SELECT EXISTS (SELECT 1 FROM resource WHERE type = \(name))
                    OR EXISTS (SELECT 1 FROM resource_history WHERE type = \(name))
                """
            ).first?.decode(Bool.self) ?? false
            if used { throw IndexError.resourceTypeInUse(name) }
            try await connection.query(
                PostgresQuery(unsafeSQL: "DROP TABLE \(ResourceLayout.quote(stored.historyTableName))"), logger: self.logger)
            try await connection.query(
                PostgresQuery(unsafeSQL: "DROP TABLE \(ResourceLayout.quote(stored.tableName))"), logger: self.logger)
            try await connection.query("DELETE FROM resource_type WHERE name = \(name)", logger: self.logger)
        }
    }

    // MARK: - Rows

    func fetchResourceType(_ connection: PostgresConnection, _ name: String, forUpdate: Bool = false) async throws
        -> StoredResourceType?
    {
        try await rows(
            connection,
            "SELECT name, tablename, attributes, state FROM resource_type WHERE name = \(name)\(unescaped: forUpdate ? " FOR UPDATE" : "")"
        ).first.map(Self.storedResourceType)
    }

    static func storedResourceType(_ row: PostgresRow) throws -> StoredResourceType {
        let (name, tableName, attributes, stateText) = try row.decode((String, String, String, String).self)
        guard let state = ResourceTypeState(rawValue: stateText) else {
            throw IndexError.database("Stored resource type has an invalid state \(stateText)")
        }
        return StoredResourceType(
            type: ResourceType(name: name, attributes: try StoredResourceType.decodeAttributes(attributes), state: state),
            tableName: tableName)
    }

    /// The layout of an active type. - Throws: `resourceTypeNotFound`, `unexpectedResourceTypeState`.
    func activeLayout(_ connection: PostgresConnection, _ name: String) async throws -> ResourceLayout {
        guard let stored = try await fetchResourceType(connection, name) else { throw IndexError.resourceTypeNotFound(name) }
        guard stored.type.state == .active else {
            throw IndexError.unexpectedResourceTypeState(name, expected: "active", state: stored.type.state)
        }
        return ResourceLayout(stored: stored, dialect: .postgresql)
    }

    /// A resource statement as a postgres-nio query.
    static func query(_ statement: ResourceStatement) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: statement.arguments.count)
        for argument in statement.arguments { argument.append(to: &bindings) }
        return PostgresQuery(unsafeSQL: statement.sql, binds: bindings)
    }
}
