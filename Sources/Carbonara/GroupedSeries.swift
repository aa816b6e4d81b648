/// Points of a sorted series grouped into buckets: bucket `i` holds the points with index in
/// `offsets[i] ..< offsets[i + 1]` and is stamped `bucketTimestamps[i]` (Gnocchi's `GroupedTimeSeries`).
public struct GroupedSeries: Sendable {
    /// Timestamp of each bucket (its floored start, or the calendar group's leading date).
    public var bucketTimestamps: [Int64]
    /// `bucketTimestamps.count + 1` indexes into `values`.
    public var offsets: [Int]
    /// The grouped points' values, in timestamp order.
    public var values: [Double]

    /// Number of buckets.
    public var count: Int { bucketTimestamps.count }

    /// Groups the points of `series` from index `startIndex` with `key`, which must be non-decreasing in the timestamp.
    static func group(_ series: TimeSeries, from startIndex: Int, key: (Int64) -> Int64) -> GroupedSeries {
        let n = series.count - startIndex
        var stamps = [Int64]()
        var offsets = [Int]()
        stamps.reserveCapacity(Swift.max(1, n / 4))
        offsets.reserveCapacity(Swift.max(2, n / 4 + 1))
        series.timestamps.withUnsafeBufferPointer { ts in
            var current = Int64.min
            var i = startIndex
            while i < ts.count {
                let bucket = key(ts[i])
                if bucket != current {
                    stamps.append(bucket)
                    offsets.append(i - startIndex)
                    current = bucket
                }
                i &+= 1
            }
        }
        offsets.append(n)
        let values = startIndex == 0 ? series.values : Array(series.values[startIndex...])
        return GroupedSeries(bucketTimestamps: stamps, offsets: offsets, values: values)
    }

    /// Groups by fixed-width buckets floored from the epoch, starting at the first point ≥ `start` (all when nil).
    public static func group(_ series: TimeSeries, granularity: Int64, start: Int64? = nil) -> GroupedSeries {
        let startIndex = start.map(series.lowerBound) ?? 0
        let n = series.count - startIndex
        let g = Double(granularity)
        var stamps = [Int64]()
        var offsets = [Int]()
        stamps.reserveCapacity(Swift.max(1, n / 4))
        offsets.reserveCapacity(Swift.max(2, n / 4 + 1))
        series.timestamps.withUnsafeBufferPointer { ts in
            // Points well inside the current bucket skip the float division; near an edge, the
            // bucket is computed exactly as numpy does (float division), so edges agree with Gnocchi.
            var current = Int64.min
            var safeLow = Int64.max, safeHigh = Int64.min
            var i = startIndex
            while i < ts.count {
                let t = ts[i]
                if t < safeLow || t >= safeHigh {
                    let bucket = Int64((Double(t) / g).rounded(.down) * g)
                    if bucket != current {
                        stamps.append(bucket)
                        offsets.append(i &- startIndex)
                        current = bucket
                    }
                    safeLow = bucket &+ 4096
                    safeHigh = bucket &+ granularity &- 4096
                }
                i &+= 1
            }
        }
        offsets.append(n)
        let values = startIndex == 0 ? series.values : Array(series.values[startIndex...])
        return GroupedSeries(bucketTimestamps: stamps, offsets: offsets, values: values)
    }

    /// Groups by calendar periods (Y, H, Q, M, W), stamped with the period's leading date in UTC.
    public static func group(_ series: TimeSeries, calendar: CalendarGroup, start: Int64? = nil) -> GroupedSeries {
        let startIndex = start.map(series.lowerBound) ?? 0
        return group(series, from: startIndex) { calendar.periodStart(of: $0) }
    }

    /// Applies `method`'s function (not its `rate:` part) to every bucket; buckets without a value (std of one
    /// point) are omitted.
    public func aggregate(_ function: AggregationMethod.Function) -> TimeSeries {
        switch function {
        case .mean: return reduce { v, lo, hi in Aggregates.sum(v, lo, hi) / Double(hi - lo) }
        case .sum: return reduce { v, lo, hi in Aggregates.sum(v, lo, hi) }
        case .count: return reduce { _, lo, hi in Double(hi - lo) }
        case .first: return reduce { v, lo, _ in v[lo] }
        case .last: return reduce { v, _, hi in v[hi - 1] }
        case .min: return reduce { v, lo, hi in Aggregates.min(v, lo, hi) }
        case .max: return reduce { v, lo, hi in Aggregates.max(v, lo, hi) }
        case .std: return stdSeries()
        case .median: return sortedReduce { sorted in Aggregates.median(sorted) }
        case .percentile(let q): return sortedReduce { sorted in Aggregates.quantile(sorted, Double(q)) }
        }
    }

