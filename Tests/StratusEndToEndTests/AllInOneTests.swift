import Carbonara
import Foundation
import Logging
import StratusIndex
import StratusStorage
import StratusTesting
import Testing

@Suite("stratus all-in-one")
struct AllInOneTests {
    static let second: Int64 = 1_000_000_000

    /// Waits until `condition` holds; false on timeout.
    static func eventually(timeout: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
        try await Eventually.holds(timeout: timeout, every: .milliseconds(20), condition)
    }

    @Test(.timeLimit(.minutes(3)))
    func processesMeasuresWrittenToItsIncomingAndStopsCleanlyOnSIGTERM() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-aio") { directory in
            let data = directory.path + "/data"
            let arguments = ["all-in-one", "--roles", "api,metricd", "--data-dir", data, "--port", "0", "--set", "metricd.metric_processing_delay=1"]
            try await StratusProcess.with(arguments) { process in
                // A fresh directory: all-in-one upgrades it itself.
                let ready = try await Self.eventually(timeout: .seconds(60)) {
                    !process.isRunning || process.standardError.contains("all-in-one running")
                }
                try #require(ready && process.isRunning, "all-in-one did not start:\n\(process.standardError)")

                let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
                let indexer = try makeIndexer(url: "sqlite://\(data)/index.sqlite")
                let incoming = try FileIncomingDriver(basePath: data + "/incoming", logger: logger)
                let storage = try FileStorageDriver(basePath: data + "/storage", logger: logger)
                let reader = MeasuresReader(storage: storage, incoming: incoming, logger: logger)
                let policy = try #require(try await indexer.archivePolicy(named: "low"), "the default policies exist")
                let metrics = [UUID(), UUID(), UUID()].map { Metric(id: $0, archivePolicyName: "low", creator: "admin:admin") }
                for metric in metrics { try await indexer.createMetric(metric) }

                // 5-minute buckets of `low`: 900 measures, one per second, make 3 buckets of 300.
                let start: Int64 = 1_699_999_200 * Self.second
                for metric in metrics {
                    try await incoming.add([metric.id: PendingMeasures(
                        timestamps: (0..<900).map { start + Int64($0) * Self.second }, values: (0..<900).map(Double.init))])
                }
                let count = AggregationMethod("count")!
                let processed = try await Self.eventually(timeout: .seconds(60)) {
                    for metric in metrics {
                        let series = try await reader.measures(of: metric, policy: policy, method: count)[0].series
                        if series.values != [300, 300, 300] { return false }
                    }
                    return true
                }
                #expect(processed, "measures not processed:\n\(process.standardError)")
                #expect(try await incoming.backlog() == Backlog())
                let mean = try await reader.measures(of: metrics[0], policy: policy, method: AggregationMethod("mean")!)[0].series
                #expect(mean == TimeSeries(timestamps: [start, start + 300 * Self.second, start + 600 * Self.second], values: [149.5, 449.5, 749.5]))
                try await indexer.close()

                let stopping = ContinuousClock.now
                process.terminate()
                let exit = await process.waitUntilExit(timeout: .seconds(20))
                let elapsed = ContinuousClock.now - stopping
                #expect(exit == .exited(0), "\(String(describing: exit)):\n\(process.standardError)")
                #expect(elapsed < .seconds(5), "took \(elapsed) to stop")
                #expect(process.standardError.contains("metricd stopped"), "\(process.standardError)")
            }
        }
    }
}
