import Foundation
import StratusCore

/// One Gnocchi request of the evaluator (reference C1).
public enum StatisticsRequest: Sendable, Hashable {
    /// `GET /v1/resource/generic/{resource}/metric/{metric}/measures?granularity&aggregation&start&stop`.
    case measures(resourceID: String, metric: String, granularity: Int, aggregation: String, start: Date, stop: Date)
    /// `POST /v1/aggregates?granularity&start&stop&needed_overlap=0` with `{"operations", "search"?, "resource_type"?}`.
    case aggregates(
        operations: TelemetryValue, search: TelemetryValue?, resourceType: String?, granularity: Int, start: Date,
        stop: Date)
}

/// Fetches the points of a statistics request: the Gnocchi HTTP client, or a fake in tests.
public protocol StatisticsFetcher: Sendable {
    /// The points the request answers, every granularity.
    /// - Throws: `GnocchiClientError` for an error answer or an unreachable API.
    func fetch(_ request: StatisticsRequest) async throws(GnocchiClientError) -> [Datapoint]
}