    private func reduce(_ body: (UnsafeBufferPointer<Double>, Int, Int) -> Double) -> TimeSeries {
        var out = [Double](repeating: 0, count: count)
        values.withUnsafeBufferPointer { v in
            offsets.withUnsafeBufferPointer { o in
                out.withUnsafeMutableBufferPointer { r in
                    for b in 0..<r.count { r[b] = body(v, o[b], o[b &+ 1]) }
                }
            }
        }
        return TimeSeries(timestamps: bucketTimestamps, values: out)
    }

    private func stdSeries() -> TimeSeries {
        var stamps = [Int64](), out = [Double]()
        values.withUnsafeBufferPointer { v in
            for b in 0..<count {
                let lo = offsets[b], hi = offsets[b + 1]
                guard hi - lo > 1 else { continue }
                stamps.append(bucketTimestamps[b])
                out.append(Aggregates.std(v, lo, hi))
            }
        }
        return TimeSeries(timestamps: stamps, values: out)
    }

    private func sortedReduce(_ body: (UnsafeMutableBufferPointer<Double>) -> Double) -> TimeSeries {
        var out = [Double](repeating: 0, count: count)
        var scratch = [Double]()
        for b in 0..<count {
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: values[offsets[b]..<offsets[b + 1]])
            scratch.sort(by: Aggregates.numpyLess)
            out[b] = scratch.withUnsafeMutableBufferPointer { body($0) }
        }
        return TimeSeries(timestamps: bucketTimestamps, values: out)
    }
}

/// The per-bucket reductions, written as numpy computes them so results agree to the last bit where possible.
enum Aggregates {
    @inline(__always)
    static func sum(_ v: UnsafeBufferPointer<Double>, _ lo: Int, _ hi: Int) -> Double {
        var s = 0.0
        var i = lo
        while i < hi { s += v[i]; i &+= 1 }
        return s
    }

    /// numpy's argsort-based min: NaN sorts last, so it is ignored unless every value is NaN.
    @inline(__always)
    static func min(_ v: UnsafeBufferPointer<Double>, _ lo: Int, _ hi: Int) -> Double {
        var m = v[lo]
        var i = lo &+ 1
        while i < hi { let x = v[i]; if x < m || m.isNaN { m = x }; i &+= 1 }
        return m
    }

    /// numpy's argsort-based max: NaN sorts last, so a NaN in the bucket wins.
    @inline(__always)
    static func max(_ v: UnsafeBufferPointer<Double>, _ lo: Int, _ hi: Int) -> Double {
        var m = v[lo]
        var i = lo &+ 1
        while i < hi { let x = v[i]; if x > m || x.isNaN { m = x }; i &+= 1 }
        return m
    }

    /// Sample standard deviation (ddof 1) with the mean computed first, as numpy's two-pass formula.
    @inline(__always)
    static func std(_ v: UnsafeBufferPointer<Double>, _ lo: Int, _ hi: Int) -> Double {
        let n = Double(hi - lo)
        let mean = sum(v, lo, hi) / n
        var ss = 0.0
        var i = lo
        while i < hi { let d = v[i] - mean; ss += d * d; i &+= 1 }
        return (ss / (n - 1)).squareRoot()
    }

    /// Mean of the middle pair of sorted values.
    static func median(_ sorted: UnsafeMutableBufferPointer<Double>) -> Double {
        let n = sorted.count
        let midFloor = n - 1 - n / 2
        let midCeil = midFloor + (n % 2 == 0 ? 1 : 0)
        return (sorted[midFloor] + sorted[midCeil]) / 2.0
    }

    /// The q-th percentile with linear interpolation between ranks (Gnocchi's `quantile`).
    static func quantile(_ sorted: UnsafeMutableBufferPointer<Double>, _ q: Double) -> Double {
        let real = Double(sorted.count - 1) * (q / 100)
        let floorPos = real.rounded(.down), ceilPos = real.rounded(.up)
        let f = Int(floorPos), c = Int(ceilPos)
        if f == c { return sorted[f] }
        return sorted[f] * (ceilPos - real) + sorted[c] * (real - floorPos)
    }

    /// numpy's sort order for doubles: NaN last.
    static func numpyLess(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN { return false }
        if b.isNaN { return true }
        return a < b
    }
}
