import Carbonara
import Testing

@Suite("Arithmetic at the edges of the representable range")
struct ArithmeticEdgeTests {
    @Test func splitKeysOfVeryCoarseGranularitiesDoNotOverflow() {
        let thirtyDays: Int64 = 30 * 86_400 * 1_000_000_000
        #expect(SplitKey.key(for: 1_700_000_000_000_000_000, granularity: thirtyDays) == 0)
        #expect(SplitKey.key(for: 1_700_000_000_000_000_000, granularity: 60_000_000_000) == 1_699_920_000_000_000_000)  // 7870 splits of 216,000 s
    }

    @Test func roundingNearTheLastRepresentableNanosecondStaysInRange() {
        let last = Int64.max
        #expect(roundTimestamp(last, 1) == last)
        #expect(roundTimestamp(last - 3, 7) <= last - 3)
        #expect(roundTimestamp(last, 300_000_000_000) <= last)
    }

    @Test func processingAThirtyDayPolicyWorks() throws {
        let day: Int64 = 86_400 * 1_000_000_000
        let policy = try ArchivePolicy(name: "p", definition: [ArchivePolicyItem(granularity: 30 * day, points: 12)], aggregationMethods: ["count"])
        let processed = MetricProcessor.process(policy: policy, raw: nil, measures: Measures(timestamps: [1_700_000_000_000_000_000], values: [1]))
        var splits = MetricSplits()
        splits.apply(processed)
        let key = AggregateKey(method: AggregationMethod(.count), granularity: 30 * day)
        #expect(splits.read(key, timespan: 12 * 30 * day).values == [1])
    }
}
