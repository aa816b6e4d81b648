import Carbonara
import Foundation
import StratusIndex
import StratusStorage
import StratusTesting
import Testing

@Suite("stratus metricd killed while processing")
struct MetricdCrashTests {
    static let second: Int64 = 1_000_000_000
    static let t0: Int64 = 1_699_999_200 * second

    /// Waits until `condition` holds; false on timeout.
    static func eventually(timeout: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
        try await Eventually.holds(timeout: timeout, every: .milliseconds(5), condition)
    }

    /// 200 metrics × 2,000 measures written to incoming; metricd (2 workers) is SIGKILLed part-way six times,
    /// then runs to the end: every metric's `count` aggregates add up to exactly 2,000 and `sum` to the values'.
    @Test(.timeLimit(.minutes(15)))
    func everyMeasureIsCountedExactlyOnceAcrossKills() async throws {
        let metricCount = 200, perMetric = 2_000, chunks = 4
        try await TimeSeriesCoreFixture.with(sacks: 32) { fixture in
            // One-minute buckets without retention limit: 2,000 distinct seconds are all kept and counted.
            let policy = try ArchivePolicy(
                name: "crash", backWindow: 0,
                definition: [ArchivePolicyItem(granularity: 60 * Self.second, points: nil)],
                aggregationMethods: ["count", "sum"])
            try await fixture.ensurePolicy(policy)
            var created = [Metric]()
            for _ in 0..<metricCount { created.append(try await fixture.createMetric(policy: policy.name)) }
            let metrics = created

            // Written in time order, in several batches per sack.
            let chunkSize = perMetric / chunks
            for chunk in 0..<chunks {
                var batch = [UUID: PendingMeasures]()
                let seconds = (chunk * chunkSize)..<((chunk + 1) * chunkSize)
                for (index, metric) in metrics.enumerated() {
                    batch[metric.id] = PendingMeasures(
                        timestamps: seconds.map { Self.t0 + Int64($0) * Self.second },
                        values: seconds.map { Double(($0 + index) % 100) })
                }
                try await fixture.incoming.add(batch)
            }
            let total = metricCount * perMetric
            #expect(try await fixture.incoming.backlog().measures == total)

            let arguments = [
                "metricd", "--data-dir", fixture.dataDirectory,
                "--set", "metricd.workers=2", "--set", "metricd.metric_processing_delay=1",
            ]
            var interrupted = 0
            for (attempt, extraDelay) in [0, 3, 7, 15, 25, 40].enumerated() {
                let before = try await fixture.incoming.sacksWithMeasures().count
                guard before > 0 else { break }
                let process = try StratusProcess(arguments)
                let progressed = try await Self.eventually(timeout: .seconds(120)) {
                    guard process.isRunning else { return true }
                    return try await fixture.incoming.sacksWithMeasures().count < before
                }
                try await Task.sleep(for: .milliseconds(extraDelay))
                process.kill()
                let exit = await process.waitUntilExit(timeout: .seconds(30))
                let log = process.standardError
                await process.cleanUp()
                try #require(progressed, "metricd made no progress in attempt \(attempt):\n\(log)")
                #expect(exit == .killed(by: SIGKILL), "attempt \(attempt) ended with \(String(describing: exit)):\n\(log)")
                let left = try await fixture.incoming.backlog().measures
                if left > 0 && left < total { interrupted += 1 }
            }
            #expect(interrupted >= 1, "at least one kill must land while part of the backlog is processed")

            try await StratusProcess.with(arguments) { process in
                // SIGTERM is handled once the service group runs, i.e. once metricd says it started.
                let drained = try await Self.eventually(timeout: .seconds(300)) {
                    guard process.isRunning else { return true }
                    guard process.standardError.contains("metricd started") else { return false }
                    return try await fixture.incoming.sacksWithMeasures().isEmpty
                }
                try #require(drained && process.isRunning, "metricd did not drain the backlog:\n\(process.standardError)")
                process.terminate()
                let exit = await process.waitUntilExit(timeout: .seconds(30))
                #expect(exit == .exited(0), "\(String(describing: exit)):\n\(process.standardError)")
                #expect(!process.standardError.contains("Damaged"), "\(process.standardError)")
            }
            #expect(try await fixture.incoming.backlog() == Backlog())
            // A kill while a pack is being written leaves its temporary file; the driver removes stale ones.
            _ = try FileStorageDriver(basePath: fixture.dataDirectory + "/storage", logger: fixture.logs.logger, staleTemporaryAge: 0)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.dataDirectory + "/storage").filter { $0.contains(".tmp-") }
            #expect(leftovers.isEmpty, "\(leftovers)")
            

            let count = AggregationMethod("count")!, sum = AggregationMethod("sum")!
            var wrong = [String]()
            for (index, metric) in metrics.enumerated() {
                let counted = try await fixture.reader.measures(of: metric, policy: policy, method: count)[0].series
                let summed = try await fixture.reader.measures(of: metric, policy: policy, method: sum)[0].series
                let expectedSum = (0..<perMetric).reduce(0.0) { $0 + Double(($1 + index) % 100) }
                let countTotal = Int(counted.values.reduce(0, +)), sumTotal = summed.values.reduce(0, +)
                if countTotal != perMetric || sumTotal != expectedSum || counted.count != (perMetric + 59) / 60 {
                    wrong.append("\(metric.id): count \(countTotal) in \(counted.count) buckets, sum \(sumTotal) (expected \(expectedSum))")
                }
            }
            #expect(wrong.isEmpty, "\(wrong.count) metrics wrong: \(wrong.prefix(5))")
        }
    }
}
