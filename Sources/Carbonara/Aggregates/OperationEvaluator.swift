/// Evaluates an operation over the aligned series of one granularity, as Gnocchi 4.7.1's
/// `rest/aggregates/operations.evaluate`: every series is a column over shared timestamps.
struct OperationEvaluator {
    /// A value in the tree: a number, or columns over the state's timestamps.
    enum Value {
        case scalar(Double)
        case columns([[Double]])

        var columnCount: Int? { if case .columns(let c) = self { c.count } else { nil } }
    }

    struct State {
        var granularity: Int64
        var timestamps: [Int64]
        var value: Value
        var isAggregated: Bool
    }

    /// The lookup key of each column of `initial` (`[name or wildcard, aggregation]`).
    let lookupKeys: [MetricLookup]
    let initial: [[Double]]

    /// `detail` of the errors: the lookup keys as `[[name, aggregation], …]`.
    var referencesDetail: OperationNode {
        .list(lookupKeys.map { .list([.string($0.name), .string($0.aggregation)]) })
    }

    func evaluate(_ operation: AggregateOperation, granularity: Int64, timestamps: [Int64], isAggregated: Bool) throws(AggregatesError) -> State {
        switch operation {
        case .constant(let v):
            return State(granularity: granularity, timestamps: timestamps, value: .scalar(v), isAggregated: isAggregated)

        case .metric(let lookups, _):
            var columns = [[Double]]()
            for (index, key) in lookupKeys.enumerated() where lookups.contains(key) { columns.append(initial[index]) }
            return State(granularity: granularity, timestamps: timestamps, value: .columns(columns), isAggregated: isAggregated)

        case .aggregate(let method, let sub):
            let state = try evaluate(sub, granularity: granularity, timestamps: timestamps, isAggregated: isAggregated)
            let columns = try requireColumns(state.value, "aggregate")
            let rows = state.timestamps.count
            var out = [Double](repeating: 0, count: rows)
            var scratch = [Double]()
            for row in 0..<rows {
                out[row] = method.reduce(count: columns.count, scratch: &scratch) { columns[$0][row] }
            }
            var stamps = state.timestamps
            if method.isRate {
                out = Self.differences(out)
                stamps = Array(stamps.dropFirst())
            }
            return State(granularity: state.granularity, timestamps: stamps, value: .columns([out]), isAggregated: true)

        case .rolling(let method, let window, let sub):
            let state = try evaluate(sub, granularity: granularity, timestamps: timestamps, isAggregated: isAggregated)
            let columns = try requireColumns(state.value, "rolling")
            let rows = state.timestamps.count
            guard window <= rows else {
                throw .unaggregable("Rolling window '\(window)' is greater than serie length '\(rows)'", references: referencesDetail)
            }
            var scratch = [Double]()
            var result = [[Double]]()
            for column in columns {
                var out = [Double](repeating: 0, count: rows - window + 1)
                column.withUnsafeBufferPointer { values in
                    for start in 0..<out.count {
                        out[start] = method.reduce(count: window, scratch: &scratch) { values[start + $0] }
                    }
                }
                result.append(method.isRate ? Self.differences(out) : out)
            }
            var stamps = Array(state.timestamps[(window - 1)...])
            if method.isRate { stamps = Array(stamps.dropFirst()) }
            return State(granularity: state.granularity, timestamps: stamps, value: .columns(result), isAggregated: state.isAggregated)

        case .resample(let method, let span, let sub):
            let state = try evaluate(sub, granularity: granularity, timestamps: timestamps, isAggregated: isAggregated)
            let columns = try requireColumns(state.value, "resample")
            guard let carbonaraMethod = AggregationMethod(method) else {
                throw .unaggregable("Aggregation method '\(method)' cannot be used to resample", references: referencesDetail)
            }
            var stamps = state.timestamps
            var result = [[Double]]()
            for column in columns {
                let series = TimeSeries(timestamps: state.timestamps, values: column)
                let resampled: TimeSeries
                do {
                    resampled = try series.resampled(to: .span(span), method: carbonaraMethod)
                } catch {
                    throw .unaggregable(error.reason, references: referencesDetail)
                }
                stamps = resampled.timestamps
                result.append(resampled.values)
            }
            return State(granularity: span, timestamps: stamps, value: .columns(result), isAggregated: state.isAggregated)

        case .binary(let op, _, let left, let right):
            let a = try evaluate(left, granularity: granularity, timestamps: timestamps, isAggregated: isAggregated)
            let b = try evaluate(right, granularity: granularity, timestamps: timestamps, isAggregated: isAggregated)
            var aggregated = a.isAggregated || b.isAggregated
            var stamps = a.timestamps, g = a.granularity
            if case .columns = a.value, case .columns = b.value {
                guard a.timestamps == b.timestamps, a.granularity == b.granularity else {
                    throw .unaggregable("Can't compute timeseries with different granularity \(left.pythonRepr) <> \(right.pythonRepr)",
                                        references: referencesDetail)
                }
                aggregated = true
            } else if case .columns = b.value {
                stamps = b.timestamps
                g = b.granularity
            }
            let value = try combine([a.value, b.value], rows: stamps.count) { op.apply($0[0], $0[1]) }
            return State(granularity: g, timestamps: stamps, value: value, isAggregated: aggregated)

        case .clip(let subject, let low, let high):
            let a = try evaluate(subject, granularity: granularity, timestamps: timestamps, isAggregated: isAggregated)
            let b = try evaluate(low, granularity: granularity, timestamps: timestamps, isAggregated: isAggregated)
            let c = try high.map { (h) throws(AggregatesError) in try evaluate(h, granularity: granularity, timestamps: timestamps, isAggregated: isAggregated) }
            var aggregated = a.isAggregated || b.isAggregated || (c?.isAggregated ?? b.isAggregated)
            var stamps = a.timestamps, g = a.granularity
            let operands = [a, b] + (c.map { [$0] } ?? [])
            if operands.allSatisfy({ $0.value.columnCount != nil }) && operands.count == 3 {
                if (a.timestamps != b.timestamps || a.granularity != b.granularity),
                   (b.timestamps != c!.timestamps || b.granularity != c!.granularity) {
                    throw .unaggregable("Can't compute timeseries with different granularity \(subject.pythonRepr) <> \(low.pythonRepr) <> \(high!.pythonRepr)",
                                        references: referencesDetail)
                }
                aggregated = true
            } else if b.value.columnCount != nil {
                stamps = b.timestamps; g = b.granularity
            } else if let c, c.value.columnCount != nil {
                stamps = c.timestamps; g = c.granularity
            }
            for operand in operands where operand.value.columnCount != nil && operand.timestamps.count != stamps.count {
                throw .unaggregable("Can't compute timeseries with different granularity \(subject.pythonRepr) <> \(low.pythonRepr)",
                                    references: referencesDetail)
            }
            let value = try combine(operands.map(\.value), rows: stamps.count) { v in
                BinaryOperator.clip(v[0], min: v[1], max: v.count > 2 ? v[2] : nil)
            }
            return State(granularity: g, timestamps: stamps, value: value, isAggregated: aggregated)

        case .unary(let op, _, let sub):
            var state = try evaluate(sub, granularity: granularity, timestamps: timestamps, isAggregated: isAggregated)
            switch state.value {
            case .scalar(let v): state.value = .scalar(op.apply(v))
            case .columns(let columns): state.value = .columns(columns.map { $0.map(op.apply) })
            }
            return state

        case .timestamped(let op, let sub):
            var state = try evaluate(sub, granularity: granularity, timestamps: timestamps, isAggregated: isAggregated)
            let columns = try requireColumns(state.value, op.rawValue)
            switch op {
            case .rateOfChange:
                state.value = .columns(columns.map(Self.differences))
                state.timestamps = Array(state.timestamps.dropFirst())
            case .rateOfChangePerSecond:
                let t = state.timestamps
                state.value = .columns(columns.map { column in
                    var out = [Double](repeating: .nan, count: column.count)
                    if column.count > 1 {
                        for i in 1..<column.count {
                            out[i] = (column[i] - column[i - 1]) / (Double(t[i] - t[i - 1]) / 1e9)
                        }
                    }
                    return out
                })
            }
            return state
        }
    }

