import Carbonara
import Foundation
import Logging
import StratusCore
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
        return try measures(of: metric, stored: stored, policy: policy, method: method, granularities: granularities, query: query)
    }

    /// The stored data of many metrics, reading each sack's pack once (a storage read returns a whole pack:
    /// reading it per metric made a 10,000-metric aggregation re-read 1.4 GB). Metrics without data get an
    /// empty `StoredMetric`.
    public func storedMetrics(_ ids: [UUID]) async throws -> [UUID: StoredMetric] {
        let bySack = Dictionary(grouping: Set(ids), by: { incoming.sack(of: $0) })
        let storage = self.storage
        let logger = self.logger
        return try await withThrowingTaskGroup(of: [(UUID, StoredMetric)].self) { group in
            for (sack, members) in bySack {
                group.addTask {
                    let contents = try await storage.load(sack: sack)
                    return members.map { id in
                        guard let blob = contents.metrics[id] else { return (id, StoredMetric()) }
                        let (stored, damage) = StoredMetric.decode(blob, path: storage.location(sack: sack))
                        if let damage {
                            logger.error("Damaged metric blob, using what can be read", metadata: [
                                "metric.id": "\(id.lowercaseText)", "storage.path": "\(storage.location(sack: sack))",
                                "error": "\(damage)",
                            ])
                        }
                        return (id, stored)
                    }
                }
            }
            var result: [UUID: StoredMetric] = [:]
            result.reserveCapacity(ids.count)
            for try await pairs in group {
                for (id, stored) in pairs { result[id] = stored }
            }
            return result
        }
    }

    /// The points of `method` at `granularities` of a metric whose stored data was read already.
    public func measures(
        of metric: Metric, stored: StoredMetric, policy: ArchivePolicy, method: AggregationMethod, granularities: [Int64]? = nil,
        query: MeasuresQuery = MeasuresQuery()
    ) throws -> [Aggregate] {
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
