/// The unaggregated ("raw") series of a metric, bounded to the current block of the coarsest granularity plus
/// `backWindow` blocks before it (Gnocchi's `BoundTimeSerie`, A9.6).
public struct BoundTimeSeries: Sendable, Hashable {
    /// The kept raw points.
    public var series: TimeSeries
    /// Block size in nanoseconds: the archive policy's coarsest granularity.
    public var blockSize: Int64
    /// Number of blocks kept behind the current one.
    public var backWindow: Int

    public init(series: TimeSeries = TimeSeries(), blockSize: Int64, backWindow: Int) {
        self.series = series
        self.blockSize = blockSize
        self.backWindow = backWindow
    }

    /// The oldest timestamp a new point may have: the newest point's block start minus `backWindow` blocks.
    public var firstBlockTimestamp: Int64? {
        guard let last = series.last else { return nil }
        // Gnocchi floors in float64; when that lands past the newest point (within ~128 ns before a block
        // edge) Gnocchi truncates the raw series to nothing and fails forever. Floor exactly in that case.
        var block = roundTimestamp(last, blockSize)
        if block > last { block = floorDiv(last, blockSize) * blockSize }
        return block - blockSize * Int64(backWindow)
    }

    /// Drops the points older than `firstBlockTimestamp`.
    public mutating func truncate() {
        guard let first = firstBlockTimestamp else { return }
        let index = series.lowerBound(first)
        if index > 0 { series = series[index..<series.count] }
    }
}
