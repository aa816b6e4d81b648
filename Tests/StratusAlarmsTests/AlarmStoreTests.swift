import Foundation
@testable import StratusAlarms
import StratusIndex
import StratusTesting
import Testing

/// The alarm store conformance checks on SQLite: in memory, and in the index's file beside the index tables.
@Suite struct SQLiteAlarmStoreTests {
    @Test(arguments: AlarmStoreConformance.checks)
    func conformsInMemory(_ check: AlarmStoreConformance.Check) async throws {
        let store = try await SQLiteAlarmStore.inMemory()
        try await check.run(store)
        try await store.close()
    }

    @Test func sharesTheIndexFile() async throws {
        try await TemporaryDirectory.with { directory in
            let url = "sqlite://" + directory.appending("index.db").path
            let indexer = try makeIndexer(url: url)
            try await indexer.upgrade()
            let store = try await AlarmStores.open(indexerURL: url)
            #expect(store is SQLiteAlarmStore)
            try await store.upgrade()
            try await indexer.upgrade()  // the index's migrator ignores the alarm migration
            try await store.upgrade()
            try await AlarmStoreConformance().dueAlarmsAndClaim(store)
            #expect(try await indexer.hasArchivePoliciesOrRules() == false)
            try await store.close()
            try await indexer.close()
            // Reopened: the alarms are still there.
            let reopened = try await AlarmStores.open(indexerURL: url)
            #expect(try await reopened.listAlarms(AlarmQuery()).count == 4)
            try await reopened.close()
        }
    }

    @Test func dueAlarmsSkipsARowThatCannotBeRead() async throws {
        let store = try await SQLiteAlarmStore.inMemory()
        let good = try AlarmStoreConformance.alarm("good")
        let bad = try AlarmStoreConformance.alarm("bad")
        try await AlarmStoreConformance.create(store, bad)
        try await AlarmStoreConformance.create(store, good)
        try await store.writer.write { db in
            try db.execute(sql: "UPDATE alarm SET rule = '{\"metric\": 1}' WHERE name = 'bad'")
        }
        let due = try await store.dueAlarms(now: AlarmStoreConformance.base.addingTimeInterval(3600), interval: .seconds(60))
        #expect(due.map(\.name) == ["good"])
        await #expect(throws: AlarmStoreError.self) { try await store.alarm(bad.id) }
        try await store.close()
    }

    @Test func factoryRejectsOtherURLs() async throws {
        for url in ["sqlite://relative.db", "mysql://x", "nonsense"] {
            do {
                _ = try await AlarmStores.open(indexerURL: url)
                Issue.record("\(url) must be rejected")
            } catch let error as AlarmStoreError {
                #expect(error.code == .invalidURL)
            }
        }
    }

    @Test func timestampsFormatAsAodh() {
        let date = Date(timeIntervalSince1970: 1_790_000_000.25)
        #expect(AlarmTimestamp.format(date) == "2026-09-21T14:13:20.250000")
        #expect(AlarmTimestamp.format(Date(timeIntervalSince1970: 1_790_000_000)) == "2026-09-21T14:13:20")
        #expect(AlarmTimestamp.parse("2026-09-21T14:13:20.250000") == date)
        #expect(AlarmTimestamp.parse("2026-09-21T16:13:20.25+02:00") == date)
        #expect(AlarmTimestamp.parse("2026-09-21") == Date(timeIntervalSince1970: 1_790_000_000 - 14 * 3600 - 13 * 60 - 20))
        #expect(AlarmTimestamp.parse("2026-02-30") == nil)
        #expect(AlarmTimestamp.parse("yesterday") == nil)
        // The hand-written calendar agrees with Foundation's across leap years and before the epoch.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate]
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        for seconds in stride(from: -3_000_000_000, to: 5_000_000_000, by: 7_777_777) {
            let date = Date(timeIntervalSince1970: Double(seconds))
            #expect(AlarmTimestamp.format(date) == formatter.string(from: date))
            #expect(AlarmTimestamp.parse(AlarmTimestamp.format(date)) == date)
        }
        #expect(AlarmTimestamp.format(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500000")
    }
}

/// The same checks on PostgreSQL, each in a fresh database; only when `STRATUS_TEST_POSTGRES_URL` is set.
@Suite(.enabled(if: IndexConformance.postgresURL != nil, "STRATUS_TEST_POSTGRES_URL is not set"))
struct PostgresAlarmStoreTests {
    @Test(arguments: AlarmStoreConformance.checks)
    func conforms(_ check: AlarmStoreConformance.Check) async throws {
        try await IndexConformance.withTemporaryPostgresDatabase { url in
            let store = try await AlarmStores.open(indexerURL: url)
            #expect(store is PostgresAlarmStore)
            do {
                try await store.upgrade()
                try await check.run(store)
            } catch {
                try await store.close()
                throw error
            }
            try await store.close()
        }
    }

    @Test func sharesTheIndexDatabase() async throws {
        try await IndexConformance.withTemporaryPostgresDatabase { url in
            let indexer = try makeIndexer(url: url)
            let store = try await AlarmStores.open(indexerURL: url)
            try await indexer.upgrade()
            try await store.upgrade()
            try await indexer.upgrade()
            try await store.upgrade()
            try await AlarmStoreConformance().countAlarms(store)
            try await store.close()
            try await indexer.close()
        }
    }
}
