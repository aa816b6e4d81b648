import Carbonara
import Foundation
import StratusIndex
import StratusStorage
import StratusTesting
import Testing

/// Timestamps, policies and checks shared by the sack processing tests.
enum SackTestData {
    static let second: Int64 = 1_000_000_000
    /// An hour-aligned origin (2023-11-14T22:00:00Z), so every bucket of the policies below starts on it.
    static let t0: Int64 = 1_699_999_200 * second

    /// `t0 + seconds`.
    static func at(_ seconds: Int) -> Int64 { t0 + Int64(seconds) * second }

    /// 10 s buckets (100 points) and 60 s buckets (10 points), mean/count/max.
    static func tinyPolicy(name: String = "tiny", backWindow: Int = 0) throws -> ArchivePolicy {
        try ArchivePolicy(
            name: name, backWindow: backWindow,
            definition: [
                ArchivePolicyItem(granularity: 10 * second, points: 100),
                ArchivePolicyItem(granularity: 60 * second, points: 10),
            ],
            aggregationMethods: ["mean", "count", "max"])
    }

    /// One 10 s granularity without retention limit, count/sum, a large back window: nothing is ever dropped.
    static func countingPolicy(name: String = "counting") throws -> ArchivePolicy {
        try ArchivePolicy(
            name: name, backWindow: 1_000,
            definition: [ArchivePolicyItem(granularity: 10 * second, points: nil)],
            aggregationMethods: ["count", "sum"])
    }

    /// `(bucket offset in seconds, value)` pairs as a series.
    static func series(_ points: [(Int, Double)]) -> TimeSeries {
        TimeSeries(timestamps: points.map { at($0.0) }, values: points.map(\.1))
    }

    /// Posts `(offset in seconds, value)` measures for a metric.
    static func post(_ fixture: TimeSeriesCoreFixture, _ metric: Metric, _ points: [(Int, Double)]) async throws {
        try await fixture.post(metric.id, timestamps: points.map { at($0.0) }, values: points.map(\.1))
    }

    /// Posts measures at `t0 + start ..< t0 + start + count` seconds with value 1.
    static func postSeconds(_ fixture: TimeSeriesCoreFixture, _ metric: UUID, from start: Int, count: Int) async throws {
        try await fixture.post(
            metric, timestamps: (start..<(start + count)).map { at($0) }, values: Array(repeating: 1, count: count))
    }

    /// The sum of a metric's `count` aggregate at its first granularity.
    static func countTotal(_ fixture: TimeSeriesCoreFixture, _ metric: Metric, _ policy: ArchivePolicy) async throws -> Int {
        let series = try await fixture.aggregate(metric, policy: policy, method: "count", granularity: policy.definition[0].granularity)
        return Int(series.values.reduce(0, +))
    }

    /// Whether two series have the same timestamps and values within `tolerance`.
    static func approximatelyEqual(_ a: TimeSeries, _ b: TimeSeries, tolerance: Double = 1e-9) -> Bool {
        a.timestamps == b.timestamps && a.values.count == b.values.count
            && zip(a.values, b.values).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
    }
}

@Suite("Sack processing: aggregation")
struct SackProcessorTests {
    typealias D = SackTestData

