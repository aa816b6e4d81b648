/// A resampling target: a fixed span or a calendar period.
public enum ResampleTarget: Sendable, Hashable {
    /// Buckets of this many nanoseconds, floored from the epoch.
    case span(Int64)
    /// Calendar periods in UTC.
    case calendar(CalendarGroup)
}

/// Resampling errors.
public struct ResampleError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}

extension TimeSeries {
    /// Re-aggregates already aggregated points into coarser buckets with `method`, as Gnocchi's
    /// `AggregatedTimeSerie.resample` does (a `rate:` method differentiates the aggregated points again).
    /// - Throws: `ResampleError` for a `rate:` method with a calendar target, which Gnocchi cannot derive.
    public func resampled(to target: ResampleTarget, method: AggregationMethod) throws(ResampleError) -> TimeSeries {
        let source = method.isRate ? MetricProcessor.differences(of: self, from: nil) : self
        let grouped: GroupedSeries
        switch target {
        case .span(let span):
            grouped = GroupedSeries.group(source, granularity: span)
        case .calendar(let group):
            if method.isRate {
                throw ResampleError(reason: "Cannot derive aggregates on calendar granularities.")
            }
            grouped = GroupedSeries.group(source, calendar: group)
        }
        return grouped.aggregate(method.function)
    }
}
