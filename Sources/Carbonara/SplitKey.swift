/// Aggregates are stored in splits of at most 3600 points: the key of a split is the timestamp floored to
/// `granularity × 3600` from the epoch (Gnocchi's `SplitKey`, A9.4).
public enum SplitKey {
    /// Points per split.
    public static let pointsPerSplit: Int64 = 3600

    /// The key of the split holding `timestamp` at `granularity` (both nanoseconds).
    @inline(__always)
    public static func key(for timestamp: Int64, granularity: Int64) -> Int64 {
        let (span, overflow) = granularity.multipliedReportingOverflow(by: pointsPerSplit)
        // A split longer than the whole representable range (granularity ≥ ~29.6 days) starts at the epoch.
        return overflow ? 0 : roundTimestamp(timestamp, span)
    }

    /// Cuts a sorted series into its splits, in key order (each point's key computed as Gnocchi does).
    public static func split(_ series: TimeSeries, granularity: Int64) -> [(key: Int64, series: TimeSeries)] {
        var result = [(key: Int64, series: TimeSeries)]()
        var start = 0
        var currentKey = Int64.min
        for i in 0..<series.count {
            let k = key(for: series.timestamps[i], granularity: granularity)
            if k != currentKey {
                if i > start { result.append((currentKey, series[start..<i])) }
                currentKey = k
                start = i
            }
        }
        if series.count > start { result.append((currentKey, series[start..<series.count])) }
        return result
    }
}
