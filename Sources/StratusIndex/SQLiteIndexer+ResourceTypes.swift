import Foundation
import GRDB
import StratusCore

/// Resource types on SQLite: one `resource_type` row per type, and its two tables created, altered and dropped
/// in the same transaction (SQLite's DDL is transactional, so a type is never left half-made).
extension SQLiteIndexer {
    static let resourceSchema = """
        CREATE TABLE resource_type (
            name TEXT NOT NULL PRIMARY KEY,
            tablename TEXT NOT NULL UNIQUE,
            attributes TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'creating',
            updated_at INTEGER NOT NULL
        );
        CREATE TABLE resource (
            id TEXT NOT NULL PRIMARY KEY,
            type TEXT NOT NULL REFERENCES resource_type (name) ON DELETE RESTRICT,
            creator TEXT,
            started_at INTEGER NOT NULL,
            revision_start INTEGER NOT NULL,
            ended_at INTEGER,
            user_id TEXT,
            project_id TEXT,
            original_resource_id TEXT NOT NULL,
            CONSTRAINT ck_resource_started_before_ended CHECK (started_at <= ended_at)
        );
        CREATE INDEX ix_resource_type ON resource (type);
        CREATE INDEX ix_resource_original_resource_id ON resource (original_resource_id);
        CREATE INDEX ix_resource_project_id ON resource (project_id);
        CREATE INDEX ix_resource_default_order ON resource (revision_start, started_at, id);
        CREATE TABLE resource_history (
            revision INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL REFERENCES resource (id) ON DELETE CASCADE,
            type TEXT NOT NULL REFERENCES resource_type (name) ON DELETE RESTRICT,
            creator TEXT,
            started_at INTEGER NOT NULL,
            revision_start INTEGER NOT NULL,
            ended_at INTEGER,
            user_id TEXT,
            project_id TEXT,
            original_resource_id TEXT NOT NULL,
            revision_end INTEGER NOT NULL,
            CONSTRAINT ck_resource_history_started_before_ended CHECK (started_at <= ended_at)
        );
        CREATE INDEX ix_resource_history_id ON resource_history (id);
        CREATE INDEX ix_resource_history_type ON resource_history (type);
        CREATE INDEX ix_metric_resource_id_status ON metric (resource_id, status);
        INSERT INTO resource_type (name, tablename, attributes, state, updated_at)
            VALUES ('generic', 'generic', '{}', 'active', CAST(strftime('%s', 'now') AS INTEGER) * 1000000000);
        """

    public func createResourceType(_ type: ResourceType) async throws -> ResourceType {
        try type.validateColumnNames()
        let stored = StoredResourceType(
            type: ResourceType(name: type.name, attributes: type.attributes, state: .active),
            tableName: StoredResourceType.newTableName())
        return try await write { db in
            if try Self.fetchResourceType(db, type.name) != nil { throw IndexError.resourceTypeAlreadyExists(type.name) }
            try db.execute(
                sql: "INSERT INTO resource_type (name, tablename, attributes, state, updated_at) VALUES (?, ?, ?, 'active', ?)",
                arguments: [
                    stored.type.name, stored.tableName, StoredResourceType.encodeAttributes(stored.type.attributes),
                    Timestamps.now(),
                ])
            for statement in ResourceLayout.createTables(stored, dialect: .sqlite) {
                try db.execute(sql: statement)
            }
            return stored.type
        }
    }

    public func resourceType(named name: String) async throws -> ResourceType? {
        try await read { db in try Self.fetchResourceType(db, name)?.type }
    }

    public func resourceTypes() async throws -> [ResourceType] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT name, tablename, attributes, state FROM resource_type ORDER BY name")
                .map { try Self.storedResourceType($0).type }
        }
    }

    public func updateResourceType(named name: String, _ update: ResourceTypeUpdate) async throws -> ResourceType {
        try await write { db in
            guard var stored = try Self.fetchResourceType(db, name) else { throw IndexError.resourceTypeNotFound(name) }
            guard !update.isEmpty else { return stored.type }
            guard stored.hasTables else {
                throw IndexError(.invalidResourceTypeUpdate, "Resource type \(name) cannot be modified", detail: name)
            }
            guard stored.type.state == .active else {
                throw IndexError.unexpectedResourceTypeState(name, expected: "active", state: stored.type.state)
            }
            let next = try ResourceTypeChange.apply(update, to: stored.type)
            for table in [stored.tableName, stored.historyTableName] {
                for statement in ResourceTypeChange.statements(update, table: table, dialect: .sqlite) {
                    try db.execute(sql: statement.sql, arguments: StatementArguments(statement.arguments.map(\.sqliteValue)))
                }
            }
            stored.type = next
            try db.execute(
                sql: "UPDATE resource_type SET attributes = ?, updated_at = ? WHERE name = ?",
                arguments: [StoredResourceType.encodeAttributes(next.attributes), Timestamps.now(), name])
            return next
        }
    }

    public func deleteResourceType(named name: String) async throws {
        try await write { db in
            guard let stored = try Self.fetchResourceType(db, name) else { throw IndexError.resourceTypeNotFound(name) }
            guard stored.hasTables else { throw IndexError.resourceTypeInUse(name) }
            let used = try Bool.fetchOne(
                db,
                sql: """
                    SELECT EXISTS (SELECT 1 FROM resource WHERE type = ?1)
                        OR EXISTS (SELECT 1 FROM resource_history WHERE type = ?1)
                    """,
                arguments: [name]) ?? false
            if used { throw IndexError.resourceTypeInUse(name) }
            try db.execute(sql: "DROP TABLE \(ResourceLayout.quote(stored.historyTableName))")
            try db.execute(sql: "DROP TABLE \(ResourceLayout.quote(stored.tableName))")
            try db.execute(sql: "DELETE FROM resource_type WHERE name = ?", arguments: [name])
        }
    }

    // MARK: - Rows

    static func fetchResourceType(_ db: Database, _ name: String) throws -> StoredResourceType? {
        try Row.fetchOne(
            db, sql: "SELECT name, tablename, attributes, state FROM resource_type WHERE name = ?", arguments: [name]
        ).map(storedResourceType)
    }

    static func storedResourceType(_ row: Row) throws -> StoredResourceType {
        let stateText: String = row["state"]
        guard let state = ResourceTypeState(rawValue: stateText) else {
            throw IndexError.database("Stored resource type has an invalid state \(stateText)")
        }
        return StoredResourceType(
            type: ResourceType(
                name: row["name"], attributes: try StoredResourceType.decodeAttributes(row["attributes"]), state: state),
            tableName: row["tablename"])
    }

    /// The layout of an active type. - Throws: `resourceTypeNotFound`, `unexpectedResourceTypeState`.
    static func activeLayout(_ db: Database, _ name: String) throws -> ResourceLayout {
        guard let stored = try fetchResourceType(db, name) else { throw IndexError.resourceTypeNotFound(name) }
        guard stored.type.state == .active else {
            throw IndexError.unexpectedResourceTypeState(name, expected: "active", state: stored.type.state)
        }
        return ResourceLayout(stored: stored, dialect: .sqlite)
    }
}
