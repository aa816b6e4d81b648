/// A series of points sorted by timestamp without duplicates: parallel arrays of nanoseconds since the
/// epoch and values. The representation every Carbonara operation works on (contiguous, no small objects).
public struct TimeSeries: Sendable, Hashable {
    /// Strictly increasing timestamps, nanoseconds since the Unix epoch.
    public var timestamps: [Int64]
    /// One value per timestamp.
    public var values: [Double]

    /// Creates a series; the caller guarantees `timestamps` is strictly increasing and both arrays have one length.
    public init(timestamps: [Int64] = [], values: [Double] = []) {
        precondition(timestamps.count == values.count, "timestamps and values must have the same length")
        self.timestamps = timestamps
        self.values = values
    }

    /// Number of points.
    public var count: Int { timestamps.count }
    /// Whether the series has no point.
    public var isEmpty: Bool { timestamps.isEmpty }
    /// The oldest timestamp, if any.
    public var first: Int64? { timestamps.first }
    /// The newest timestamp, if any.
    public var last: Int64? { timestamps.last }

    /// Index of the first point whose timestamp is ≥ `timestamp` (numpy `searchsorted`, side left).
    public func lowerBound(_ timestamp: Int64) -> Int {
        var low = 0, high = timestamps.count
        while low < high {
            let mid = (low + high) / 2
            if timestamps[mid] < timestamp { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Index of the first point whose timestamp is > `timestamp` (numpy `searchsorted`, side right).
    public func upperBound(_ timestamp: Int64) -> Int {
        var low = 0, high = timestamps.count
        while low < high {
            let mid = (low + high) / 2
            if timestamps[mid] <= timestamp { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The points with index in `range`.
    public subscript(range: Range<Int>) -> TimeSeries {
        TimeSeries(timestamps: Array(timestamps[range]), values: Array(values[range]))
    }

    /// The points with `from ≤ timestamp < to` (either bound optional).
    public func slice(from: Int64?, to: Int64?) -> TimeSeries {
        let lower = from.map(lowerBound) ?? 0
        let upper = to.map(lowerBound) ?? count
        return lower < upper ? self[lower..<upper] : TimeSeries()
    }

    /// Merges `newer` into this series: on equal timestamps the newer value wins (Gnocchi's `combine_timeseries`).
    public func merged(with newer: TimeSeries) -> TimeSeries {
        if newer.isEmpty { return self }
        if isEmpty { return newer }
        var ts = [Int64](), vs = [Double]()
        ts.reserveCapacity(count + newer.count)
        vs.reserveCapacity(count + newer.count)
        var i = 0, j = 0
        while i < count || j < newer.count {
            if j == newer.count || (i < count && timestamps[i] < newer.timestamps[j]) {
                ts.append(timestamps[i]); vs.append(values[i]); i += 1
            } else {
                if i < count && timestamps[i] == newer.timestamps[j] { i += 1 }
                ts.append(newer.timestamps[j]); vs.append(newer.values[j]); j += 1
            }
        }
        return TimeSeries(timestamps: ts, values: vs)
    }

    /// Drops every point at or before `last − timespan`, keeping the points of the window that ends at the
    /// newest point (Gnocchi's `AggregatedTimeSerie.truncate`).
    /// - Returns: the oldest point that could have been kept (`last − timespan`), nil when nothing to do.
    @discardableResult
    public mutating func truncate(timespan: Int64) -> Int64? {
        guard let last else { return nil }
        let oldest = last - timespan
        let index = upperBound(oldest)
        if index > 0 { self = self[index..<count] }
        return oldest
    }
}

/// Floors a timestamp to a multiple of `frequency` from the epoch, computed as Gnocchi's numpy code does
/// (`floor(float(ts) / float(freq)) × freq`), so that bucket edges agree with Gnocchi to the nanosecond.
@inline(__always)
public func roundTimestamp(_ timestamp: Int64, _ frequency: Int64) -> Int64 {
    let product = (Double(timestamp) / Double(frequency)).rounded(.down) * Double(frequency)
    // Near Int64's limits the float product can round past it: floor exactly there instead.
    guard product < 9.223_372_036_854_775_807e18, product >= -9.223_372_036_854_775_808e18 else {
        return floorDiv(timestamp, frequency) * frequency
    }
    return Int64(product)
}
