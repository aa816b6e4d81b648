import Carbonara
import Foundation
import Hummingbird
import NIOCore
import StratusCore
import StratusIndex
import StratusStorage

/// `/v1/metric/{id}/measures`: post measures into incoming and read aggregates, as Gnocchi 4.7.1's
/// `MetricController.post_measures` / `get_measures`, with checks in the same order.
///
/// The handlers take the metric already looked up, so the routes of resource-named metrics
/// (`/v1/resource/{type}/{id}/metric/{name}/measures`) can reuse them.
struct MeasuresRoutes: APIRouteCollection {
    let environment: APIEnvironment

    func register(on group: RouterGroup<APIRequestContext>) {
        group.post("/v1/metric/:id/measures") { request, context in
            let metric = try await environment.activeMetric(MetricRoutes.idParameter(context))
            return try await postMeasures(to: metric, request, context)
        }
        group.get("/v1/metric/:id/measures") { request, context in
            let metric = try await environment.activeMetric(MetricRoutes.idParameter(context))
            return try await getMeasures(of: metric, request, context)
        }
    }

    // MARK: - POST

    /// Stores measures of `metric`: 202 with an empty body once they are durable in incoming.
    ///
    /// 403 unless admin, service or creator; 415; 400 for a body that is not JSON or not a valid measures list
    /// (nothing is stored then). An empty list is accepted and stores nothing.
    func postMeasures(to metric: Metric, _ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        try await environment.enforce(.postMeasures, identity, metric: metric)
        try JSONRequestBody.checkMediaType(request, accepting: JSONRequestBody.jsonMediaTypes)
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let measures: PendingMeasures
        do {
            measures = try MeasuresDecoder.decodeMeasures(body, now: Timestamps.now())
        } catch {
            throw error.apiError
        }
        if !measures.isEmpty {
            try await environment.core.incoming.add([metric.id: measures])
            environment.wakeup?.signal()
        }
        return Self.accepted
    }

    /// Gnocchi's answer to an accepted write: 202, JSON content type, no body.
    static var accepted: Response {
        Response(status: .accepted, headers: [.contentType: "application/json"])
    }

    // MARK: - GET

    /// The calendar groupings `resample` accepts, by their exact letter.
    static let calendarGroups: [String: CalendarGroup] = Dictionary(
        uniqueKeysWithValues: CalendarGroup.allCases.map { ($0.rawValue, $0) })

