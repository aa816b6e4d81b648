import Carbonara
import Foundation
import Testing

/// Fixtures produced by real Gnocchi 4.7.1 (`scripts/golden/generate_carbonara_fixtures.py`).
struct GoldenFile: Decodable {
    /// `[timestamp_ns, value]`, the timestamp decoded as an exact integer.
    struct Point: Decodable {
        var timestamp: Int64
        var value: Double
        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            timestamp = try container.decode(Int64.self)
            value = try container.decode(Double.self)
        }
    }
    struct Policy: Decodable {
        struct Item: Decodable { var granularity_ns: Int64; var points: Int? }
        var back_window: Int
        var aggregation_methods: [String]
        var definition: [Item]
    }
    struct Expected: Decodable { var method: String; var granularity_ns: Int64; var points: [Point] }
    struct Resampled: Decodable { var method: String; var granularity_ns: Int64; var to: String; var points: [Point] }
    struct Case: Decodable, CustomTestStringConvertible {
        var name: String
        var policy: Policy
        var batches: [[Point]]
        var expected: [Expected]
        var expected_raw: [Point]?
        var resample: [Resampled]?
        var testDescription: String { name }
    }
    var cases: [Case]

    static func load() throws -> GoldenFile {
        guard let url = Bundle.module.url(forResource: "gnocchi-golden", withExtension: "json", subdirectory: "Fixtures") else {
            return GoldenFile(cases: [])
        }
        return try JSONDecoder().decode(GoldenFile.self, from: Data(contentsOf: url))
    }
}


@Suite("Aggregates equal Gnocchi 4.7.1's")
struct GnocchiGoldenTests {
    static let file: GoldenFile = (try? GoldenFile.load()) ?? GoldenFile(cases: [])

    @Test func fixturesArePresent() {
        #expect(Self.file.cases.count >= 20, "golden fixtures missing or too few")
    }

    @Test(arguments: Self.file.cases)
    func aggregatesMatch(_ golden: GoldenFile.Case) throws {
        let policy = try ArchivePolicy(
            name: golden.name,
            backWindow: golden.policy.back_window,
            definition: golden.policy.definition.map { ArchivePolicyItem(granularity: $0.granularity_ns, points: $0.points) },
            aggregationMethods: golden.policy.aggregation_methods)
        var raw: TimeSeries?
        var splits = MetricSplits()
        for batch in golden.batches {
            let measures = Measures(timestamps: batch.map(\.timestamp), values: batch.map(\.value))
            let processed = MetricProcessor.process(policy: policy, raw: raw, measures: measures)
            raw = processed.raw.series
            splits.apply(processed)
        }
        for expected in golden.expected {
            let method = try #require(AggregationMethod(expected.method))
            let item = try #require(policy.item(granularity: expected.granularity_ns))
            let actual = splits.read(AggregateKey(method: method, granularity: item.granularity), timespan: item.timespan)
            expectSeries(actual, equals: expected.points, "\(golden.name) \(expected.method)@\(expected.granularity_ns)")
        }
        if let expectedRaw = golden.expected_raw {
            expectSeries(raw ?? TimeSeries(), equals: expectedRaw, "\(golden.name) raw")
        }
        for resample in golden.resample ?? [] {
            let method = try #require(AggregationMethod(resample.method))
            let item = try #require(policy.item(granularity: resample.granularity_ns))
            let visible = splits.read(AggregateKey(method: method, granularity: item.granularity), timespan: item.timespan)
            let target: ResampleTarget = if let group = CalendarGroup(rawValue: resample.to) {
                .calendar(group)
            } else {
                .span(Int64(try #require(Double(resample.to)) * 1e9))
            }
            let actual = try MeasuresQuery(resample: target).apply(to: visible, method: method, granularity: item.granularity)
            expectSeries(actual, equals: resample.points, "\(golden.name) \(resample.method) resampled to \(resample.to)")
        }
    }

    private func expectSeries(_ actual: TimeSeries, equals expected: [GoldenFile.Point], _ label: String) {
        if actual.count != expected.count {
            let a = Set(actual.timestamps), e = Set(expected.map(\.timestamp))
            Issue.record("\(label): \(actual.count) points, Gnocchi has \(expected.count); only ours: \(a.subtracting(e).sorted().prefix(3)), only Gnocchi's: \(e.subtracting(a).sorted().prefix(3))")
            return
        }
        for (i, point) in expected.enumerated() {
            let ts = point.timestamp
            if actual.timestamps[i] != ts {
                Issue.record("\(label): point \(i) at \(actual.timestamps[i]), Gnocchi has \(ts)")
                return
            }
            let a = actual.values[i], e = point.value
            let close = a == e || abs(a - e) <= 1e-9 * max(abs(a), abs(e))
            if !close {
                Issue.record("\(label): point \(i) value \(a), Gnocchi has \(e)")
                return
            }
        }
    }
}
