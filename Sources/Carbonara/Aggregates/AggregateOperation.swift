/// One `(name, aggregation)` a `metric` node asks for: a metric id, or with `resource_type` + `search` a metric
/// name that may hold fnmatch wildcards.
public struct MetricLookup: Sendable, Hashable {
    /// The metric id, or the metric name (fnmatch pattern) in the resource form.
    public var name: String
    /// The aggregation method of the metric's archive policy to read (`mean`, `95pct`, …).
    public var aggregation: String

    /// A reference to `aggregation` of the metric `name`.
    public init(_ name: String, _ aggregation: String) {
        self.name = name
        self.aggregation = aggregation
    }
}

/// A validated `/v1/aggregates` operation (Gnocchi 4.7.1's `OperationsSchema`).
public indirect enum AggregateOperation: Sendable, Hashable {
    /// `(metric ID AGG)` or `(metric (ID AGG) …)`: the series of these references, one column each.
    case metric([MetricLookup], listForm: Bool)
    /// `(aggregate METHOD op)`: reduces across series at each timestamp.
    case aggregate(CrossMethod, AggregateOperation)
    /// `(resample METHOD GRANULARITY op)`: regroups every series into buckets of this many nanoseconds with
    /// Carbonara's grouped aggregation named `METHOD` (the language allows the cross methods; the deprecated
    /// `/v1/aggregation` also passes archive-policy methods such as `last` or `95pct`).
    case resample(String, Int64, AggregateOperation)
    /// `(rolling METHOD WINDOW op)`: a moving reduction over `WINDOW` points.
    case rolling(CrossMethod, Int, AggregateOperation)
    case binary(BinaryOperator, spelling: String, AggregateOperation, AggregateOperation)
    /// `(clip op min [max])`.
    case clip(AggregateOperation, AggregateOperation, AggregateOperation?)
    case unary(UnaryOperator, spelling: String, AggregateOperation)
    case timestamped(TimestampedUnaryOperator, AggregateOperation)
    /// A number operand.
    case constant(Double)

    /// The distinct references of the tree in order of appearance (Gnocchi's `extract_references`).
    public var references: [MetricLookup] {
        var result = [MetricLookup]()
        collectReferences(into: &result)
        return result
    }

    private func collectReferences(into result: inout [MetricLookup]) {
        switch self {
        case .metric(let lookups, _):
            for lookup in lookups where !result.contains(lookup) { result.append(lookup) }
        case .aggregate(_, let op), .resample(_, _, let op), .rolling(_, _, let op), .unary(_, _, let op), .timestamped(_, let op):
            op.collectReferences(into: &result)
        case .binary(_, _, let a, let b):
            a.collectReferences(into: &result)
            b.collectReferences(into: &result)
        case .clip(let a, let b, let c):
            a.collectReferences(into: &result)
            b.collectReferences(into: &result)
            c?.collectReferences(into: &result)
        case .constant:
            break
        }
    }

    /// The tree with every metric name replaced (the API canonicalises ids with it).
    public func mappingNames(_ transform: (String) -> String) -> AggregateOperation {
        switch self {
        case .metric(let lookups, let listForm):
            .metric(lookups.map { MetricLookup(transform($0.name), $0.aggregation) }, listForm: listForm)
        case .aggregate(let m, let op): .aggregate(m, op.mappingNames(transform))
        case .resample(let m, let g, let op): .resample(m, g, op.mappingNames(transform))
        case .rolling(let m, let w, let op): .rolling(m, w, op.mappingNames(transform))
        case .binary(let o, let s, let a, let b): .binary(o, spelling: s, a.mappingNames(transform), b.mappingNames(transform))
        case .clip(let a, let b, let c): .clip(a.mappingNames(transform), b.mappingNames(transform), c?.mappingNames(transform))
        case .unary(let o, let s, let op): .unary(o, spelling: s, op.mappingNames(transform))
        case .timestamped(let o, let op): .timestamped(o, op.mappingNames(transform))
        case .constant: self
        }
    }

    /// The validated tree as Gnocchi holds it (numbers coerced to float, granularities as timedeltas): the
    /// `detail` of "Operations is invalid" and the operands of "Can't compute timeseries…" messages.
    public var node: OperationNode {
        switch self {
        case .metric(let lookups, let listForm):
            if listForm {
                return .list([.string("metric")] + lookups.map { .list([.string($0.name), .string($0.aggregation)]) })
            }
            return .list([.string("metric"), .string(lookups[0].name), .string(lookups[0].aggregation)])
        case .aggregate(let m, let op): return .list([.string("aggregate"), .string(m.name), op.node])
        case .resample(let m, let g, let op):
            // numpy timedeltas print as seconds in Gnocchi's JSON.
            return .list([.string("resample"), .string(m), .number(Double(g) / 1e9), op.node])
        case .rolling(let m, let w, let op): return .list([.string("rolling"), .string(m.name), .integer(Int64(w)), op.node])
        case .binary(_, let s, let a, let b): return .list([.string(s), a.node, b.node])
        case .clip(let a, let b, let c): return .list([.string("clip"), a.node, b.node] + (c.map { [$0.node] } ?? []))
        case .unary(_, let s, let op): return .list([.string(s), op.node])
        case .timestamped(let o, let op): return .list([.string(o.rawValue), op.node])
        case .constant(let v): return .number(v)
        }
    }

    /// Python's repr of `node`, with granularities printed as numpy does (`np.timedelta64(60000000000,'ns')`).
    var pythonRepr: String {
        switch self {
        case .resample(let m, let g, let op):
            return "['resample', \(PythonFormat.stringRepr(m)), np.timedelta64(\(g),'ns'), \(op.pythonRepr)]"
        case .aggregate(let m, let op): return "['aggregate', \(PythonFormat.stringRepr(m.name)), \(op.pythonRepr)]"
        case .rolling(let m, let w, let op): return "['rolling', \(PythonFormat.stringRepr(m.name)), \(w), \(op.pythonRepr)]"
        case .binary(_, let s, let a, let b): return "[\(PythonFormat.stringRepr(s)), \(a.pythonRepr), \(b.pythonRepr)]"
        case .clip(let a, let b, let c):
            return "['clip', \(a.pythonRepr), \(b.pythonRepr)" + (c.map { ", " + $0.pythonRepr } ?? "") + "]"
        case .unary(_, let s, let op): return "[\(PythonFormat.stringRepr(s)), \(op.pythonRepr)]"
        case .timestamped(let o, let op): return "[\(PythonFormat.stringRepr(o.rawValue)), \(op.pythonRepr)]"
        case .metric, .constant: return node.pythonRepr
        }
    }
}
