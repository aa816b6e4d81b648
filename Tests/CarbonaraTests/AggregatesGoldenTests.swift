import Carbonara
import Foundation
import Testing

/// Any JSON value of the aggregates fixture, integers kept exact.
enum FixtureJSON: Decodable, Sendable {
    case null, bool(Bool), integer(Int64), number(Double), string(String), list([FixtureJSON]), object([String: FixtureJSON])

    init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var items = [FixtureJSON]()
            while !array.isAtEnd { items.append(try array.decode(FixtureJSON.self)) }
            self = .list(items)
            return
        }
        if let keyed = try? decoder.container(keyedBy: AnyKey.self) {
            var members = [String: FixtureJSON]()
            for key in keyed.allKeys { members[key.stringValue] = try keyed.decode(FixtureJSON.self, forKey: key) }
            self = .object(members)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() { self = .null }
        else if let b = try? single.decode(Bool.self) { self = .bool(b) }
        else if let i = try? single.decode(Int64.self) { self = .integer(i) }
        else if let d = try? single.decode(Double.self) { self = .number(d) }
        else { self = .string(try single.decode(String.self)) }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The operation tree as the API hands it to Carbonara.
    var node: OperationNode {
        switch self {
        case .null: .null
        case .bool(let b): .bool(b)
        case .integer(let i): .integer(i)
        case .number(let d): .number(d)
        case .string(let s): .string(s)
        case .list(let items): .list(items.map(\.node))
        case .object(let members): .object(members.sorted { $0.key < $1.key }.map { ($0.key, $0.value.node) })
        }
    }

    var double: Double? {
        switch self {
        case .integer(let i): Double(i)
        case .number(let d): d
        case .string("NaN"): .nan
        case .string("Infinity"): .infinity
        case .string("-Infinity"): -.infinity
        default: nil
        }
    }

    var int64: Int64? { if case .integer(let i) = self { i } else { nil } }
    var list: [FixtureJSON] { if case .list(let l) = self { l } else { [] } }
    var string: String? { if case .string(let s) = self { s } else { nil } }
    subscript(key: String) -> FixtureJSON? { if case .object(let o) = self { o[key] } else { nil } }
}

/// Numbers compare as floats (Python's 2.0 and Carbonara's 2 are one value), everything else structurally.
func sameDetail(_ a: OperationNode, _ b: OperationNode) -> Bool {
    func number(_ n: OperationNode) -> Double? {
        switch n {
        case .integer(let i): Double(i)
        case .number(let d): d
        default: nil
        }
    }
    if let x = number(a), let y = number(b) { return x == y }
    if case .list(let x) = a, case .list(let y) = b { return x.count == y.count && zip(x, y).allSatisfy { sameDetail($0, $1) } }
    return a == b
}

/// Fixtures produced by real Gnocchi 4.7.1's `rest/aggregates` (`scripts/golden-aggregates/`).
struct AggregatesGoldenFile: Decodable {
    struct Reference: Decodable { var lookup: [String]; var series: String; var resource: String? }
    struct Case: Decodable, CustomTestStringConvertible {
        var name: String
        var operations: FixtureJSON
        var references: [Reference]
        var granularities: [Int64]
        var fill: FixtureJSON?
        var needed_overlap: Double?
        var start: Int64?
        var stop: Int64?
        var error: FixtureJSON?
        var internal_error: String?
        var expected: FixtureJSON?
        var testDescription: String { name }
    }
    /// Series by reference, then granularity (ns, as text): `[timestamps, values]`.
    var data: [String: [String: [[FixtureJSON]]]]
    var cases: [Case]

    static func load() throws -> AggregatesGoldenFile {
        guard let url = Bundle.module.url(forResource: "gnocchi-aggregates-golden", withExtension: "json", subdirectory: "Fixtures") else {
            return AggregatesGoldenFile(data: [:], cases: [])
        }
        return try JSONDecoder().decode(AggregatesGoldenFile.self, from: Data(contentsOf: url))
    }
}

@Suite("Cross-series aggregation equals Gnocchi 4.7.1's")
struct AggregatesGoldenTests {
    static let file: AggregatesGoldenFile = (try? AggregatesGoldenFile.load()) ?? AggregatesGoldenFile(data: [:], cases: [])

    @Test func fixturesArePresent() {
        #expect(Self.file.cases.count >= 150, "aggregates golden fixtures missing or too few")
    }

    @Test(arguments: Self.file.cases.filter { $0.internal_error == nil })
    func matchesGnocchi(_ golden: AggregatesGoldenFile.Case) throws {
        let outcome: Result<CrossSeriesAggregator.Result, AggregatesError> = Result { () throws(AggregatesError) in
            let operation: AggregateOperation = if let text = golden.operations.string {
                try AggregateOperation.parse(text)
            } else {
                try AggregateOperation.parse(golden.operations.node)
            }
            if operation.references.isEmpty {
                throw AggregatesError(code: .noMetric, cause: "Operations is invalid", reason: "At least one 'metric' is required",
                                      detail: operation.node)
            }
            let keys = golden.references.map { MetricLookup($0.lookup[0], $0.lookup[1]) }
            let samplings = golden.granularities.map { g in
                CrossSeriesAggregator.Sampling(granularity: g, series: golden.references.map { ref in
                    let pair = Self.file.data[ref.series]![String(g)]!
                    return TimeSeries(timestamps: pair[0].map { $0.int64! }, values: pair[1].map { $0.double! })
                })
            }
            var fill: AggregatesFill?
            switch golden.fill {
            case .string(let s)?: fill = AggregatesFill(s)
            case .integer(let i)?: fill = .value(Double(i))
            case .number(let d)?: fill = .value(d)
            default: fill = nil
            }
            let options = CrossSeriesAggregator.Options(
                start: golden.start, stop: golden.stop, fill: fill, neededOverlap: golden.needed_overlap ?? 100)
            return try CrossSeriesAggregator.aggregate(operation, lookupKeys: keys, samplings: samplings, options: options)
        }

        if let error = golden.error {
            guard case .failure(let failure) = outcome else {
                Issue.record("expected \(error), got a result")
                return
            }
            #expect(failure.cause == error["cause"]?.string)
            #expect(failure.reason == error["reason"]?.string)
            #expect(sameDetail(failure.detail, error["detail"]!.node), "\(failure.detail) vs \(error["detail"]!.node)")
            return
        }
        let result = try outcome.get()
        let expected = try #require(golden.expected)
        guard case .bool(let aggregated)? = expected["aggregated"] else { Issue.record("bad fixture"); return }
        #expect(result.isAggregated == aggregated)
        let columns = expected["columns"]!.list
        let width = result.blocks.first?.columns.count ?? 0
        #expect(width == columns.count)
        for (index, column) in columns.enumerated() where index < width {
            var rows = [(Int64, Int64, Double)]()
            for block in result.blocks {
                let series = block.columns[index]
                for i in 0..<series.count { rows.append((series.timestamps[i], block.granularity, series.values[i])) }
            }
            let want = column.list
            #expect(rows.count == want.count, "column \(index): \(rows.count) points, Gnocchi has \(want.count)")
            for (got, row) in zip(rows, want) {
                let w = row.list
                #expect(got.0 == w[0].int64 && got.1 == w[1].int64, "timestamp/granularity \(got) vs \(w)")
                let v = w[2].double!
                let same = (v.isNaN && got.2.isNaN) || v == got.2 || abs(v - got.2) <= 1e-9 * max(1, abs(v))
                #expect(same, "value at \(got.0): \(got.2) vs Gnocchi \(v)")
            }
        }
    }
}
