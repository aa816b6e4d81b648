import Carbonara
import Foundation
import PropertyBased
import StratusIndex
import StratusStorage
import StratusTesting
import Testing

/// A small deterministic generator for the data of one property run.
struct SackTestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed | 1 }
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

@Suite("Sack processing: rounds versus all at once")
struct SackProcessorPropertyTests {
    typealias D = SackTestData

    /// Policies whose granularities divide each other, with retention short enough to truncate sometimes.
    static func policies() throws -> [ArchivePolicy] {
        let s = D.second
        return [
            try ArchivePolicy(
                name: "fine", backWindow: 0,
                definition: [ArchivePolicyItem(granularity: 2 * s, points: 60), ArchivePolicyItem(granularity: 10 * s, points: 30)],
                aggregationMethods: ["mean", "sum", "count", "max", "min", "first", "last", "std", "median", "95pct", "rate:mean", "rate:last"]),
            try ArchivePolicy(
                name: "coarse", backWindow: 2,
                definition: [
                    ArchivePolicyItem(granularity: 5 * s, points: 100), ArchivePolicyItem(granularity: 60 * s, points: nil),
                    ArchivePolicyItem(granularity: 20 * s, points: 12),
                ],
                aggregationMethods: [
                    "mean", "sum", "count", "max", "min", "first", "last", "std", "median", "1pct", "50pct", "99pct",
                    "rate:mean", "rate:sum", "rate:max", "rate:count", "rate:first",
                ]),
            try ArchivePolicy(
                name: "single", backWindow: 1,
                definition: [ArchivePolicyItem(granularity: 10 * s, points: 8)],
                aggregationMethods: ["mean", "count", "last", "rate:sum"]),
        ]
    }

    @Test(.timeLimit(.minutes(5)))
    func processingInRoundsGivesTheSameAggregatesAsAtOnce() async throws {
        let policies = try Self.policies()
        try await TimeSeriesCoreFixture.with(sacks: 4) { fixture in
            for policy in policies { try await fixture.ensurePolicy(policy) }
            await propertyCheck(
                count: 60, input: Gen.int(in: 0...(policies.count - 1)), Gen.int(in: 1...250), Gen.int(in: 1...6),
                Gen.uint64(in: 0...UInt64.max)
            ) { policyIndex, count, cuts, seed in
                let policy = policies[policyIndex]
                try await checkRoundsEqualOnce(fixture, policy: policy, count: count, cuts: cuts, seed: seed)
            }
        }
    }

    private func checkRoundsEqualOnce(
        _ fixture: TimeSeriesCoreFixture, policy: ArchivePolicy, count: Int, cuts: Int, seed: UInt64
    ) async throws {
        var random = SackTestRandom(seed: seed)
        let finest = policy.definition.map(\.granularity).min()!
        // Strictly increasing timestamps, gaps of at most the finest granularity (so rate: always has the point
        // before each bucket), values with two decimals.
        var timestamps = [Int64](), values = [Double]()
        var t = D.t0 + Int64(random.below(3_600)) * D.second
        for _ in 0..<count {
            t += Int64(random.below(4) + 1) * finest / 4
            timestamps.append(t)
            values.append(Double(random.below(20_001) - 10_000) / 100)
        }
        let inRounds = try await fixture.createMetric(policy: policy.name)
        let atOnce = try await fixture.createMetric(policy: policy.name)

        var boundaries = (0..<cuts).map { _ in random.below(count + 1) }.sorted()
        boundaries.append(count)
        var lower = 0
        for upper in boundaries where upper > lower {
            try await fixture.post(inRounds.id, timestamps: Array(timestamps[lower..<upper]), values: Array(values[lower..<upper]))
            // Sometimes leave a post waiting so that one round reads several batch files.
            switch random.below(3) {
            case 0: try await fixture.processor.process(metric: inRounds.id, timeout: 10 * D.second)
            case 1: _ = try await fixture.processor.process(sack: fixture.incoming.sack(of: inRounds.id))
            default: break
            }
            lower = upper
        }
        try await fixture.drain()
        try await fixture.post(atOnce.id, timestamps: timestamps, values: values)
        let report = try await fixture.drain()
        #expect(report.dropped == 0)

        for method in policy.aggregationMethods.sorted() {
            let rounds = try await fixture.reader.measures(of: inRounds, policy: policy, method: method)
            let once = try await fixture.reader.measures(of: atOnce, policy: policy, method: method)
            #expect(rounds.map(\.granularity) == once.map(\.granularity))
            for (a, b) in zip(rounds, once) {
                #expect(a.series == b.series, "\(policy.name) \(method) at \(b.granularity) ns, \(count) measures, seed \(seed)")
            }
            // Without retention every measure stays counted.
            for aggregate in once where method.name == "count" && policy.item(granularity: aggregate.granularity)?.points == nil {
                #expect(Int(aggregate.series.values.reduce(0, +)) == count)
            }
        }
        let logger = fixture.logs.logger
        let rawRounds = try await fixture.storage.read(metric: inRounds.id, sack: fixture.incoming.sack(of: inRounds.id))
        let rawOnce = try await fixture.storage.read(metric: atOnce.id, sack: fixture.incoming.sack(of: atOnce.id))
        #expect(rawRounds?.rawSeries(metric: "rounds", logger: logger) == rawOnce?.rawSeries(metric: "once", logger: logger))
        #expect(try await fixture.incoming.backlog().perMetric[inRounds.id] == nil)
    }
}
