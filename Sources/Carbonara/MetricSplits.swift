/// The aggregates of one metric as stored: per aggregate, its splits by key (nanoseconds). Pure bookkeeping
/// of Gnocchi's split operations (A9.3 step 3, the `WRITE_FULL` path): storage drivers persist it.
public struct MetricSplits: Sendable, Hashable {
    /// Splits by aggregate, then by split key.
    public var splits: [AggregateKey: [Int64: TimeSeries]]

    public init(splits: [AggregateKey: [Int64: TimeSeries]] = [:]) {
        self.splits = splits
    }

    /// The split keys that `apply` will rewrite or delete for this processing result, per aggregate, so that
    /// a driver storing splits separately loads only those.
    public static func touchedKeys(by processed: ProcessedMetric) -> [AggregateKey: [Int64]] {
        var result = [AggregateKey: [Int64]]()
        for (key, update) in processed.updates where !update.isEmpty {
            result[key] = SplitKey.split(update, granularity: key.granularity).map(\.key)
        }
        return result
    }

    /// Merges a processing result: deletes whole splits older than the oldest point to keep, and merges the
    /// recomputed buckets into their splits (recomputed values win).
    /// - Returns: the aggregates and keys that changed (written or deleted), for drivers that persist per split.
    @discardableResult
    public mutating func apply(_ processed: ProcessedMetric) -> [AggregateKey: Set<Int64>] {
        var changed = [AggregateKey: Set<Int64>]()
        for (key, update) in processed.updates {
            guard let firstPoint = update.first else { continue }
            let oldestKeyToKeep = SplitKey.key(
                for: processed.oldestPointToKeep[key] ?? firstPoint, granularity: key.granularity)
            var stored = splits[key] ?? [:]
            var touched = Set<Int64>()
            // Whole splits are deleted only for aggregates with a timespan (infinite retention keeps them).
            for splitKey in stored.keys where processed.oldestPointToKeep[key] != nil && splitKey < oldestKeyToKeep {
                stored[splitKey] = nil
                touched.insert(splitKey)
            }
            for (splitKey, part) in SplitKey.split(update, granularity: key.granularity) where splitKey >= oldestKeyToKeep {
                stored[splitKey] = (stored[splitKey] ?? TimeSeries()).merged(with: part)
                touched.insert(splitKey)
            }
            splits[key] = stored
            changed[key] = touched
        }
        return changed
    }

    /// The visible points of an aggregate: every split in key order, truncated to `timespan` from the newest point.
    public func read(_ key: AggregateKey, timespan: Int64?) -> TimeSeries {
        guard let stored = splits[key] else { return TimeSeries() }
        var series = TimeSeries()
        for splitKey in stored.keys.sorted() {
            let part = stored[splitKey]!
            series.timestamps.append(contentsOf: part.timestamps)
            series.values.append(contentsOf: part.values)
        }
        if let timespan { series.truncate(timespan: timespan) }
        return series
    }
}

/// A query over one aggregate's visible points (GET measures): optional resampling, then `start` floored to the
/// (resampled) granularity and `stop` exclusive, as Gnocchi's `get_aggregated_measures` + `fetch`.
public struct MeasuresQuery: Sendable, Hashable {
    public var start: Int64?
    public var stop: Int64?
    public var resample: ResampleTarget?

    public init(start: Int64? = nil, stop: Int64? = nil, resample: ResampleTarget? = nil) {
        self.start = start
        self.stop = stop
        self.resample = resample
    }

    /// Applies the query to the visible points of an aggregate stored with `method` at `granularity`.
    /// - Throws: `ResampleError` when the resampling is impossible.
    public func apply(to series: TimeSeries, method: AggregationMethod, granularity: Int64) throws(ResampleError) -> TimeSeries {
        var result = series
        var floorStart: (Int64) -> Int64 = { roundTimestamp($0, granularity) }
        if let resample {
            result = try series.resampled(to: resample, method: method)
            switch resample {
            case .span(let span): floorStart = { roundTimestamp($0, span) }
            case .calendar(let group): floorStart = { group.periodStart(of: $0) }
            }
        }
        return result.slice(from: start.map(floorStart), to: stop)
    }
}
