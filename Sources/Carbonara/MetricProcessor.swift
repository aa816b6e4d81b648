/// One stored aggregate of a metric: a method at a granularity.
public struct AggregateKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var method: AggregationMethod
    /// Nanoseconds.
    public var granularity: Int64

    public init(method: AggregationMethod, granularity: Int64) {
        self.method = method
        self.granularity = granularity
    }

    public static func < (a: AggregateKey, b: AggregateKey) -> Bool {
        a.granularity != b.granularity ? a.granularity < b.granularity : a.method < b.method
    }

    public var description: String { "\(method.name)@\(granularity)ns" }
}

/// What processing new measures for one metric produced: the raw series to store and, per aggregate, the
/// recomputed buckets to merge into the stored splits.
public struct ProcessedMetric: Sendable {
    /// The raw series after merging and truncation, to store in place of the old one.
    public var raw: BoundTimeSeries
    /// Recomputed buckets (from the first bucket the new measures touch), already truncated to the timespan.
    public var updates: [AggregateKey: TimeSeries]
    /// Per aggregate with a timespan: `last − timespan`; stored points at or before it are no longer visible.
    public var oldestPointToKeep: [AggregateKey: Int64]
    /// Distinct new points merged into the raw series.
    public var accepted: Int
    /// New points silently dropped because they are older than the back window allows.
    public var dropped: Int
}

/// Turns new measures into aggregates exactly as Gnocchi 4.7.1's `add_measures_to_metrics` (A9.3), without I/O.
public enum MetricProcessor {
    /// Processes one round of measures for a metric.
    /// - Parameters:
    ///   - policy: the metric's archive policy.
    ///   - raw: the stored raw series, nil for a new metric (or a corrupt one being rebuilt).
    ///   - measures: every measure read from incoming for this round, in arrival order.
    public static func process(policy: ArchivePolicy, raw: TimeSeries?, measures: Measures) -> ProcessedMetric {
        var bound = BoundTimeSeries(series: raw ?? TimeSeries(), blockSize: policy.maxBlockSize, backWindow: policy.rawBackWindow)
        let sorted = measures.sortedUnique()
        guard let firstNew = sorted.first else {
            return ProcessedMetric(raw: bound, updates: [:], oldestPointToKeep: [:], accepted: 0, dropped: 0)
        }
        var accepted = sorted
        if let firstBlock = bound.firstBlockTimestamp {
            let index = sorted.lowerBound(firstBlock)
            if index > 0 { accepted = sorted[index..<sorted.count] }
        }
        bound.series = bound.series.merged(with: accepted)

        let fromTimestamp = Swift.max(bound.series.first ?? firstNew, firstNew)
        let methods = policy.aggregationMethods.sorted()
        var updates = [AggregateKey: TimeSeries]()
        var oldest = [AggregateKey: Int64]()
        for item in policy.itemsByGranularity {
            let start = roundTimestamp(fromTimestamp, item.granularity)
            let grouped = GroupedSeries.group(bound.series, granularity: item.granularity, start: start)
            var derived: GroupedSeries?
            for method in methods {
                var aggregate: TimeSeries
                if method.isRate {
                    if derived == nil {
                        let rates = differences(of: bound.series, from: start - item.granularity)
                        derived = GroupedSeries.group(rates, granularity: item.granularity, start: start)
                    }
                    aggregate = derived!.aggregate(method.function)
                } else {
                    aggregate = grouped.aggregate(method.function)
                }
                let key = AggregateKey(method: method, granularity: item.granularity)
                if let timespan = item.timespan, let point = aggregate.truncate(timespan: timespan) {
                    oldest[key] = point
                }
                updates[key] = aggregate
            }
        }
        bound.truncate()
        return ProcessedMetric(
            raw: bound, updates: updates, oldestPointToKeep: oldest,
            accepted: accepted.count, dropped: sorted.count - accepted.count)
    }

    /// Differences of consecutive values from the first point ≥ `from` (all when nil), each stamped with the
    /// later point's timestamp (Gnocchi's `derived`; a per-sample difference, not divided by seconds).
    public static func differences(of series: TimeSeries, from: Int64?) -> TimeSeries {
        let lower = from.map(series.lowerBound) ?? 0
        let n = series.count - lower
        guard n > 1 else { return TimeSeries() }
        var ts = [Int64](repeating: 0, count: n - 1)
        var vs = [Double](repeating: 0, count: n - 1)
        for i in 1..<n {
            ts[i - 1] = series.timestamps[lower + i]
            vs[i - 1] = series.values[lower + i] - series.values[lower + i - 1]
        }
        return TimeSeries(timestamps: ts, values: vs)
    }
}
