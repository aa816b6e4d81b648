import Carbonara
import Foundation
import Hummingbird
import NIOCore
import StratusCore
import StratusIndex

/// `POST /v1/search/metric`: the aggregated points of the given metrics whose value matches a predicate, as
/// Gnocchi 4.7.1's `SearchMetricController.post`.
///
/// The points are read through the same path as `GET /v1/metric/{id}/measures` (`MeasuresReader`, one split
/// read per granularity) and filtered as they are written; measures live in the storage driver, not in SQL.
struct SearchMetricRoute: Sendable {
    let environment: APIEnvironment

    /// Query: `metric_id` (repeatable; unknown or deleted ids are left out), `start`, `stop`, `aggregation`
    /// (default `mean`), `granularity` (repeatable; default every granularity of each metric's policy).
    /// Answer: `{metric_id: [[timestamp, granularity, value], …]}`, coarsest granularity first.
    ///
    /// 400 without `metric_id` or body, for a body that fails `MetricSearchSchema`, an invalid `start`, `stop`
    /// or `granularity`, or a method/granularity a metric's policy does not have (`{"cause": "Aggregation does not exist", …}`); 403 unless the caller may
    /// `search metric` every metric.
    func search(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let query = QueryParameters(request)
        let idTexts = query.values("metric_id")
        guard !idTexts.isEmpty else { throw APIError(.badRequest, "Missing argument: `metric_id'") }
        var ids: [UUID] = []
        for text in idTexts {
            guard let id = PythonUUID.parse(text) else {
                throw APIError(.badRequest, "Invalid value: `\(text)' for field `id'")
            }
            if !ids.contains(id) { ids.append(id) }
        }
        let metrics = try await environment.activeMetrics(ids: ids).sorted { $0.id.lowercaseText < $1.id.lowercaseText }
        for metric in metrics { try await environment.enforce(.searchMetric, identity, metric: metric) }

        let body = try await request.body.collect(upTo: context.maxUploadSize)
        guard body.readableBytes > 0 else { throw APIError(.badRequest, "No query specified in body") }
        try JSONRequestBody.checkMediaType(request, accepting: JSONRequestBody.jsonMediaTypes)
        let predicate: MetricValuePredicate
        do {
            predicate = try MetricValuePredicate.parse(try JSONRequestBody.parse(Array(buffer: body)))
        } catch let violation as SchemaViolation {
            throw violation.apiError
        }

        let now = Timestamps.now()
        let start = try Self.timestamp(query.value("start"), name: "start", now: now)
        let stop = try Self.timestamp(query.value("stop"), name: "stop", now: now)
        var granularities: [Int64]?
        for text in query.values("granularity") {
            do {
                granularities = (granularities ?? []) + [try MeasuresRoutes.positiveTimespan(text)]
            } catch {
                throw APIError(.badRequest, detail: [
                    "cause": "Argument value error", "detail": "granularity", "reason": .string(error.reason),
                ])
            }
        }
        let methodName = query.value("aggregation") ?? "mean"

        // Check every metric before reading any, as Gnocchi does.
        var plans: [(metric: Metric, policy: ArchivePolicy, method: AggregationMethod, granularities: [Int64])] = []
        for metric in metrics {
            guard let policy = try await environment.archivePolicy(named: metric.archivePolicyName) else {
                throw APIError(.internalServerError, "Internal server error")
            }
            let wanted = Array(Set(granularities ?? policy.definition.map(\.granularity))).sorted(by: >)
            for granularity in wanted {
                guard let method = AggregationMethod(methodName), policy.aggregationMethods.contains(method),
                      policy.item(granularity: granularity) != nil
                else {
                    // `AggregationDoesNotExist.jsonify()`.
                    throw APIError(.badRequest, detail: [
                        "cause": "Aggregation does not exist",
                        "detail": ["granularity": .number(Double(granularity) / 1e9), "aggregation_method": .string(methodName)],
                    ])
                }
            }
            plans.append((metric, policy, AggregationMethod(methodName)!, wanted))
        }

        var out = ByteBufferAllocator().buffer(capacity: 64 + plans.count * 256)
        out.writeStaticString("{")
        for (index, plan) in plans.enumerated() {
            let aggregates = try await environment.reader.measures(
                of: plan.metric, policy: plan.policy, method: plan.method, granularities: plan.granularities,
                query: MeasuresQuery(start: start, stop: stop))
            var writer = MeasuresWriter(estimatedPoints: 0)
            for aggregate in aggregates {
                writer.append(Self.matching(aggregate.series, predicate), label: .span(aggregate.granularity))
            }
            if index > 0 { out.writeStaticString(", ") }
            out.writeString("\"" + plan.metric.id.lowercaseText + "\": ")
            var points = writer.finish()
            out.writeBuffer(&points)
        }
        out.writeStaticString("}")
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: out))
    }

    /// The points of a series whose value matches.
    static func matching(_ series: TimeSeries, _ predicate: MetricValuePredicate) -> TimeSeries {
        var kept = TimeSeries()
        for index in 0..<series.count where predicate.matches(series.values[index]) {
            kept.timestamps.append(series.timestamps[index])
            kept.values.append(series.values[index])
        }
        return kept
    }

    /// `start`/`stop` as this controller parses them: 400 "Invalid value for start".
    static func timestamp(_ text: String?, name: String, now: Int64) throws(APIError) -> Int64? {
        guard let text else { return nil }
        do {
            return try Timestamps.parse(text, now: now)
        } catch {
            throw APIError(.badRequest, "Invalid value for \(name)")
        }
    }
}
