import Foundation
import StratusIndex
import StratusTesting
import Testing

/// The conformance suite against PostgreSQL, each check in its own database; runs only when
/// `STRATUS_TEST_POSTGRES_URL` is set (`scripts/test-postgres.sh start` prints one).
@Suite(.enabled(if: IndexConformance.postgresURL != nil, "STRATUS_TEST_POSTGRES_URL is not set"))
struct PostgresIndexerTests {
    @Test(arguments: IndexConformance.checks)
    func conforms(_ check: IndexConformance.Check) async throws {
        try await IndexConformance.withTemporaryPostgresDatabase { url in
            let indexer = try PostgresIndexer(url: url)
            try await indexer.upgrade()
            try await runThenClose(indexer) { try await check.run(indexer) }
        }
    }

    @Test func concurrentUpgradesApplyEachMigrationOnce() async throws {
        try await IndexConformance.withTemporaryPostgresDatabase { url in
            let indexers = try (0..<4).map { _ in try PostgresIndexer(url: url) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for indexer in indexers { group.addTask { try await indexer.upgrade() } }
                try await group.waitForAll()
            }
            try await IndexConformance().seedDefaults(indexers[0])
            try await IndexConformance().expectDefaultsSeeded(indexers[3])
            for indexer in indexers { try await indexer.close() }
        }
    }

    @Test func factoryOpensPostgresURLs() async throws {
        try await IndexConformance.withTemporaryPostgresDatabase { url in
            let indexer = try makeIndexer(url: url)
            #expect(indexer is PostgresIndexer)
            try await runThenClose(indexer) {
                try await indexer.upgrade()
                #expect(try await indexer.hasArchivePoliciesOrRules() == false)
            }
        }
    }
}
