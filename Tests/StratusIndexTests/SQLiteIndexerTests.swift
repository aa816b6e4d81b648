import Foundation
import StratusIndex
import StratusTesting
import Testing

/// The conformance suite against SQLite: a pool on a temporary file, and an in-memory queue.
@Suite struct SQLiteIndexerTests {
    @Test(arguments: IndexConformance.checks)
    func conformsOnFile(_ check: IndexConformance.Check) async throws {
        try await TemporaryDirectory.with(prefix: "stratus-index") { directory in
            let indexer = try SQLiteIndexer(path: directory.appending("index.db").path)
            try await indexer.upgrade()
            try await runThenClose(indexer) { try await check.run(indexer) }
        }
    }

    @Test(arguments: IndexConformance.checks)
    func conformsInMemory(_ check: IndexConformance.Check) async throws {
        let indexer = try SQLiteIndexer.inMemory()
        try await indexer.upgrade()
        try await runThenClose(indexer) { try await check.run(indexer) }
    }

    @Test func migrationsAreIdempotentAcrossReopen() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-index") { directory in
            let path = directory.appending("index.db").path
            let first = try SQLiteIndexer(path: path)
            try await first.upgrade()
            try await IndexConformance().seedDefaults(first)
            try await first.close()

            let second = try SQLiteIndexer(path: path)
            try await second.upgrade()
            try await second.upgrade()
            try await IndexConformance().expectDefaultsSeeded(second)
            try await second.close()
        }
    }

    @Test func factoryOpensSQLiteURLs() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-index") { directory in
            let file = try makeIndexer(url: "sqlite://" + directory.appending("factory.db").path)
            #expect(file is SQLiteIndexer)
            try await file.upgrade()
            #expect(try await file.hasArchivePoliciesOrRules() == false)
            try await file.close()
            #expect(FileManager.default.fileExists(atPath: directory.appending("factory.db").path))
        }
        let memory = try makeIndexer(url: "sqlite::memory:")
        #expect(memory is SQLiteIndexer)
        try await memory.close()
    }

    @Test(arguments: ["sqlite://relative.db", "mysql://root@localhost/gnocchi", "", "file:///tmp/x.db"])
    func factoryRejectsOtherURLs(_ url: String) {
        #expect { try makeIndexer(url: url) } throws: { error in
            (error as? IndexError)?.code == .invalidURL
        }
    }
}

/// Runs `body`, then closes the indexer whether or not `body` threw.
func runThenClose(_ indexer: any Indexer, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        try? await indexer.close()
        throw error
    }
    try await indexer.close()
}
