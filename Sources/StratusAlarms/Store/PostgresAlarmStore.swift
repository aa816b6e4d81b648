import Foundation
import Logging
import PostgresNIO
import StratusCore
import StratusIndex

/// The alarm store on PostgreSQL (postgres-nio), in the index's database: its own tables, migrations recorded
/// in the index's `stratus_migrations`.
public final class PostgresAlarmStore: AlarmDatabase {
    let client: PostgresClient
    let logger: Logger
    private let runTask: Task<Void, Never>

    /// Connects to the database of a `postgresql://` URL (see `PostgresURL`); connections open lazily.
    /// - Parameter connections: the most connections the pool opens (`maximumPostgresConnections`).
    /// - Throws: `AlarmStoreError.invalidURL`.
    public init(
        url: String, connections: AlarmStoreConnections = .standard, logger: Logger = Logger(label: "stratus.alarms")
    ) throws {
        let parsed: PostgresURL
        do { parsed = try PostgresURL(url) } catch { throw AlarmStoreError(.invalidURL, error.message) }
        var configuration = parsed.configuration
        if let maximum = connections.maximumPostgresConnections {
            configuration.options.maximumConnections = maximum
            configuration.options.minimumConnections = min(configuration.options.minimumConnections, maximum)
        }
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        // The store owns the pool's task until close().
        self.runTask = PostgresPoolTask.start(client)
    }

    public func close() async throws {
        runTask.cancel()
        await runTask.value
    }

    /// Key of the advisory lock serializing concurrent alarm upgrades ("ALARMS" in ASCII).
    static let migrationLockKey: Int64 = 0x41_4C41_524D_53

