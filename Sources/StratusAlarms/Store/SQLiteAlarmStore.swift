import Foundation
import GRDB
import Logging
import StratusCore

/// The alarm store on SQLite (GRDB), in the index's file: its own tables and named migrations.
public final class SQLiteAlarmStore: AlarmDatabase {
    let writer: any DatabaseWriter
    let logger: Logger

    /// Opens (creating if needed) the SQLite file at `path`, the index's.
    /// - Parameter connections: how many readers the pool keeps and how much each connection caches.
    /// - Throws: `AlarmStoreError.database` when the file cannot be opened.
    public init(
        path: String, connections: AlarmStoreConnections = .standard, logger: Logger = Logger(label: "stratus.alarms")
    ) throws {
        do {
            self.writer = try DatabasePool(path: path, configuration: Self.configuration(connections))
        } catch {
            throw AlarmStoreError(.database, "Cannot open SQLite alarm store at \(path): \(error)")
        }
        self.logger = logger
    }

    /// A store in memory, private to the returned instance (for tests); already upgraded.
    /// - Throws: `AlarmStoreError.database`.
    public static func inMemory(logger: Logger = Logger(label: "stratus.alarms")) async throws -> SQLiteAlarmStore {
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(configuration: configuration())
        } catch {
            throw AlarmStoreError(.database, "Cannot open in-memory SQLite alarm store: \(error)")
        }
        let store = SQLiteAlarmStore(writer: queue, logger: logger)
        try await store.upgrade()
        return store
    }

    private init(writer: any DatabaseWriter, logger: Logger) {
        self.writer = writer
        self.logger = logger
    }

    private static func configuration(_ connections: AlarmStoreConnections = .standard) -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)  // the index (api, metricd) shares the file and its write lock
        configuration.label = "StratusAlarms"
        if let readers = connections.maximumSQLiteReaders { configuration.maximumReaderCount = readers }
        if let kibibytes = connections.sqliteCacheKiB {
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -\(kibibytes)") }
        }
        return configuration
    }

    /// The alarm tables, as named migrations (they share `grdb_migrations` with the index's, under other names).
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("alarms-v1") { db in
            for statement in AlarmSchema.statements(.sqlite) { try db.execute(sql: statement) }
        }
        migrator.registerMigration("alarms-v2-quotas") { db in
            for statement in AlarmSchema.quotaStatements(.sqlite) { try db.execute(sql: statement) }
        }
        return migrator
    }()

    public func upgrade() async throws {
        let migrator = Self.migrator
        try await wrap {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                migrator.asyncMigrate(writer) { result in continuation.resume(with: result.map { _ in () }) }
            }
        }
    }

    public func close() async throws {
        if let pool = writer as? DatabasePool { try await wrap { try pool.close() } }
    }

    // MARK: - Evaluator

    public func alarm(_ id: UUID) async throws -> Alarm? {
        try await read { db in try Self.fetchAlarm(db, id.uuidString.lowercased()) }
    }

    public func alarms(ids: [UUID]) async throws -> [Alarm] {
        guard !ids.isEmpty else { return [] }
        let keys = Array(Set(ids.map { $0.uuidString.lowercased() }))
        return try await read { db in
            var found: [(Int64, Alarm)] = []
            for start in stride(from: 0, to: keys.count, by: 500) {
                let chunk = Array(keys[start..<min(start + 500, keys.count)])
                let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                let rows = try Row.fetchAll(
                    db, sql: "SELECT seq, \(AlarmSQL.alarmColumns) FROM alarm WHERE alarm_id IN (\(placeholders))",
                    arguments: StatementArguments(chunk))
                for row in rows { found.append((row[0], try Self.alarm(row, offset: 1))) }
            }
            return found.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    public func dueAlarms(now: Date, interval: Duration, after cursor: DueAlarmCursor?, limit: Int) async throws
        -> DueAlarmPage
    {
        let threshold = AlarmTimestamp.microseconds(now) - Self.microseconds(interval) / 2
        let limit = max(1, limit)
        let logger = self.logger
        return try await read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT seq, \(AlarmSQL.alarmColumns) FROM alarm
                    WHERE enabled AND (evaluate_timestamp IS NULL OR evaluate_timestamp < ?) AND seq > ?
                    ORDER BY seq LIMIT ?
                    """,
                arguments: [threshold, cursor?.seq ?? Int64.min, limit])
            return DueAlarmPage(
                alarms: rows.compactMap { row in Self.decodable(row, offset: 1, logger: logger) }, rows: rows.count,
                lastSeq: rows.last.map { $0[0] }, limit: limit)
        }
    }

    public func claim(_ id: UUID, expected: Date?, now: Date) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE alarm SET evaluate_timestamp = ? WHERE alarm_id = ? AND evaluate_timestamp IS ?",
                arguments: [
                    AlarmTimestamp.microseconds(now), id.uuidString.lowercased(), expected.map(AlarmTimestamp.microseconds),
                ])
            return db.changesCount > 0
        }
    }

    public func recordEvaluation(
        _ id: UUID, state: AlarmState, reason: String, reasonData: TelemetryValue, at date: Date
    ) async throws {
        try await write { db in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT state, project_id, severity FROM alarm WHERE alarm_id = ?",
                arguments: [id.uuidString.lowercased()]) else { return }
            let previous: String = row[0]
            if previous == state.rawValue {
                try db.execute(
                    sql: "UPDATE alarm SET state_reason = ? WHERE alarm_id = ?", arguments: [reason, id.uuidString.lowercased()])
                return
            }
            try db.execute(
                sql: "UPDATE alarm SET state = ?, state_reason = ?, state_timestamp = ? WHERE alarm_id = ?",
                arguments: [state.rawValue, reason, AlarmTimestamp.microseconds(date), id.uuidString.lowercased()])
            try Self.insert(
                db,
                .evaluation(alarmID: id, state: state, reason: reason, onBehalfOf: row[1], severity: row[2], at: date))
        }
    }

    // MARK: - API

    public func createAlarm(_ alarm: Alarm, change: AlarmChange) async throws {
        let stored = StoredAlarm(alarm)
        try await write { db in
            if try Self.fetchAlarm(db, stored.id) != nil {
                throw AlarmStoreError(.alreadyExists, "Alarm \(stored.id) already exists")
            }
            try db.execute(
                sql: "INSERT INTO alarm (\(AlarmSQL.alarmColumns)) VALUES (\(Self.placeholders(stored.values.count)))",
                arguments: Self.arguments(stored.values))
            try Self.insert(db, change)
        }
    }

    public func updateAlarm(_ alarm: Alarm, change: AlarmChange?) async throws {
        let stored = StoredAlarm(alarm)
        try await write { db in
            try db.execute(sql: AlarmSchema.updateSQL(.sqlite), arguments: Self.arguments(AlarmSchema.updateValues(stored)))
            if db.changesCount == 0 { throw AlarmStoreError.notFound(alarm.id) }
            if let change { try Self.insert(db, change) }
        }
    }

    public func deleteAlarm(_ id: UUID, change: AlarmChange) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM alarm WHERE alarm_id = ?", arguments: [id.uuidString.lowercased()])
            if db.changesCount == 0 { throw AlarmStoreError.notFound(id) }
            try Self.insert(db, change)
        }
    }

    public func listAlarms(_ query: AlarmQuery) async throws -> [Alarm] {
        try await read { db in
            let statement = try Self.listStatement(db, query, table: AlarmSQL.alarms, columns: AlarmSQL.alarmColumns)
            return try Row.fetchAll(db, sql: statement.sql, arguments: Self.arguments(statement.values))
                .map { try Self.alarm($0, offset: 0) }
        }
    }

    public func history(_ query: AlarmQuery) async throws -> [AlarmChange] {
        try await read { db in
            let statement = try Self.listStatement(db, query, table: AlarmSQL.history, columns: AlarmSQL.historyColumns)
            return try Row.fetchAll(db, sql: statement.sql, arguments: Self.arguments(statement.values)).map { row in
                try AlarmChange.decode(
                    eventID: row[0], alarmID: row[1], type: row[2], detail: row[3], projectID: row[4], userID: row[5],
                    onBehalfOf: row[6], timestamp: row[7], severity: row[8])
            }
        }
    }

    public func countAlarms(projectID: String?, userID: String?) async throws -> Int {
        try await read { db in
            var sql = "SELECT COUNT(*) FROM alarm WHERE 1 = 1"
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let projectID {
                sql += " AND project_id = ?"
                arguments.append(projectID)
            }
            if let userID {
                sql += " AND user_id = ?"
                arguments.append(userID)
            }
            return try Int.fetchOne(db, sql: sql, arguments: StatementArguments(arguments)) ?? 0
        }
    }

    public func quotas(projectID: String) async throws -> [String: Int] {
        try await read { db in
            var quotas: [String: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT resource, \"limit\" FROM alarm_quota WHERE project_id = ?", arguments: [projectID]) {
                quotas[row[0]] = row[1]
            }
            return quotas
        }
    }

    public func setQuotas(projectID: String, _ quotas: [String: Int]) async throws {
        try await write { db in
            for (resource, limit) in quotas {
                try db.execute(
                    sql: """
                        INSERT INTO alarm_quota (project_id, resource, "limit") VALUES (?, ?, ?)
                        ON CONFLICT (project_id, resource) DO UPDATE SET "limit" = excluded."limit"
                        """,
                    arguments: [projectID, resource, limit])
            }
        }
    }

    public func deleteQuotas(projectID: String) async throws {
        try await write { db in try db.execute(sql: "DELETE FROM alarm_quota WHERE project_id = ?", arguments: [projectID]) }
    }

    // MARK: - Helpers

    static func listStatement(_ db: Database, _ query: AlarmQuery, table: AlarmSQL.Table, columns: String) throws
        -> AlarmSQLStatement
    {
        let keys = try AlarmSQL.sortKeys(query, table: table)
        var markerValues: [AlarmSQLValue]?
        if let marker = query.marker {
            let statement = AlarmSQL.markerStatement(keys, table: table, marker: marker, dialect: .sqlite)
            guard let row = try Row.fetchOne(db, sql: statement.sql, arguments: arguments(statement.values)) else {
                throw AlarmStoreError.invalidMarker(marker)
            }
            markerValues = keys.indices.map { index in
                keys[index].isText ? .text(row[index]) : .integer(row[index])
            }
        }
        return try AlarmSQL.list(query, table: table, columns: columns, keys: keys, markerValues: markerValues, dialect: .sqlite)
    }

    static func insert(_ db: Database, _ change: AlarmChange) throws {
        let values = change.values
        try db.execute(
            sql: "INSERT INTO alarm_history (\(AlarmSQL.historyColumns)) VALUES (\(placeholders(values.count)))",
            arguments: arguments(values))
    }

    static func fetchAlarm(_ db: Database, _ id: String) throws -> Alarm? {
        try Row.fetchOne(db, sql: "SELECT \(AlarmSQL.alarmColumns) FROM alarm WHERE alarm_id = ?", arguments: [id])
            .map { try alarm($0, offset: 0) }
    }

    static func alarm(_ row: Row, offset o: Int) throws -> Alarm {
        try StoredAlarm(
            id: row[o], name: row[o + 1], description: row[o + 2], type: row[o + 3], enabled: row[o + 4],
            severity: row[o + 5], state: row[o + 6], stateReason: row[o + 7], stateTimestamp: row[o + 8],
            timestamp: row[o + 9], evaluateTimestamp: row[o + 10], projectID: row[o + 11], userID: row[o + 12],
            repeatActions: row[o + 13], okActions: row[o + 14], alarmActions: row[o + 15],
            insufficientDataActions: row[o + 16], timeConstraints: row[o + 17], rule: row[o + 18]
        ).alarm()
    }

    /// The alarm of a row, or nil (logged) when the row does not hold a valid one: one bad row must not stop the
    /// evaluation of every other alarm.
    static func decodable(_ row: Row, offset: Int, logger: Logger) -> Alarm? {
        do {
            return try alarm(row, offset: offset)
        } catch {
            logger.error("Skipping a stored alarm that cannot be read", metadata: ["error": "\(error)"])
            return nil
        }
    }

    static func placeholders(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ", ") }

    static func arguments(_ values: [AlarmSQLValue]) -> StatementArguments {
        StatementArguments(values.map { value -> (any DatabaseValueConvertible)? in
            switch value {
            case .text(let text): text
            case .integer(let integer): integer
            case .bool(let flag): flag
            case .null: nil
            }
        })
    }

    static func microseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }

    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await wrap { try await writer.read(body) }
    }

    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await wrap { try await writer.write(body) }
    }

    /// Store errors pass through; anything else becomes `AlarmStoreError.database`.
    private func wrap<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as AlarmStoreError {
            throw error
        } catch {
            logger.debug("SQLite alarm store error", metadata: ["alarms.error": "\(error)"])
            throw AlarmStoreError(.database, "SQLite error: \(error)")
        }
    }
}