    /// The aggregates of `metric`: `[[timestamp, granularity, value], …]`, coarsest granularity first.
    ///
    /// Query: `start`, `stop` (any timestamp form), `aggregation` (default `mean`), `granularity` (repeatable),
    /// `resample` (a span or `Y`/`H`/`Q`/`M`/`W`, needs `granularity`), `refresh` (process waiting measures first).
    /// 403; 400 for unparsable arguments; 404 for a method or granularity the policy does not have; 503 when
    /// `refresh` cannot lock the metric's sack within `[api] operation_timeout`.
    func getMeasures(of metric: Metric, _ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        try await environment.enforce(.getMeasures, identity, metric: metric)
        let query = QueryParameters(request)
        let granularityTexts = query.values("granularity")
        let hasGranularity = !granularityTexts.isEmpty && granularityTexts != [""]

        var resample: ResampleTarget?
        if let text = query.value("resample"), !text.isEmpty {
            guard hasGranularity else {
                throw APIError(.badRequest, "A granularity must be specified to resample")
            }
            if let group = Self.calendarGroups[text] {
                resample = .calendar(group)
            } else {
                do {
                    resample = .span(try Self.positiveTimespan(text))
                } catch {
                    throw APIError(.badRequest, error.reason)
                }
            }
        }

        let now = Timestamps.now()
        let start = try Self.timestampArgument(query.value("start"), name: "start", now: now)
        let stop = try Self.timestampArgument(query.value("stop"), name: "stop", now: now)
        var granularities: [Int64]?
        for text in granularityTexts {
            do {
                granularities = (granularities ?? []) + [try Self.positiveTimespan(text)]
            } catch {
                throw APIError(.badRequest, detail: [
                    "cause": "Argument value error", "detail": "granularity", "reason": .string(error.reason),
                ])
            }
        }

        guard let policy = try await withIndexErrors({
            try await environment.archivePolicy(named: metric.archivePolicyName)
        }) else {
            throw APIError(.internalServerError, "Internal server error")
        }
        let methodName = query.value("aggregation") ?? "mean"
        guard let method = AggregationMethod(methodName), policy.aggregationMethods.contains(method) else {
            throw APIError(.notFound, detail: [
                "cause": "Aggregation method does not exist for this metric",
                "detail": ["metric": .string(PythonUUID.string(metric.id)), "aggregation_method": .string(methodName)],
            ])
        }
        let wanted = Array(Set(granularities ?? policy.definition.map(\.granularity))).sorted(by: >)
        for granularity in wanted where policy.item(granularity: granularity) == nil {
            throw APIError(.notFound, "Aggregation method '\(methodName)' at granularity "
                + "'\(MeasuresWriter.pythonRepr(Double(granularity) / 1e9))' for metric "
                + "\(PythonUUID.string(metric.id)) does not exist")
        }

        if try query.bool("refresh", default: false) {
            try await refresh(metric)
        }

        let aggregates: [MeasuresReader.Aggregate]
        do {
            aggregates = try await environment.reader.measures(
                of: metric, policy: policy, method: method, granularities: wanted,
                query: MeasuresQuery(start: start, stop: stop, resample: resample))
        } catch let error as ResampleError {
            throw APIError(.badRequest, error.reason)
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: Self.body(aggregates, resample: resample)))
    }

    /// Processes the metric's waiting measures now (Gnocchi's `refresh_metrics`), if it has any.
    /// - Throws: `APIError` 503 when its sack stays locked for `[api] operation_timeout`.
    private func refresh(_ metric: Metric) async throws {
        let waiting = try await environment.core.incoming.read(metric: metric.id)
        guard !waiting.handles.isEmpty else { return }
        do {
            try await environment.core.processor.process(metric: metric.id, timeout: environment.configuration.operationTimeout)
        } catch let error as StorageError where error.code == .lockTimeout || error.code == .sackLocked {
            throw APIError(.serviceUnavailable, "Unable to refresh metric: \(PythonUUID.string(metric.id)). "
                + "Metric is locked. Please try again.")
        }
    }

    /// `utils.to_timespan(text)`: a duration that must be positive.
    /// - Throws: `DurationError` with Gnocchi's reason ("Unable to parse timespan", "Timespan must be positive").
    static func positiveTimespan(_ text: String) throws(DurationError) -> Int64 {
        let nanoseconds = try Durations.parse(text)
        guard nanoseconds > 0 else { throw DurationError(text: text, reason: "Timespan must be positive") }
        return nanoseconds
    }

    /// `start`/`stop` as Gnocchi's `validate_qs`: any timestamp form, else 400 "Must be a datetime or a timestamp".
    static func timestampArgument(_ text: String?, name: String, now: Int64) throws(APIError) -> Int64? {
        guard let text else { return nil }
        do {
            return try Timestamps.parse(text, now: now)
        } catch {
            throw APIError(.badRequest, detail: [
                "cause": "Argument value error", "detail": .string(name), "reason": "Must be a datetime or a timestamp",
            ])
        }
    }

    /// The `[[timestamp, granularity, value], …]` body of aggregates, each labelled with the resample target
    /// when there is one, else with its granularity.
    static func body(_ aggregates: [MeasuresReader.Aggregate], resample: ResampleTarget?) -> ByteBuffer {
        var writer = MeasuresWriter(estimatedPoints: aggregates.reduce(0) { $0 + $1.series.count })
        for aggregate in aggregates {
            let label: MeasuresWriter.GranularityLabel = switch resample {
            case .span(let span)?: .span(span)
            case .calendar(let group)?: .calendar(group.rawValue)
            case nil: .span(aggregate.granularity)
            }
            writer.append(aggregate.series, label: label)
        }
        return writer.finish()
    }
}
