import GRDB

extension SQLiteIndexer {
    /// The schema, as named migrations applied in order by `upgrade()`; never edit a shipped one, append a new one.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-archive-policies") { db in
            // definition: JSON [{"granularity": ns, "points": n|null}]; aggregation_methods: JSON sorted names.
            try db.execute(
                sql: """
                    CREATE TABLE archive_policy (
                        name TEXT NOT NULL PRIMARY KEY,
                        back_window INTEGER NOT NULL,
                        definition TEXT NOT NULL,
                        aggregation_methods TEXT NOT NULL
                    )
                    """)
        }
        migrator.registerMigration("v1-archive-policy-rules") { db in
            try db.execute(
                sql: """
                    CREATE TABLE archive_policy_rule (
                        name TEXT NOT NULL PRIMARY KEY,
                        metric_pattern TEXT NOT NULL,
                        archive_policy_name TEXT NOT NULL
                            REFERENCES archive_policy (name) ON DELETE RESTRICT
                    )
                    """)
        }
        migrator.registerMigration("v1-metrics") { db in
            // id and resource_id: lowercase UUID text; last_measure_timestamp: ns since the epoch.
            try db.execute(
                sql: """
                    CREATE TABLE metric (
                        id TEXT NOT NULL PRIMARY KEY,
                        name TEXT,
                        unit TEXT,
                        archive_policy_name TEXT NOT NULL
                            REFERENCES archive_policy (name) ON DELETE RESTRICT,
                        creator TEXT NOT NULL,
                        resource_id TEXT,
                        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'delete')),
                        needs_raw_data_truncation BOOLEAN NOT NULL DEFAULT 0,
                        last_measure_timestamp INTEGER,
                        UNIQUE (resource_id, name)
                    );
                    CREATE INDEX ix_metric_status ON metric (status);
                    CREATE INDEX ix_metric_archive_policy_name ON metric (archive_policy_name);
                    CREATE INDEX ix_archive_policy_rule_archive_policy_name ON archive_policy_rule (archive_policy_name);
                    """)
        }
        migrator.registerMigration("v2-resources") { db in
            // Resource tables as Gnocchi's (ids: lowercase UUID text; timestamps: ns since the epoch); each type
            // but `generic` adds rt_<hex> and rt_<hex>_history (see `ResourceLayout.createTables`).
            try db.execute(sql: SQLiteIndexer.resourceSchema)
        }
        return migrator
    }()
}
