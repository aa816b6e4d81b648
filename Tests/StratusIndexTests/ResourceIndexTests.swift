import Foundation
import StratusIndex
import StratusTesting
import Testing

/// The resource type and resource conformance checks against SQLite (file and memory) and, when
/// `STRATUS_TEST_POSTGRES_URL` is set, PostgreSQL.
@Suite struct SQLiteResourceIndexTests {
    static let checks = IndexConformance.resourceTypeChecks + IndexConformance.resourceChecks

    @Test(arguments: checks)
    func conformsOnFile(_ check: IndexConformance.Check) async throws {
        try await TemporaryDirectory.with(prefix: "stratus-index") { directory in
            let indexer = try SQLiteIndexer(path: directory.appending("index.db").path)
            try await indexer.upgrade()
            try await runThenClose(indexer) { try await check.run(indexer) }
        }
    }

    @Test(arguments: checks)
    func conformsInMemory(_ check: IndexConformance.Check) async throws {
        let indexer = try SQLiteIndexer.inMemory()
        try await indexer.upgrade()
        try await runThenClose(indexer) { try await check.run(indexer) }
    }
}

@Suite(.enabled(if: IndexConformance.postgresURL != nil, "STRATUS_TEST_POSTGRES_URL is not set"))
struct PostgresResourceIndexTests {
    @Test(arguments: SQLiteResourceIndexTests.checks)
    func conforms(_ check: IndexConformance.Check) async throws {
        try await IndexConformance.withTemporaryPostgresDatabase { url in
            let indexer = try PostgresIndexer(url: url)
            try await indexer.upgrade()
            try await runThenClose(indexer) { try await check.run(indexer) }
        }
    }
}