    @Test func processedMeasuresGiveHandComputedAggregates() async throws {
        try await TimeSeriesCoreFixture.with { fixture in
            let policy = try D.tinyPolicy()
            let metric = try await fixture.createMetric(policy: policy)
            // Arrival order is not time order: processing sorts.
            try await D.post(fixture, metric, [(15, 8), (1, 1), (25, 10), (3, 5), (19, 3), (12, 4)])

            let report = try await fixture.drain()
            #expect(report.metrics == 1)
            #expect(report.measures == 6)
            #expect(report.dropped == 0)
            #expect(report.discarded == 0)

            let count = try await fixture.aggregate(metric, policy: policy, method: "count", granularity: 10 * D.second)
            #expect(count == D.series([(0, 2), (10, 3), (20, 1)]))
            let max = try await fixture.aggregate(metric, policy: policy, method: "max", granularity: 10 * D.second)
            #expect(max == D.series([(0, 5), (10, 8), (20, 10)]))
            let mean = try await fixture.aggregate(metric, policy: policy, method: "mean", granularity: 10 * D.second)
            #expect(D.approximatelyEqual(mean, D.series([(0, 3), (10, 5), (20, 10)])), "\(mean)")

            let minute = try await fixture.aggregate(metric, policy: policy, method: "count", granularity: 60 * D.second)
            #expect(minute == D.series([(0, 6)]))
            let minuteMean = try await fixture.aggregate(metric, policy: policy, method: "mean", granularity: 60 * D.second)
            #expect(D.approximatelyEqual(minuteMean, D.series([(0, 31.0 / 6)])), "\(minuteMean)")

            // All granularities at once come coarsest first.
            let all = try await fixture.reader.measures(of: metric, policy: policy, method: AggregationMethod("max")!)
            #expect(all.map(\.granularity) == [60 * D.second, 10 * D.second])
            #expect(all.map(\.series) == [D.series([(0, 10)]), D.series([(0, 5), (10, 8), (20, 10)])])

            // Everything consumed: nothing waits, the index knows the newest measure.
            #expect(try await fixture.incoming.backlog().measures == 0)
            #expect(try await fixture.indexer.metric(id: metric.id)?.lastMeasureTimestamp == D.at(25))
        }
    }

