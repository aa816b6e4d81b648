import Carbonara
import PropertyBased
import Testing

private let s: Int64 = 1_000_000_000
private let t0: Int64 = 1_420_070_400 * 1_000_000_000  // 2015-01-01T00:00:00Z

private func series(_ points: [(Int64, Double)]) -> TimeSeries {
    TimeSeries(timestamps: points.map { t0 + $0.0 * s }, values: points.map(\.1))
}

private func aggregate(_ name: String, _ points: [(Int64, Double)], granularity: Int64 = 60) -> [(Int64, Double)] {
    let method = AggregationMethod(name)!
    let source = series(points)
    let grouped: GroupedSeries
    if method.isRate {
        grouped = GroupedSeries.group(MetricProcessor.differences(of: source, from: nil), granularity: granularity * s)
    } else {
        grouped = GroupedSeries.group(source, granularity: granularity * s)
    }
    let result = grouped.aggregate(method.function)
    return zip(result.timestamps, result.values).map { (($0 - t0) / s, $1) }
}

/// Two buckets of one minute: [1, 2, 4, 10] at 0–30 s and a single point 7 at 60 s.
private let sample: [(Int64, Double)] = [(0, 1), (10, 2), (20, 4), (30, 10), (60, 7)]

@Suite("Aggregation methods, computed by hand")
struct AggregationTests {
    @Test(arguments: [
        ("mean", [(Int64(0), 4.25), (60, 7)]),
        ("sum", [(0, 17), (60, 7)]),
        ("count", [(0, 4), (60, 1)]),
        ("min", [(0, 1), (60, 7)]),
        ("max", [(0, 10), (60, 7)]),
        ("first", [(0, 1), (60, 7)]),
        ("last", [(0, 10), (60, 7)]),
        ("median", [(0, 3), (60, 7)]),
        // ranks of [1, 2, 4, 10]: 50pct → 1.5 → 2 + 0.5 × (4 − 2) = 3; 25pct → 0.75 → 1 + 0.75 = 1.75
        ("50pct", [(0, 3), (60, 7)]),
        ("25pct", [(0, 1.75), (60, 7)]),
        ("99pct", [(0, 4 * 0.03 + 10 * 0.97), (60, 7)]),
        ("1pct", [(0, 1 * 0.97 + 2 * 0.03), (60, 7)]),
    ] as [(String, [(Int64, Double)])])
    func methodOnSample(_ name: String, _ expected: [(Int64, Double)]) {
        let actual = aggregate(name, sample)
        #expect(actual.count == expected.count)
        for (a, e) in zip(actual, expected) {
            #expect(a.0 == e.0)
            #expect(abs(a.1 - e.1) <= 1e-12 * max(1, abs(e.1)), "\(name): \(a.1) ≠ \(e.1)")
        }
    }

    @Test func stdIsSampleStdAndOmittedForSinglePointBuckets() {
        let actual = aggregate("std", sample)
        // mean 4.25; squared deviations 10.5625 + 5.0625 + 0.0625 + 33.0625 = 48.75; / 3 = 16.25
        #expect(actual.count == 1)
        #expect(actual[0].0 == 0)
        #expect(abs(actual[0].1 - 16.25.squareRoot()) < 1e-12)
    }

    @Test func percentileAtExactRankTakesThatValue() {
        // five values: 25pct → rank 1.0 exactly → the second smallest
        let actual = aggregate("25pct", [(0, 50), (1, 10), (2, 40), (3, 20), (4, 30)])
        #expect(actual.map(\.1) == [20])
        #expect(aggregate("50pct", [(0, 50), (1, 10), (2, 40), (3, 20), (4, 30)]).map(\.1) == [30])
    }

    @Test func rateUsesThePointBeforeTheBucketAndIsNotDividedBySeconds() {
        // Differences: 10 s → +1, 20 s → +2, 30 s → +6, 60 s → −3 (a counter reset shows as negative).
        #expect(aggregate("rate:sum", sample).map(\.1) == [9, -3])
        #expect(aggregate("rate:max", sample).map(\.1) == [6, -3])
        #expect(aggregate("rate:count", sample).map(\.1) == [3, 1])
        #expect(aggregate("rate:last", sample).map(\.0) == [0, 60])
    }

    @Test func bucketsFloorToTheGranularityFromTheEpoch() {
        let actual = aggregate("count", [(299, 1), (300, 1), (599, 1), (600, 1)], granularity: 300)
        #expect(actual.map(\.0) == [0, 300, 600])
        #expect(actual.map(\.1) == [1, 2, 1])
    }

    @Test func methodNamesParseAsGnocchiDoes() {
        #expect(AggregationMethod("95pct")?.function == .percentile(95))
        #expect(AggregationMethod("rate:5pct")?.isRate == true)
        #expect(AggregationMethod("0pct") == nil)
        #expect(AggregationMethod("100pct") == nil)
        #expect(AggregationMethod("05pct") == nil)
        #expect(AggregationMethod("rate:") == nil)
        #expect(AggregationMethod("average") == nil)
        #expect(AggregationMethod.all.count == 216)
    }
}

