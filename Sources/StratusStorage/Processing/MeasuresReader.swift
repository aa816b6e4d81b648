import Carbonara
import Foundation
import Logging
import StratusIndex

/// Reads a metric's aggregates for `GET /v1/metric/{id}/measures`: every requested granularity of one method,
/// coarsest first, each with the query applied (Gnocchi's `get_aggregated_measures`).
public struct MeasuresReader: Sendable {
    public let storage: any StorageDriver
    public let incoming: any IncomingDriver
    public let logger: Logger

    public init(storage: any StorageDriver, incoming: any IncomingDriver, logger: Logger) {
        self.storage = storage
        self.incoming = incoming
        self.logger = logger
    }

    /// One granularity's points.
    public struct Aggregate: Sendable {
        public var granularity: Int64
        public var series: TimeSeries
    }

    /// The points of `method` at `granularities` (all of the policy's when nil), coarsest first.
    /// - Throws: `ResampleError` for an impossible resampling; storage errors.
    public func measures(
        of metric: Metric, policy: ArchivePolicy, method: AggregationMethod, granularities: [Int64]? = nil, query: MeasuresQuery = MeasuresQuery()
    ) async throws -> [Aggregate] {
        let stored = try await storage.read(metric: metric.id, sack: incoming.sack(of: metric.id)) ?? StoredMetric()
        let name = metric.id.uuidString.lowercased()
        var result = [Aggregate]()
        for granularity in (granularities ?? policy.definition.map(\.granularity)).sorted(by: >) {
            let timespan = policy.item(granularity: granularity)?.timespan
            let key = AggregateKey(method: method, granularity: granularity)
            let visible = stored.read(key, timespan: timespan, metric: name, logger: logger)
            result.append(Aggregate(granularity: granularity, series: try query.apply(to: visible, method: method, granularity: granularity)))
        }
        return result
    }
}
