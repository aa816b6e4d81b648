/// How missing points are filled before series are combined (`fill=` of `/v1/aggregates`).
public enum AggregatesFill: Sendable, Hashable {
    /// Missing points take this value; nothing is dropped from the answer.
    case value(Double)
    /// Missing points are NaN and stay in the answer (`null`).
    case null
    /// Missing points are NaN; answer points that are NaN or infinite are dropped (the default).
    case dropNA
    /// Carry the previous point forward (leading gaps stay missing), then drop as `dropNA`.
    case forwardFill
    /// Carry the next point backward, then drop as `dropNA`.
    case backwardFill
    /// Forward, then backward fill.
    case fullForwardFill
    /// Backward, then forward fill.
    case fullBackwardFill

    /// Parses `fill=` as Gnocchi's `FillSchema`: a float first (`float()` of the text), then the keywords.
    public init?(_ text: String) {
        if let value = PythonFormat.parseFloat(text) {
            self = .value(value)
            return
        }
        switch text {
        case "null": self = .null
        case "dropna": self = .dropNA
        case "ffill": self = .forwardFill
        case "bfill": self = .backwardFill
        case "full_ffill": self = .fullForwardFill
        case "full_bfill": self = .fullBackwardFill
        default: return nil
        }
    }

    /// Whether NaN and infinite answer points are dropped.
    var dropsInvalidPoints: Bool {
        switch self {
        case .value, .null: false
        default: true
        }
    }
}

/// Cross-series aggregation (`/v1/aggregates`), as Gnocchi 4.7.1's `rest/aggregates/processor.aggregated`:
/// per granularity, coarsest first, the series are aligned on the union of their timestamps, filled, checked for
/// overlap, and the operation is evaluated over them.
public enum CrossSeriesAggregator {
    /// The series of every reference at one granularity, in reference order.
    public struct Sampling: Sendable {
        /// The granularity read, nanoseconds.
        public var granularity: Int64
        /// One series per reference, in reference order.
        public var series: [TimeSeries]

        /// The series of every reference at `granularity`.
        public init(granularity: Int64, series: [TimeSeries]) {
            self.granularity = granularity
            self.series = series
        }
    }

    /// `start`, `stop`, `fill`, `needed_overlap`.
    public struct Options: Sendable, Hashable {
        /// Floored to each granularity; nil for no lower bound (then the overlap check trims the leading part).
        public var start: Int64?
        /// Exclusive; nil for no upper bound.
        public var stop: Int64?
        /// nil: no fill, and `neededOverlap` percent of the timestamps must hold a point of every series.
        public var fill: AggregatesFill?
        /// Percent of the timestamps that must hold a point of every series (only when `fill` is nil).
        public var neededOverlap: Double

        /// Options; by default no bounds, `dropna`.
        public init(start: Int64? = nil, stop: Int64? = nil, fill: AggregatesFill? = .dropNA, neededOverlap: Double = 100) {
            self.start = start
            self.stop = stop
            self.fill = fill
            self.neededOverlap = neededOverlap
        }
    }

    /// The answer: one block per source granularity, coarsest first.
    public struct Result: Sendable, Hashable {
        /// Whether the series were combined into one (`{"aggregated": …}`), else one column per reference.
        public var isAggregated: Bool
        /// One block per source granularity, coarsest first.
        public var blocks: [Block]
    }

    /// The answer at one source granularity.
    public struct Block: Sendable, Hashable {
        /// The granularity of the points (a `resample` changes it).
        public var granularity: Int64
        /// One series when aggregated, else one per reference in reference order.
        public var columns: [TimeSeries]
    }