    public func upgrade() async throws {
        try await transaction { connection in
            _ = try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLockKey))", logger: self.logger)
                .collect()
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS stratus_migrations (
                    name TEXT NOT NULL PRIMARY KEY,
                    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """, logger: self.logger)
            let done = Set(try await connection.query(
                "SELECT name FROM stratus_migrations WHERE name LIKE 'alarms-%'", logger: self.logger
            ).collect().map { try $0.decode(String.self) })
            let migrations = [
                ("alarms-v1", AlarmSchema.statements(.postgresql)),
                ("alarms-v2-quotas", AlarmSchema.quotaStatements(.postgresql)),
            ]
            for (name, statements) in migrations where !done.contains(name) {
                for statement in statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                }
                try await connection.query("INSERT INTO stratus_migrations (name) VALUES (\(name))", logger: self.logger)
                self.logger.info("PostgreSQL alarm tables migrated", metadata: ["alarms.migration": "\(name)"])
            }
        }
    }

    // MARK: - Evaluator

    public func alarm(_ id: UUID) async throws -> Alarm? {
        try await withConnection { connection in try await self.fetchAlarm(connection, id.uuidString.lowercased()) }
    }

    public func alarms(ids: [UUID]) async throws -> [Alarm] {
        guard !ids.isEmpty else { return [] }
        let keys = Array(Set(ids.map { $0.uuidString.lowercased() }))
        return try await withConnection { connection in
            try await self.rows(
                connection,
                "SELECT \(unescaped: AlarmSQL.alarmColumns) FROM alarm WHERE alarm_id = ANY(\(keys)) ORDER BY seq"
            ).map(Self.alarm)
        }
    }

    public func dueAlarms(now: Date, interval: Duration, after cursor: DueAlarmCursor?, limit: Int) async throws
        -> DueAlarmPage
    {
        let threshold = AlarmTimestamp.microseconds(now) - SQLiteAlarmStore.microseconds(interval) / 2
        let limit = max(1, limit)
        let after = cursor?.seq ?? Int64.min
        return try await withConnection { connection in
            let rows = try await self.rows(
                connection,
                """
                SELECT seq, \(unescaped: AlarmSQL.alarmColumns) FROM alarm
                WHERE enabled AND (evaluate_timestamp IS NULL OR evaluate_timestamp < \(threshold)) AND seq > \(after)
                ORDER BY seq LIMIT \(limit)
                """)
            var alarms: [Alarm] = []
            alarms.reserveCapacity(rows.count)
            var lastSeq: Int64?
            for row in rows {
                let cells = Array(row)
                lastSeq = try cells[0].decode(Int64.self)
                // One bad row must not stop the evaluation of every other alarm.
                do { alarms.append(try Self.alarm(cells.dropFirst())) } catch {
                    self.logger.error("Skipping a stored alarm that cannot be read", metadata: ["error": "\(error)"])
                }
            }
            return DueAlarmPage(alarms: alarms, rows: rows.count, lastSeq: lastSeq, limit: limit)
        }
    }

    public func claim(_ id: UUID, expected: Date?, now: Date) async throws -> Bool {
        let expectedMicros = expected.map(AlarmTimestamp.microseconds)
        let nowMicros = AlarmTimestamp.microseconds(now)
        return try await withConnection { connection in
            let rows = try await self.rows(
                connection,
                """
                UPDATE alarm SET evaluate_timestamp = \(nowMicros)
                WHERE alarm_id = \(id.uuidString.lowercased()) AND evaluate_timestamp IS NOT DISTINCT FROM \(expectedMicros)
                RETURNING seq
                """)
            return !rows.isEmpty
        }
    }

    public func recordEvaluation(
        _ id: UUID, state: AlarmState, reason: String, reasonData: TelemetryValue, at date: Date
    ) async throws {
        let key = id.uuidString.lowercased()
        try await transaction { connection in
            guard let row = try await self.rows(
                connection, "SELECT state, project_id, severity FROM alarm WHERE alarm_id = \(key) FOR UPDATE"
            ).first else { return }
            let (previous, project, severity) = try row.decode((String, String?, String).self)
            if previous == state.rawValue {
                try await connection.query(
                    "UPDATE alarm SET state_reason = \(reason) WHERE alarm_id = \(key)", logger: self.logger)
                return
            }
            try await connection.query(
                """
                UPDATE alarm SET state = \(state.rawValue), state_reason = \(reason),
                    state_timestamp = \(AlarmTimestamp.microseconds(date)) WHERE alarm_id = \(key)
                """, logger: self.logger)
            try await self.insert(
                connection,
                .evaluation(alarmID: id, state: state, reason: reason, onBehalfOf: project, severity: severity, at: date))
        }
    }

    // MARK: - API

    public func createAlarm(_ alarm: Alarm, change: AlarmChange) async throws {
        let stored = StoredAlarm(alarm)
        try await transaction { connection in
            var statement = AlarmSQLStatement(.postgresql)
            let placeholders = stored.values.map { statement.bind($0) }.joined(separator: ", ")
            statement.append("INSERT INTO alarm (\(AlarmSQL.alarmColumns)) VALUES (\(placeholders)) ON CONFLICT DO NOTHING RETURNING seq")
            if try await self.rows(connection, Self.query(statement)).isEmpty {
                throw AlarmStoreError(.alreadyExists, "Alarm \(stored.id) already exists")
            }
            try await self.insert(connection, change)
        }
    }

    public func updateAlarm(_ alarm: Alarm, change: AlarmChange?) async throws {
        let stored = StoredAlarm(alarm)
        try await transaction { connection in
            var statement = AlarmSQLStatement(.postgresql, AlarmSchema.updateSQL(.postgresql) + " RETURNING seq")
            statement.values = AlarmSchema.updateValues(stored)
            if try await self.rows(connection, Self.query(statement)).isEmpty { throw AlarmStoreError.notFound(alarm.id) }
            if let change { try await self.insert(connection, change) }
        }
    }

    public func deleteAlarm(_ id: UUID, change: AlarmChange) async throws {
        try await transaction { connection in
            let rows = try await self.rows(
                connection, "DELETE FROM alarm WHERE alarm_id = \(id.uuidString.lowercased()) RETURNING seq")
            if rows.isEmpty { throw AlarmStoreError.notFound(id) }
            try await self.insert(connection, change)
        }
    }

    public func listAlarms(_ query: AlarmQuery) async throws -> [Alarm] {
        try await withConnection { connection in
            let statement = try await self.listStatement(connection, query, table: AlarmSQL.alarms, columns: AlarmSQL.alarmColumns)
            return try await self.rows(connection, Self.query(statement)).map(Self.alarm)
        }
    }

    public func history(_ query: AlarmQuery) async throws -> [AlarmChange] {
        try await withConnection { connection in
            let statement = try await self.listStatement(
                connection, query, table: AlarmSQL.history, columns: AlarmSQL.historyColumns)
            return try await self.rows(connection, Self.query(statement)).map { row in
                let (event, alarm, type, detail, project, user, onBehalfOf, timestamp, severity) = try row.decode(
                    (String, String, String, String, String?, String?, String?, Int64, String?).self)
                return try AlarmChange.decode(
                    eventID: event, alarmID: alarm, type: type, detail: detail, projectID: project, userID: user,
                    onBehalfOf: onBehalfOf, timestamp: timestamp, severity: severity)
            }
        }
    }

    public func countAlarms(projectID: String?, userID: String?) async throws -> Int {
        try await withConnection { connection in
            var statement = AlarmSQLStatement(.postgresql, "SELECT COUNT(*) FROM alarm WHERE 1 = 1")
            if let projectID { statement.append(" AND project_id = " + statement.bind(.text(projectID))) }
            if let userID { statement.append(" AND user_id = " + statement.bind(.text(userID))) }
            guard let row = try await self.rows(connection, Self.query(statement)).first else { return 0 }
            return Int(try row.decode(Int64.self))
        }
    }

    public func quotas(projectID: String) async throws -> [String: Int] {
        try await withConnection { connection in
            var quotas: [String: Int] = [:]
            for row in try await self.rows(
                connection, "SELECT resource, \"limit\" FROM alarm_quota WHERE project_id = \(projectID)") {
                let (resource, limit) = try row.decode((String, Int64).self)
                quotas[resource] = Int(limit)
            }
            return quotas
        }
    }

    public func setQuotas(projectID: String, _ quotas: [String: Int]) async throws {
        try await transaction { connection in
            for (resource, limit) in quotas {
                try await connection.query(
                    """
                    INSERT INTO alarm_quota (project_id, resource, "limit") VALUES (\(projectID), \(resource), \(Int64(limit)))
                    ON CONFLICT (project_id, resource) DO UPDATE SET "limit" = excluded."limit"
                    """, logger: self.logger)
            }
        }
    }

    public func deleteQuotas(projectID: String) async throws {
        try await withConnection { connection in
            try await connection.query("DELETE FROM alarm_quota WHERE project_id = \(projectID)", logger: self.logger)
        }
    }

    // MARK: - Helpers

    func listStatement(_ connection: PostgresConnection, _ query: AlarmQuery, table: AlarmSQL.Table, columns: String)
        async throws -> AlarmSQLStatement
    {
        let keys = try AlarmSQL.sortKeys(query, table: table)
        var markerValues: [AlarmSQLValue]?
        if let marker = query.marker {
            let statement = AlarmSQL.markerStatement(keys, table: table, marker: marker, dialect: .postgresql)
            guard let row = try await rows(connection, Self.query(statement)).first else {
                throw AlarmStoreError.invalidMarker(marker)
            }
            var values: [AlarmSQLValue] = []
            for (index, cell) in row.enumerated() {
                values.append(keys[index].isText ? .text(try cell.decode(String.self)) : .integer(try cell.decode(Int64.self)))
            }
            markerValues = values
        }
        return try AlarmSQL.list(
            query, table: table, columns: columns, keys: keys, markerValues: markerValues, dialect: .postgresql)
    }

    func insert(_ connection: PostgresConnection, _ change: AlarmChange) async throws {
        var statement = AlarmSQLStatement(.postgresql)
        let placeholders = change.values.map { statement.bind($0) }.joined(separator: ", ")
        statement.append("INSERT INTO alarm_history (\(AlarmSQL.historyColumns)) VALUES (\(placeholders))")
        try await connection.query(Self.query(statement), logger: logger)
    }

    func fetchAlarm(_ connection: PostgresConnection, _ id: String) async throws -> Alarm? {
        try await rows(connection, "SELECT \(unescaped: AlarmSQL.alarmColumns) FROM alarm WHERE alarm_id = \(id)")
            .first.map(Self.alarm)
    }

    static func alarm(_ row: PostgresRow) throws -> Alarm {
        try alarm(Array(row)[...])
    }

    /// The alarm of the cells of a row holding `AlarmSQL.alarmColumns`, in order (a slice: columns may precede them).
    static func alarm(_ row: ArraySlice<PostgresCell>) throws -> Alarm {
        let cells = Array(row)
        func text(_ index: Int) throws -> String { try cells[index].decode(String.self) }
        func optionalText(_ index: Int) throws -> String? { try cells[index].decode(String?.self) }
        return try StoredAlarm(
            id: text(0), name: text(1), description: text(2), type: text(3), enabled: cells[4].decode(Bool.self),
            severity: text(5), state: text(6), stateReason: text(7), stateTimestamp: cells[8].decode(Int64.self),
            timestamp: cells[9].decode(Int64.self), evaluateTimestamp: cells[10].decode(Int64?.self),
            projectID: optionalText(11), userID: optionalText(12), repeatActions: cells[13].decode(Bool.self),
            okActions: text(14), alarmActions: text(15), insufficientDataActions: text(16), timeConstraints: text(17),
            rule: text(18)
        ).alarm()
    }

    static func query(_ statement: AlarmSQLStatement) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: statement.values.count)
        for value in statement.values {
            switch value {
            case .text(let text): bindings.append(text)
            case .integer(let integer): bindings.append(integer)
            case .bool(let flag): bindings.append(flag)
            case .null: bindings.appendNull()
            }
        }
        return PostgresQuery(unsafeSQL: statement.sql, binds: bindings)
    }

    func rows(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> [PostgresRow] {
        try await connection.query(query, logger: logger).collect()
    }

    func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in try await body(connection) }
        } catch {
            throw mapError(error)
        }
    }

    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
            } catch {
                let underlying = PostgresErrors.unwrap(error)
                if PostgresErrors.isRetryable(underlying), attempt < 3 {
                    attempt += 1
                    continue
                }
                throw mapError(underlying)
            }
        }
    }

    /// Store errors pass through; anything else becomes `AlarmStoreError.database` with the server's message.
    func mapError(_ error: any Error) -> AlarmStoreError {
        let error = PostgresErrors.unwrap(error)
        if let storeError = error as? AlarmStoreError { return storeError }
        let message = PostgresErrors.message(error)
        logger.debug("PostgreSQL alarm store error", metadata: ["alarms.error": "\(message)"])
        return AlarmStoreError(.database, message)
    }
}