@Suite("Back window and truncation")
struct BackWindowTests {
    private func hourPolicy(backWindow: Int) throws -> ArchivePolicy {
        try ArchivePolicy(name: "p", backWindow: backWindow,
                          definition: [ArchivePolicyItem(granularity: 3600 * s, points: 24)],
                          aggregationMethods: ["count"])
    }

    @Test(arguments: [(0, 14 * 3600 as Int64), (2, 12 * 3600 as Int64)])
    func lateMeasuresOlderThanTheWindowAreDropped(backWindow: Int, firstAccepted: Int64) throws {
        let policy = try hourPolicy(backWindow: backWindow)
        // The documented example: coarsest 1 h, last point 14:34.
        let first = MetricProcessor.process(policy: policy, raw: nil, measures: Measures(timestamps: [t0 + (14 * 3600 + 34 * 60) * s], values: [1]))
        let late = Measures(timestamps: [t0 + (firstAccepted - 1) * s, t0 + firstAccepted * s], values: [2, 3])
        let second = MetricProcessor.process(policy: policy, raw: first.raw.series, measures: late)
        #expect(second.accepted == 1)
        #expect(second.dropped == 1)
    }

    @Test func aSingleBatchIntoAnEmptyMetricIsFullyAccepted() throws {
        let policy = try hourPolicy(backWindow: 0)
        let measures = Measures(timestamps: (0..<100).map { t0 + Int64($0) * 3600 * s }, values: Array(repeating: 1, count: 100))
        let processed = MetricProcessor.process(policy: policy, raw: nil, measures: measures)
        #expect(processed.accepted == 100)
        #expect(processed.updates.values.first?.count == 24, "truncated to 24 points from the last one")
    }

    @Test func duplicateTimestampsInOneBatchKeepTheSmallestValueAndLaterBatchesWin() throws {
        let policy = try ArchivePolicy(name: "p", definition: [ArchivePolicyItem(granularity: s, points: 100)], aggregationMethods: ["last"])
        let first = MetricProcessor.process(policy: policy, raw: nil, measures: Measures(timestamps: [t0, t0, t0], values: [5, 3, 4]))
        #expect(first.raw.series.values == [3])
        let second = MetricProcessor.process(policy: policy, raw: first.raw.series, measures: Measures(timestamps: [t0], values: [9]))
        #expect(second.raw.series.values == [9])
    }
}

@Suite("Processing in batches")
struct IncrementalProcessingTests {
    /// Measures in time order, cut into consecutive batches, give the same aggregates as one batch.
    @Test func severalBatchesEqualOneBatch() async throws {
        let policy = try ArchivePolicy(
            name: "p", backWindow: 0,
            definition: [ArchivePolicyItem(granularity: 10 * s, points: 50), ArchivePolicyItem(granularity: 60 * s, points: 20)],
            aggregationMethods: ["mean", "sum", "last", "max", "min", "std", "median", "first", "count", "5pct", "95pct", "rate:mean", "rate:max"])
        await propertyCheck(count: 60, input: Gen.int(in: 1...400), Gen.int(in: 1...8), Gen.uint64(in: 0...UInt64.max)) { count, cuts, seed in
            var rng = Xorshift(seed: seed | 1)
            var timestamps = [Int64](), values = [Double]()
            var t = t0
            for _ in 0..<count {
                t += Int64(rng.next() % 10 + 1) * s / 2  // gaps ≤ 5 s < 10 s, so rate: always sees the previous point
                timestamps.append(t)
                values.append(Double(Int64(rng.next() % 20_000) - 10_000) / 100)
            }
            let whole = MetricProcessor.process(policy: policy, raw: nil, measures: Measures(timestamps: timestamps, values: values))
            var allAtOnce = MetricSplits()
            allAtOnce.apply(whole)

            var raw: TimeSeries?
            var incremental = MetricSplits()
            var boundaries = (0..<cuts).map { _ in Int(rng.next() % UInt64(count + 1)) }.sorted()
            boundaries.append(count)
            var lower = 0
            for upper in boundaries where upper > lower {
                let processed = MetricProcessor.process(
                    policy: policy, raw: raw,
                    measures: Measures(timestamps: Array(timestamps[lower..<upper]), values: Array(values[lower..<upper])))
                raw = processed.raw.series
                incremental.apply(processed)
                lower = upper
            }
            for item in policy.definition {
                for method in policy.aggregationMethods {
                    let key = AggregateKey(method: method, granularity: item.granularity)
                    #expect(incremental.read(key, timespan: item.timespan) == allAtOnce.read(key, timespan: item.timespan), "\(key)")
                }
            }
        }
    }
}

/// A tiny deterministic generator for test data.
struct Xorshift {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}