    @Test func severalRoundsRecomputeOnlyTheTouchedBuckets() async throws {
        try await TimeSeriesCoreFixture.with { fixture in
            let policy = try D.tinyPolicy()
            let metric = try await fixture.createMetric(policy: policy)
            try await D.post(fixture, metric, [(1, 1), (3, 5), (12, 4), (15, 8), (19, 3), (25, 10)])
            try await fixture.drain()

            // Round 2: the open 20 s bucket grows, two new buckets, a new minute.
            try await D.post(fixture, metric, [(27, 2), (31, 6), (65, 7)])
            let second = try await fixture.drain()
            #expect(second.measures == 3 && second.dropped == 0)
            #expect(try await fixture.aggregate(metric, policy: policy, method: "count", granularity: 10 * D.second)
                == D.series([(0, 2), (10, 3), (20, 2), (30, 1), (60, 1)]))
            #expect(try await fixture.aggregate(metric, policy: policy, method: "max", granularity: 10 * D.second)
                == D.series([(0, 5), (10, 8), (20, 10), (30, 6), (60, 7)]))
            let mean = try await fixture.aggregate(metric, policy: policy, method: "mean", granularity: 10 * D.second)
            #expect(D.approximatelyEqual(mean, D.series([(0, 3), (10, 5), (20, 6), (30, 6), (60, 7)])), "\(mean)")
            #expect(try await fixture.aggregate(metric, policy: policy, method: "count", granularity: 60 * D.second)
                == D.series([(0, 8), (60, 1)]))
            let minuteMean = try await fixture.aggregate(metric, policy: policy, method: "mean", granularity: 60 * D.second)
            #expect(D.approximatelyEqual(minuteMean, D.series([(0, 39.0 / 8), (60, 7)])), "\(minuteMean)")

            // Round 3: several posts processed together; a later value for an existing timestamp replaces it.
            try await D.post(fixture, metric, [(62, 1)])
            try await D.post(fixture, metric, [(65, 3), (70, 9)])
            let third = try await fixture.drain()
            #expect(third.measures == 3 && third.metrics == 1)
            #expect(try await fixture.aggregate(metric, policy: policy, method: "count", granularity: 10 * D.second)
                == D.series([(0, 2), (10, 3), (20, 2), (30, 1), (60, 2), (70, 1)]))
            #expect(try await fixture.aggregate(metric, policy: policy, method: "max", granularity: 60 * D.second)
                == D.series([(0, 10), (60, 9)]))
            let lastMinute = try await fixture.aggregate(metric, policy: policy, method: "mean", granularity: 60 * D.second)
            #expect(D.approximatelyEqual(lastMinute, D.series([(0, 39.0 / 8), (60, 13.0 / 3)])), "\(lastMinute)")
        }
    }

    @Test func measuresOlderThanTheBackWindowAreDropped() async throws {
        try await TimeSeriesCoreFixture.with { fixture in
            // back_window 0: only the current 60 s block of raw data is kept.
            let strict = try await fixture.createMetric(policy: try D.tinyPolicy(name: "strict", backWindow: 0))
            // back_window 1: the previous block is kept too.
            let lenient = try await fixture.createMetric(policy: try D.tinyPolicy(name: "lenient", backWindow: 1))
            for metric in [strict, lenient] {
                try await D.post(fixture, metric, [(1, 1), (25, 10), (65, 7)])
            }
            try await fixture.drain()

            for metric in [strict, lenient] {
                try await D.post(fixture, metric, [(50, 100), (62, 1)])
            }
            let report = try await fixture.drain()
            #expect(report.measures == 4)
            #expect(report.dropped == 1, "only the strict metric's measure at 50 s is too old")

            let strictPolicy = try D.tinyPolicy(name: "strict", backWindow: 0)
            #expect(try await fixture.aggregate(strict, policy: strictPolicy, method: "count", granularity: 10 * D.second)
                == D.series([(0, 1), (20, 1), (60, 2)]))
            #expect(try await fixture.aggregate(strict, policy: strictPolicy, method: "max", granularity: 60 * D.second)
                == D.series([(0, 10), (60, 7)]))

            let lenientPolicy = try D.tinyPolicy(name: "lenient", backWindow: 1)
            #expect(try await fixture.aggregate(lenient, policy: lenientPolicy, method: "count", granularity: 10 * D.second)
                == D.series([(0, 1), (20, 1), (50, 1), (60, 2)]))
            #expect(try await fixture.aggregate(lenient, policy: lenientPolicy, method: "max", granularity: 60 * D.second)
                == D.series([(0, 100), (60, 7)]))
        }
    }

    @Test func refreshProcessesOnlyThatMetric() async throws {
        try await TimeSeriesCoreFixture.with(sacks: 1) { fixture in
            let policy = try D.countingPolicy()
            let refreshed = try await fixture.createMetric(policy: policy)
            let waiting = try await fixture.createMetric(policy: policy)
            // Both metrics' measures share batch files.
            try await fixture.incoming.add([
                refreshed.id: PendingMeasures(timestamps: [D.at(1), D.at(2)], values: [1, 2]),
                waiting.id: PendingMeasures(timestamps: [D.at(1), D.at(2), D.at(3)], values: [1, 2, 3]),
            ])
            try await D.postSeconds(fixture, refreshed.id, from: 3, count: 10)

            try await fixture.processor.process(metric: refreshed.id, timeout: 5 * D.second)

            #expect(try await D.countTotal(fixture, refreshed, policy) == 12)
            #expect(try await D.countTotal(fixture, waiting, policy) == 0)
            let backlog = try await fixture.incoming.backlog()
            #expect(backlog.perMetric == [waiting.id: 3])
            #expect(try await fixture.indexer.metric(id: waiting.id)?.lastMeasureTimestamp == nil)

            let rest = try await fixture.drain()
            #expect(rest.measures == 3 && rest.metrics == 1)
            #expect(try await D.countTotal(fixture, refreshed, policy) == 12)
            #expect(try await D.countTotal(fixture, waiting, policy) == 3)
        }
    }

    @Test func measuresOfUnknownAndDeletedMetricsAreDiscarded() async throws {
        try await TimeSeriesCoreFixture.with(sacks: 1) { fixture in
            let policy = try D.countingPolicy()
            let live = try await fixture.createMetric(policy: policy)
            let deleted = try await fixture.createMetric(policy: policy)
            try await fixture.indexer.markMetricDeleted(id: deleted.id)
            let unknown = UUID()
            try await D.postSeconds(fixture, live.id, from: 0, count: 4)
            try await D.postSeconds(fixture, deleted.id, from: 0, count: 5)
            try await D.postSeconds(fixture, unknown, from: 0, count: 6)

            let report = try await fixture.drain()
            #expect(report.measures == 15)
            #expect(report.metrics == 1)
            #expect(report.discarded == 11)
            #expect(try await fixture.incoming.backlog() == Backlog())
            #expect(try await fixture.storage.read(metric: deleted.id, sack: 0) == nil)
            #expect(try await fixture.storage.read(metric: unknown, sack: 0) == nil)
            #expect(try await D.countTotal(fixture, live, policy) == 4)
            // The deleted metric waits for the janitor.
            #expect(try await fixture.indexer.metric(id: deleted.id)?.status == .delete)
        }
    }

    @Test func janitorExpungesDeletedMetricsFromStorageIncomingAndIndex() async throws {
        try await TimeSeriesCoreFixture.with(sacks: 2) { fixture in
            let policy = try D.countingPolicy()
            let kept = try await fixture.createMetric(policy: policy, id: fixture.metricId(inSack: 0))
            let doomed = try await fixture.createMetric(policy: policy, id: fixture.metricId(inSack: 0))
            let neverProcessed = try await fixture.createMetric(policy: policy, id: fixture.metricId(inSack: 1))
            try await D.postSeconds(fixture, kept.id, from: 0, count: 3)
            try await D.postSeconds(fixture, doomed.id, from: 0, count: 3)
            try await fixture.drain()
            #expect(try await fixture.storage.read(metric: doomed.id, sack: 0) != nil)

            // More measures wait, in batch files shared with the kept metric.
            try await fixture.incoming.add([
                kept.id: PendingMeasures(timestamps: [D.at(10)], values: [1]),
                doomed.id: PendingMeasures(timestamps: [D.at(10), D.at(11)], values: [1, 2]),
                neverProcessed.id: PendingMeasures(timestamps: [D.at(10)], values: [1]),
            ])
            try await fixture.indexer.markMetricDeleted(id: doomed.id)
            try await fixture.indexer.markMetricDeleted(id: neverProcessed.id)

            #expect(try await fixture.processor.expungeDeletedMetrics(batchSize: 1) == 1, "one metric per batch")
            #expect(try await fixture.processor.expungeDeletedMetrics(batchSize: 10) == 1)
            #expect(try await fixture.processor.expungeDeletedMetrics(batchSize: 10) == 0)

            for metric in [doomed, neverProcessed] {
                #expect(try await fixture.indexer.metric(id: metric.id) == nil)
                #expect(try await fixture.storage.read(metric: metric.id, sack: fixture.incoming.sack(of: metric.id)) == nil)
            }
            #expect(try await fixture.incoming.backlog().perMetric == [kept.id: 1])
            #expect(try await D.countTotal(fixture, kept, policy) == 3)
            try await fixture.drain()
            #expect(try await D.countTotal(fixture, kept, policy) == 4)
        }
    }

    @Test func janitorLeavesLockedSacksForItsNextPass() async throws {
        try await TimeSeriesCoreFixture.with(sacks: 1) { fixture in
            let metric = try await fixture.createMetric(policy: try D.countingPolicy())
            try await fixture.indexer.markMetricDeleted(id: metric.id)
            let other = try FileStorageDriver(basePath: fixture.dataDirectory + "/storage", logger: fixture.logs.logger)
            let lock = try #require(try other.tryLock(sack: 0))
            #expect(try await fixture.processor.expungeDeletedMetrics(batchSize: 10) == 0)
            #expect(try await fixture.indexer.metric(id: metric.id)?.status == .delete)
            lock.unlock()
            #expect(try await fixture.processor.expungeDeletedMetrics(batchSize: 10) == 1)
            #expect(try await fixture.indexer.metric(id: metric.id) == nil)
        }
    }
}
