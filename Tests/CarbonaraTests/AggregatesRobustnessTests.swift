import Carbonara
import StratusTesting
import Testing

/// Random operation trees, valid and not, over random series: parsing and evaluation answer or throw
/// `AggregatesError`, never crash.
@Suite("Aggregates: random operations never crash")
struct AggregatesRobustnessTests {
    struct Random {
        var generator: SplitMix64
        init(state: UInt64) { generator = SplitMix64(state: state) }
        mutating func next() -> UInt64 { generator.next() }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
    }

    static let heads = ["aggregate", "resample", "rolling", "clip", "metric", "abs", "neg", "cos", "floor", "round",
                        "rateofchange", "rateofchangesec", "+", "-", "*", "/", "%", "**", "=", "<", ">=", "!=",
                        "clip_min", "clip_max", "max", "foo", ""]
    static let methods = ["mean", "median", "std", "min", "max", "sum", "var", "count", "rate:mean", "rate:count", "last", "95pct"]

    static func node(_ r: inout Random, depth: Int) -> OperationNode {
        if depth > 4 || r.below(4) == 0 {
            switch r.below(9) {
            case 0: return .integer(Int64(r.below(7)) - 2)
            case 1: return .number(r.pick([0.5, -1.5, 0, .nan, .infinity, 1e308, -0.0]))
            case 2: return .string(r.pick(["2", "60", "1m", "x", "nan", "-3", "1e400"]))
            case 3: return .null
            case 4: return .bool(r.below(2) == 0)
            default:
                if r.below(2) == 0 {
                    return .list([.string("metric"), .string(r.pick(["a", "b", "c"])), .string(r.pick(["mean", "max"]))])
                }
                return .list([.string("metric"), .list([.string("a"), .string("mean")]), .list([.string("b"), .string("mean")])])
            }
        }
        let head = r.pick(heads)
        var items: [OperationNode] = [.string(head)]
        if ["aggregate", "resample", "rolling"].contains(head) { items.append(.string(r.pick(methods))) }
        if head == "resample" { items.append(r.below(3) == 0 ? .string("x") : .integer(Int64(r.pick([60, 120, 1, 7200])))) }
        if head == "rolling" { items.append(.integer(Int64(r.below(6)))) }
        for _ in 0..<(1 + r.below(3)) { items.append(node(&r, depth: depth + 1)) }
        return .list(items)
    }

    static func series(_ r: inout Random) -> TimeSeries {
        let minute: Int64 = 60_000_000_000
        var ts = [Int64](), vs = [Double]()
        var t: Int64 = 1_704_110_400_000_000_000
        for _ in 0..<r.below(12) {
            t += minute * Int64(1 + r.below(3))
            ts.append(t)
            vs.append(r.pick([1, -2, 0, 3.5, .nan, .infinity, 1e300]))
        }
        return TimeSeries(timestamps: ts, values: vs)
    }

    @Test func randomTreesAnswerOrThrow() {
        var r = Random(state: 2024)
        var evaluated = 0
        for _ in 0..<3000 {
            let tree = Self.node(&r, depth: 0)
            guard let operation = try? AggregateOperation.parse(tree) else { continue }
            let keys = operation.references
            guard !keys.isEmpty else { continue }
            let samplings = [60_000_000_000, 120_000_000_000].map { g in
                CrossSeriesAggregator.Sampling(granularity: Int64(g), series: keys.map { _ in Self.series(&r) })
            }
            let fill: AggregatesFill? = r.pick([nil, .dropNA, .null, .value(0), .forwardFill, .fullBackwardFill])
            let options = CrossSeriesAggregator.Options(
                start: r.below(3) == 0 ? 1_704_110_700_000_000_000 : nil, stop: nil, fill: fill, neededOverlap: r.pick([0, 50, 100]))
            if (try? CrossSeriesAggregator.aggregate(operation, lookupKeys: keys, samplings: samplings, options: options)) != nil {
                evaluated += 1
            }
        }
        #expect(evaluated > 100, "too few random trees were valid: \(evaluated)")
    }
}
