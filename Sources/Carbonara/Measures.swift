/// Measures as they arrive for one metric: unsorted, possibly with duplicate timestamps.
public struct Measures: Sendable, Hashable {
    /// Nanoseconds since the epoch, in arrival order.
    public var timestamps: [Int64]
    /// One value per timestamp.
    public var values: [Double]

    public init(timestamps: [Int64] = [], values: [Double] = []) {
        precondition(timestamps.count == values.count, "timestamps and values must have the same length")
        self.timestamps = timestamps
        self.values = values
    }

    public var count: Int { timestamps.count }
    public var isEmpty: Bool { timestamps.isEmpty }

    /// Appends another batch after this one (arrival order is kept).
    public mutating func append(_ other: Measures) {
        timestamps.append(contentsOf: other.timestamps)
        values.append(contentsOf: other.values)
    }

    /// Sorts by (timestamp, value) and keeps the first point of each timestamp — exactly what Gnocchi's
    /// `numpy.sort(order='timestamps')` followed by `numpy.unique(return_index=True)` does, so within one
    /// processing round the smallest value of a duplicated timestamp wins (NaN sorts last).
    public func sortedUnique() -> TimeSeries {
        let n = count
        if n == 0 { return TimeSeries() }
        var isStrictlySorted = true
        timestamps.withUnsafeBufferPointer { ts in
            var i = 1
            while i < n { if ts[i] <= ts[i &- 1] { isStrictlySorted = false; break }; i &+= 1 }
        }
        if isStrictlySorted { return TimeSeries(timestamps: timestamps, values: values) }
        var order = Array(0..<n)
        order.sort { a, b in
            let ta = timestamps[a], tb = timestamps[b]
            if ta != tb { return ta < tb }
            return Aggregates.numpyLess(values[a], values[b])
        }
        var ts = [Int64](), vs = [Double]()
        ts.reserveCapacity(n)
        vs.reserveCapacity(n)
        for index in order where ts.last != timestamps[index] {
            ts.append(timestamps[index])
            vs.append(values[index])
        }
        return TimeSeries(timestamps: ts, values: vs)
    }
}
