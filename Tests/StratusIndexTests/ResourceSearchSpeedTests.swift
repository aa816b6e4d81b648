import Carbonara
import Foundation
import StratusIndex
import StratusTesting
import Testing

/// How many resources the opt-in measurement loads.
let resourceBenchCount: Int? = ProcessInfo.processInfo.environment["STRATUS_RESOURCE_BENCH"].flatMap(Int.init)

/// Opt-in measurement (`STRATUS_RESOURCE_BENCH=<resources>`): N `instance` resources with 10 attributes and 3
/// metrics each, then 200 equality searches on `host` (indexed) through `listResources`; prints p50/p99.
/// Runs on a SQLite file, and on PostgreSQL when `STRATUS_TEST_POSTGRES_URL` is set.
@Suite(.enabled(if: resourceBenchCount != nil, "STRATUS_RESOURCE_BENCH is not set"), .serialized)
struct ResourceSearchSpeedTests {
    static let count = resourceBenchCount

    static func measure(_ indexer: any Indexer, label: String) async throws {
        let n = Self.count ?? 0
        try await indexer.createArchivePolicy(
            try ArchivePolicy(name: "low", backWindow: 0, definition: [ArchivePolicyItem(granularity: 300_000_000_000, points: 10)]))
        let names = ["host", "flavor_id", "flavor_name", "display_name", "image_ref", "server_group", "az", "state", "os", "arch"]
        _ = try await indexer.createResourceType(ResourceType(
            name: "instance",
            attributes: try names.map { try ResourceAttribute(name: $0, kind: .string(minLength: 0, maxLength: 255), required: false) }))
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for i in stride(from: worker, to: n, by: 4) {
                        var attributes: [String: ResourceAttributeValue] = [:]
                        for name in names { attributes[name] = .string("\(name)-\(i % 97)") }
                        attributes["host"] = .string("compute-\(i)")
                        _ = try await indexer.createResource(ResourceCreation(
                            id: UUID(), type: "instance", creator: "bench", attributes: attributes,
                            metrics: [
                                "cpu": .create(archivePolicyName: "low", unit: nil),
                                "memory": .create(archivePolicyName: "low", unit: nil),
                                "disk": .create(archivePolicyName: "low", unit: nil),
                            ]))
                    }
                }
            }
            try await group.waitForAll()
        }
        let loaded = ContinuousClock.now - start
        var durations: [Duration] = []
        for i in 0..<200 {
            let before = ContinuousClock.now
            let found = try await indexer.listResources(
                type: "instance", query: ResourceQuery(filter: .equal("host", .string("compute-\(i * 37 % n)"))))
            durations.append(ContinuousClock.now - before)
            #expect(found.count == 1)
        }
        durations.sort()
        print("[resource-search] \(label): \(n) resources loaded in \(loaded); host equality search "
            + "p50 \(durations[100]) p99 \(durations[197])")
    }

    @Test(.timeLimit(.minutes(30)))
    func sqliteEqualitySearch() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-bench") { directory in
            let indexer = try SQLiteIndexer(path: directory.appending("index.db").path)
            try await indexer.upgrade()
            try await runThenClose(indexer) { try await Self.measure(indexer, label: "sqlite") }
        }
    }

    @Test(.enabled(if: IndexConformance.postgresURL != nil), .timeLimit(.minutes(30)))
    func postgresEqualitySearch() async throws {
        try await IndexConformance.withTemporaryPostgresDatabase { url in
            let indexer = try PostgresIndexer(url: url)
            try await indexer.upgrade()
            try await runThenClose(indexer) { try await Self.measure(indexer, label: "postgresql") }
        }
    }
}