    /// numpy `diff`: `v[i + 1] - v[i]`, one shorter (empty for fewer than two values).
    static func differences(_ values: [Double]) -> [Double] {
        guard values.count > 1 else { return [] }
        var out = [Double](repeating: 0, count: values.count - 1)
        for i in 0..<out.count { out[i] = values[i + 1] - values[i] }
        return out
    }

    private func requireColumns(_ value: Value, _ operation: String) throws(AggregatesError) -> [[Double]] {
        guard case .columns(let columns) = value else {
            throw .unaggregable("'\(operation)' needs series, not a number", references: referencesDetail)
        }
        return columns
    }

    /// Applies `body` element-wise with numpy broadcasting: numbers everywhere, a single column against many.
    private func combine(_ operands: [Value], rows: Int, _ body: ([Double]) -> Double) throws(AggregatesError) -> Value {
        let counts = operands.compactMap(\.columnCount)
        guard let width = counts.max() else {
            return .scalar(body(operands.map { if case .scalar(let v) = $0 { v } else { .nan } }))
        }
        for count in counts where count != width && count != 1 {
            let shapes = counts.map { "(\(rows),\($0))" }.joined(separator: " ")
            throw .unaggregable("operands could not be broadcast together with shapes \(shapes)", references: referencesDetail)
        }
        var result = [[Double]](repeating: [Double](repeating: 0, count: rows), count: width)
        var args = [Double](repeating: 0, count: operands.count)
        for column in 0..<width {
            for row in 0..<rows {
                for (k, operand) in operands.enumerated() {
                    switch operand {
                    case .scalar(let v): args[k] = v
                    case .columns(let c): args[k] = c.count == 1 ? c[0][row] : c[column][row]
                    }
                }
                result[column][row] = body(args)
            }
        }
        return .columns(result)
    }
}
