import Foundation
import Hummingbird
import StratusCore
import StratusIndex
import StratusStorage

/// `POST /v1/batch/metrics/measures`: measures of several metrics in one body, `{"<metric id>": [measures]}`,
/// as Gnocchi 4.7.1's `MetricsMeasuresBatchController`: all or nothing.
struct BatchRoutes: APIRouteCollection {
    let environment: APIEnvironment

    func register(on group: RouterGroup<APIRequestContext>) {
        group.post("/v1/batch/metrics/measures") { request, context in try await postMetricsMeasures(request, context) }
    }

    /// 202 once every metric's measures are durable in incoming.
    ///
    /// In Gnocchi's order: 415; 400 for a body that is not JSON, a key that is not a UUID or an invalid measures
    /// list (voluptuous wording, the key as path); 400 "Unknown metrics: <ids>" naming every id that is not an
    /// active metric, sorted; 403 unless the caller may post measures to every metric. Nothing is stored unless
    /// everything passes.
    func postMetricsMeasures(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        try JSONRequestBody.checkMediaType(request, accepting: JSONRequestBody.jsonMediaTypes)
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let batch: [(id: UUID, measures: PendingMeasures)]
        do {
            batch = try MeasuresDecoder.decodeBatch(body, now: Timestamps.now())
        } catch {
            throw error.apiError
        }
        guard !batch.isEmpty else { return MeasuresRoutes.accepted }

        let ids = batch.map(\.id)
        let known = try await environment.activeMetrics(ids: ids)
        if known.count != ids.count {
            let found = Set(known.map(\.id))
            let missing = ids.filter { !found.contains($0) }.map(PythonUUID.string).sorted()
            throw APIError(.badRequest, "Unknown metrics: " + missing.joined(separator: ", "))
        }
        // The first refused metric in id order is the one reported; ids are spelled out only when one is refused.
        var refused: [Metric] = []
        for metric in known where !PolicyRule.postMeasures.allows(identity, metric.policyTarget) {
            if try await !environment.allows(.postMeasures, identity, metric: metric) { refused.append(metric) }
        }
        if let first = refused.min(by: { $0.id.isOrderedBefore($1.id) }) {
            try await environment.enforce(.postMeasures, identity, metric: first)
        }

        var measures: [UUID: PendingMeasures] = [:]
        for entry in batch where !entry.measures.isEmpty {
            measures[entry.id] = entry.measures
        }
        if !measures.isEmpty {
            try await environment.core.incoming.add(measures)
            environment.wakeup?.signal()
        }
        return MeasuresRoutes.accepted
    }
}