    /// Aggregates `samplings` (each holding one series per entry of `lookupKeys`) with `operation`.
    /// - Parameter lookupKeys: per reference, the `(name or wildcard, aggregation)` its `metric` node names.
    /// - Throws: `AggregatesError` (`unaggregable`): "No overlap", "Less than …% of datapoints overlap…",
    ///   a rolling window longer than the series, operands on different timestamps.
    public static func aggregate(
        _ operation: AggregateOperation, lookupKeys: [MetricLookup], samplings: [Sampling], options: Options
    ) throws(AggregatesError) -> Result {
        let detail = OperationNode.list(lookupKeys.map { .list([.string($0.name), .string($0.aggregation)]) })
        var isAggregated = false
        var blocks = [Block]()
        for sampling in samplings.sorted(by: { $0.granularity > $1.granularity }) {
            precondition(sampling.series.count == lookupKeys.count, "one series per reference")
            let from = options.start.map { roundTimestamp($0, sampling.granularity) }
            let sliced = sampling.series.map { $0.slice(from: from, to: options.stop) }
            var (times, columns) = align(sliced, fill: options.fill)

            if options.fill == nil {
                var overlap = [Int]()
                for row in 0..<times.count where !columns.contains(where: { $0[row].isNaN }) { overlap.append(row) }
                if overlap.isEmpty && options.neededOverlap > 0 {
                    throw .unaggregable("No overlap", references: detail)
                }
                if !times.isEmpty {
                    if options.stop == nil, let last = overlap.last {
                        times = Array(times[...last])
                        columns = columns.map { Array($0[...last]) }
                    }
                    if options.start == nil, let first = overlap.first {
                        times = Array(times[first...])
                        columns = columns.map { Array($0[first...]) }
                    }
                    let percent = Double(overlap.count) * 100.0 / Double(times.count)
                    if percent < options.neededOverlap {
                        throw .unaggregable(
                            "Less than \(PythonFormat.fixed(options.neededOverlap, decimals: 6))% of datapoints overlap in this "
                                + "timespan (\(PythonFormat.fixed(percent, decimals: 2))%)",
                            references: detail)
                    }
                }
            }

            let evaluator = OperationEvaluator(lookupKeys: lookupKeys, initial: columns)
            let state = try evaluator.evaluate(operation, granularity: sampling.granularity, timestamps: times, isAggregated: false)
            guard case .columns(var result) = state.value else {
                throw .unaggregable("The operations give a number, not series", references: detail)
            }
            isAggregated = state.isAggregated
            if state.isAggregated { result = Array(result.prefix(1)) }
            let drop = options.fill?.dropsInvalidPoints ?? false
            blocks.append(Block(granularity: state.granularity, columns: result.map { column in
                guard drop else { return TimeSeries(timestamps: state.timestamps, values: column) }
                var ts = [Int64](), vs = [Double]()
                ts.reserveCapacity(column.count)
                vs.reserveCapacity(column.count)
                for (t, v) in zip(state.timestamps, column) where v.isFinite {
                    ts.append(t)
                    vs.append(v)
                }
                return TimeSeries(timestamps: ts, values: vs)
            }))
        }
        return Result(isAggregated: isAggregated, blocks: blocks)
    }

    /// The sorted union of the series' timestamps and one column per series over it, filled as asked.
    static func align(_ series: [TimeSeries], fill: AggregatesFill?) -> (times: [Int64], columns: [[Double]]) {
        var times = [Int64]()
        if let first = series.first, series.allSatisfy({ $0.timestamps == first.timestamps }) {
            times = first.timestamps
        } else {
            times.reserveCapacity(series.reduce(0) { $0 + $1.count })
            for s in series { times.append(contentsOf: s.timestamps) }
            times.sort()
            var unique = 0
            for i in 0..<times.count where i == 0 || times[i] != times[unique - 1] {
                times[unique] = times[i]
                unique += 1
            }
            times.removeLast(times.count - unique)
        }
        let filler: Double = if case .value(let v)? = fill { v } else { .nan }
        var columns = [[Double]]()
        columns.reserveCapacity(series.count)
        for s in series {
            if s.timestamps.count == times.count {
                columns.append(s.values)
                continue
            }
            var column = [Double](repeating: filler, count: times.count)
            var row = 0
            for (t, v) in zip(s.timestamps, s.values) {
                while times[row] < t { row += 1 }
                column[row] = v
            }
            columns.append(column)
        }
        switch fill {
        case .forwardFill?: columns = columns.map(forwardFilled)
        case .backwardFill?: columns = columns.map(backwardFilled)
        case .fullForwardFill?: columns = columns.map { backwardFilled(forwardFilled($0)) }
        case .fullBackwardFill?: columns = columns.map { forwardFilled(backwardFilled($0)) }
        default: break
        }
        return (times, columns)
    }

    static func forwardFilled(_ column: [Double]) -> [Double] {
        var out = column
        var last = Double.nan
        for i in out.indices {
            if out[i].isNaN { out[i] = last } else { last = out[i] }
        }
        return out
    }

    static func backwardFilled(_ column: [Double]) -> [Double] {
        var out = column
        var next = Double.nan
        for i in out.indices.reversed() {
            if out[i].isNaN { out[i] = next } else { next = out[i] }
        }
        return out
    }
}
