import Foundation
import Logging
import PostgresNIO

extension PostgresIndexer {
    /// One named schema change: statements run in order, in the upgrade's transaction.
    struct Migration: Sendable {
        var name: String
        var statements: [String]
    }

    /// The schema, applied in order by `upgrade()`; never edit a shipped migration, append a new one.
    /// Text columns use the "C" collation so that ordering matches SQLite's (bytewise).
    static let migrations: [Migration] = [
        Migration(name: "v1-archive-policies", statements: [
            // definition: JSON [{"granularity": ns, "points": n|null}]; aggregation_methods: JSON sorted names.
            """
            CREATE TABLE archive_policy (
                name TEXT COLLATE "C" NOT NULL PRIMARY KEY,
                back_window INTEGER NOT NULL,
                definition TEXT NOT NULL,
                aggregation_methods TEXT NOT NULL
            )
            """,
        ]),
        Migration(name: "v1-archive-policy-rules", statements: [
            """
            CREATE TABLE archive_policy_rule (
                name TEXT COLLATE "C" NOT NULL PRIMARY KEY,
                metric_pattern TEXT COLLATE "C" NOT NULL,
                archive_policy_name TEXT COLLATE "C" NOT NULL
                    CONSTRAINT fk_apr_ap_name_ap_name REFERENCES archive_policy (name) ON DELETE RESTRICT
            )
            """,
            "CREATE INDEX ix_archive_policy_rule_archive_policy_name ON archive_policy_rule (archive_policy_name)",
        ]),
        Migration(name: "v1-metrics", statements: [
            // last_measure_timestamp: ns since the epoch.
            """
            CREATE TABLE metric (
                id UUID NOT NULL PRIMARY KEY,
                name TEXT COLLATE "C",
                unit TEXT COLLATE "C",
                archive_policy_name TEXT COLLATE "C" NOT NULL
                    CONSTRAINT fk_metric_ap_name_ap_name REFERENCES archive_policy (name) ON DELETE RESTRICT,
                creator TEXT COLLATE "C" NOT NULL,
                resource_id UUID,
                status TEXT COLLATE "C" NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'delete')),
                needs_raw_data_truncation BOOLEAN NOT NULL DEFAULT FALSE,
                last_measure_timestamp BIGINT,
                CONSTRAINT uniq_metric0resource_id0name UNIQUE (resource_id, name)
            )
            """,
            "CREATE INDEX ix_metric_status ON metric (status)",
            "CREATE INDEX ix_metric_archive_policy_name ON metric (archive_policy_name)",
        ]),
        // Resource tables as Gnocchi's; each type but `generic` adds rt_<hex> and rt_<hex>_history.
        Migration(name: "v2-resources", statements: PostgresIndexer.resourceSchema),
    ]

    /// Key of the advisory lock that serializes concurrent upgrades ("STRATUS" in ASCII).
    static let migrationLockKey: Int64 = 0x53_5452_4154_5553

    public func upgrade() async throws {
        let applied = try await transaction { connection in
            _ = try await self.rows(connection, "SELECT pg_advisory_xact_lock(\(Self.migrationLockKey))")
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS stratus_migrations (
                    name TEXT NOT NULL PRIMARY KEY,
                    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """, logger: self.logger)
            let done = Set(
                try await self.rows(connection, "SELECT name FROM stratus_migrations").map { try $0.decode(String.self) })
            var applied: [String] = []
            for migration in Self.migrations where !done.contains(migration.name) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                }
                try await connection.query(
                    "INSERT INTO stratus_migrations (name) VALUES (\(migration.name))", logger: self.logger)
                applied.append(migration.name)
            }
            return applied
        }
        if !applied.isEmpty {
            logger.info("PostgreSQL index upgraded", metadata: ["index.migrations": "\(applied.joined(separator: ","))"])
        }
    }
}
