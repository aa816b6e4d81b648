import Foundation
import Logging
import StratusStorage
import StratusTesting
import Testing

@Suite("File storage driver")
struct FileStorageDriverTests {
    private func withDriver(_ body: (FileStorageDriver, TemporaryDirectory) async throws -> Void) async throws {
        try await TemporaryDirectory.with(prefix: "stratus-storage") { directory in
            let logs = TimeSeriesCoreFixture.LogRecorder()
            let driver = try FileStorageDriver(basePath: directory.path + "/storage", logger: logs.logger)
            try await body(driver, directory)
            #expect(logs.entries.allSatisfy { $0.level < .error }, "\(logs.entries)")
        }
    }

    private func files(_ directory: TemporaryDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path + "/storage").filter { $0 != "locks" }.sorted()
    }

    @Test func storedContentsComeBackExactly() async throws {
        try await withDriver { driver, directory in
            let a = UUID(), b = UUID()
            let contents = SackContents(
                consumed: [IncomingHandle(sack: 3, key: "00000000000000000001-00ff.batch"), IncomingHandle(sack: 3, key: "x.batch", metric: a)],
                metrics: [a: [1, 2, 3], b: Array(repeating: 0xAB, count: 70_000)])
            try await driver.store(sack: 3, contents)
            let loaded = try await driver.load(sack: 3)
            #expect(loaded.consumed == contents.consumed)
            #expect(loaded.metrics == contents.metrics)
            #expect(try files(directory) == ["sack-3.pack"], "one pack per sack, no temporary file left")
            #expect(driver.location(sack: 3) == directory.path + "/storage/sack-3.pack")
            #expect(try await driver.load(sack: 4).metrics.isEmpty)
        }
    }

    @Test func storingReplacesTheWholeSack() async throws {
        try await withDriver { driver, directory in
            let a = UUID(), b = UUID()
            try await driver.store(sack: 0, SackContents(metrics: [a: [1], b: [2]]))
            try await driver.store(sack: 0, SackContents(metrics: [b: [3]]))
            #expect(try await driver.load(sack: 0).metrics == [b: [3]])
            #expect(try await driver.read(metric: a, sack: 0) == nil)
        }
    }

    @Test func anEmptySackHasNoPackFile() async throws {
        try await withDriver { driver, directory in
            try await driver.store(sack: 1, SackContents(metrics: [UUID(): [1]]))
            #expect(try files(directory) == ["sack-1.pack"])
            try await driver.store(sack: 1, SackContents())
            #expect(try files(directory) == [])
            try await driver.store(sack: 1, SackContents())
            #expect(try await driver.load(sack: 1).metrics.isEmpty)
        }
    }

    @Test func diskUsageCountsThePacks() async throws {
        try await withDriver { driver, _ in
            let before = try driver.diskUsage()
            try await driver.store(sack: 0, SackContents(metrics: [UUID(): Array(repeating: 7, count: 100_000)]))
            #expect(try driver.diskUsage() >= before + 100_000)
        }
    }

    @Test func readersSeeTheOldOrTheNewStateWhileASackIsRewritten() async throws {
        try await withDriver { driver, _ in
            let id = UUID()
            let states: [[UInt8]] = [Array(repeating: 1, count: 50_000), Array(repeating: 2, count: 60_000)]
            try await driver.store(sack: 0, SackContents(metrics: [id: states[0]]))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for round in 0..<40 { try await driver.store(sack: 0, SackContents(metrics: [id: states[round % 2]])) }
                }
                group.addTask {
                    for _ in 0..<200 {
                        let seen = try await driver.load(sack: 0).metrics[id]
                        #expect(seen == states[0] || seen == states[1])
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}
