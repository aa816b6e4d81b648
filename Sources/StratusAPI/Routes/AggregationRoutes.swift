import Carbonara
import Foundation
import Hummingbird
import NIOCore
import StratusCore
import StratusIndex
import StratusStorage

/// The deprecated `/v1/aggregation` routes, on top of the `/v1/aggregates` engine as Gnocchi 4.7.1's
/// `AggregationController` builds them: `(aggregate REAGGREGATION [(resample AGGREGATION RESAMPLE] (metric (ID
/// AGGREGATION) …)))`, a single metric short-circuiting to its plain measures.
///
/// - `GET|POST /v1/aggregation/metric`: metric ids as repeated `metric=` or a JSON list body.
/// - `POST /v1/aggregation/resource/{type}/metric/{name}`: the metric `name` of the resources a search (JSON body
///   or `filter=`) matches, optionally grouped (`groupby`, repeatable): `[{"group": {…}, "measures": […]}]`.
///
/// Query: `start`, `stop`, `aggregation` (default `mean`), `reaggregation` (default the aggregation),
/// `granularity`, `needed_overlap` (default 100), `fill`, `refresh`, `resample`.
struct AggregationRoutes: APIRouteCollection {
    let environment: APIEnvironment

    func register(on group: RouterGroup<APIRequestContext>) {
        group.get("/v1/aggregation/metric") { request, context in try await metricAggregation(request, context, post: false) }
        group.post("/v1/aggregation/metric") { request, context in try await metricAggregation(request, context, post: true) }
        group.post("/v1/aggregation/resource/:type/metric/:name") { request, context in try await resourceAggregation(request, context) }
        MethodNotAllowed.register(["PUT", "PATCH", "DELETE"], on: group, path: "/v1/aggregation/metric", allow: "GET, POST")
        MethodNotAllowed.register(["GET", "PUT", "PATCH", "DELETE"], on: group, path: "/v1/aggregation/resource/:type/metric/:name", allow: "POST")
    }

    func metricAggregation(_ request: Request, _ context: APIRequestContext, post: Bool) async throws -> Response {
        let identity = try context.requireIdentity()
        var ids = [UUID]()
        if post {
            let body = try await JSONRequestBody.read(request, context: context)
            guard case .array(let items) = body else { throw APIError.invalidInput("expected a list") }
            for (index, item) in items.enumerated() {
                guard case .string(let text) = item, let id = PythonUUID.parse(text) else {
                    throw APIError.invalidInput("not a valid value @ data[\(index)]", path: [String(index)])
                }
                ids.append(id)
            }
        } else {
            for (index, text) in QueryParameters(request).values("metric").enumerated() {
                guard let id = PythonUUID.parse(text) else {
                    throw APIError(.badRequest, "Invalid input: not a valid value @ data[\(index)]")
                }
                ids.append(id)
            }
        }
        var unique = [UUID]()
        for id in ids where !unique.contains(id) { unique.append(id) }
        let metrics = try await environment.activeMetrics(ids: unique)
        let found = Set(metrics.map(\.id))
        if let missing = unique.first(where: { !found.contains($0) }) {
            throw APIError(.notFound, "Metric \(PythonUUID.string(missing)) does not exist")
        }
        let ordered = unique.compactMap { id in metrics.first { $0.id == id } }
        let rows = try await crossMetricMeasures(ordered, QueryParameters(request), identity: identity)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: rows)))
    }

    func resourceAggregation(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let type = try await environment.resourceType(context)
        let metricName = QueryParameters.percentDecode(context.parameters.get("name").map { $0[...] } ?? "", plusAsSpace: false)
        let query = QueryParameters(request)
        let groupby = Array(Set(query.values("groupby"))).sorted()
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        var filter: SearchExpression?
        if buffer.readableBytes > 0 {
            try JSONRequestBody.checkMediaType(request, accepting: JSONRequestBody.jsonMediaTypes)
            filter = try ResourceSearchSchema.expression(try JSONRequestBody.parse(Array(buffer: buffer)), creator: identity.user)
        } else if let text = query.value("filter"), !text.isEmpty {
            filter = try SearchFilterParser.expression(text, creator: identity.user)
        }
        if let policy = try environment.policyFilter(.searchResource, identity) {
            filter = filter.map { .and([policy, $0]) } ?? policy
        }
        let sortable = Set(Resource.genericColumns + type.attributes.map(\.name))
        if groupby.contains(where: { !sortable.contains($0) }) {
            throw APIError(.badRequest, "Invalid groupby attribute")
        }
        let sort = groupby.isEmpty ? ResourceQuery.defaultSort : groupby.map { (key: $0, ascending: true) }
        let resources = try await environment.listResources(
            type: type.name, ResourceQuery(filter: filter, sort: sort, details: !groupby.isEmpty, creator: identity.user))

        func metrics(of members: ArraySlice<Resource>) async throws -> [Metric] {
            let ids = members.compactMap { $0.metrics[metricName] }
            let found = try await environment.activeMetrics(ids: ids)
            return ids.compactMap { id in found.first { $0.id == id } }
        }
        if groupby.isEmpty {
            let rows = try await crossMetricMeasures(try await metrics(of: resources[...]), query, identity: identity)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: rows)))
        }
        let grouping = ResourceAggregates(environment: environment, identity: identity)
        var out = [UInt8(ascii: "[")]
        var index = 0
        while index < resources.count {
            let key = grouping.groupKey(resources[index], groupby)
            var end = index + 1
            while end < resources.count, grouping.groupKey(resources[end], groupby) == key { end += 1 }
            if index > 0 { out += Array(", ".utf8) }
            out += Array(#"{"group": "#.utf8)
            JSONWriter.write(.object(Dictionary(uniqueKeysWithValues: zip(groupby, key))), into: &out)
            out += Array(#", "measures": "#.utf8)
            out += try await crossMetricMeasures(try await metrics(of: resources[index..<end]), query, identity: identity)
            out.append(UInt8(ascii: "}"))
            index = end
        }
        out.append(UInt8(ascii: "]"))
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: out)))
    }

    /// Gnocchi's `get_cross_metric_measures_from_objs`: the rows `[[timestamp, granularity, value], …]`.
    func crossMetricMeasures(_ metrics: [Metric], _ query: QueryParameters, identity: Identity) async throws -> [UInt8] {
        let now = Timestamps.now()
        var arguments = try AggregatesArguments(query, now: now, defaultFill: nil)
        if arguments.neededOverlap == nil { arguments.neededOverlap = 100 }
        let aggregation = query.value("aggregation") ?? "mean"
        let reaggregation = query.value("reaggregation") ?? aggregation
        for metric in metrics { try await environment.enforce(.getMetric, identity, metric: metric) }
        guard !metrics.isEmpty else { return Array("[]".utf8) }

        var resample: ResampleTarget?
        if let text = query.value("resample") {
            guard arguments.granularity != nil else { throw APIError(.badRequest, "A granularity must be specified to resample") }
            if let group = MeasuresRoutes.calendarGroups[text] {
                resample = .calendar(group)
            } else {
                do {
                    resample = .span(try MeasuresRoutes.positiveTimespan(text))
                } catch {
                    throw APIError(.badRequest, error.reason)
                }
            }
        }

        var policies = [String: ArchivePolicy]()
        for metric in metrics where policies[metric.archivePolicyName] == nil {
            guard let policy = try await environment.archivePolicy(named: metric.archivePolicyName) else {
                throw APIError(.internalServerError, "Internal server error")
            }
            policies[metric.archivePolicyName] = policy
        }
        let granularities: [Int64]
        if let granularity = arguments.granularity {
            granularities = [granularity]
        } else {
            var counts = [Int64: Int]()
            for metric in metrics { for item in policies[metric.archivePolicyName]!.definition { counts[item.granularity, default: 0] += 1 } }
            granularities = counts.filter { $0.value == metrics.count }.map(\.key).sorted(by: >)
            guard !granularities.isEmpty else {
                throw APIError(.badRequest, detail: [
                    "cause": "Metrics cannot be aggregated", "reason": "No granularity match",
                    "detail": .array(metrics.map { [.string(PythonUUID.string($0.id)), .string(aggregation)] }),
                ])
            }
        }
        let method = AggregationMethod(aggregation)
        for metric in metrics {
            let policy = policies[metric.archivePolicyName]!
            for g in granularities where method.map({ !policy.aggregationMethods.contains($0) }) ?? true || policy.item(granularity: g) == nil {
                throw APIError(.notFound, "Aggregation method '\(aggregation)' at granularity '\(MeasuresWriter.pythonRepr(Double(g) / 1e9))' "
                    + "for metric \(PythonUUID.string(metric.id)) does not exist")
            }
        }
        if try query.bool("refresh", default: false) {
            for metric in metrics { try await refresh(metric) }
        }

        if metrics.count == 1, let method {
            let metric = metrics[0]
            let aggregates: [MeasuresReader.Aggregate]
            do {
                aggregates = try await environment.reader.measures(
                    of: metric, policy: policies[metric.archivePolicyName]!, method: method, granularities: granularities,
                    query: MeasuresQuery(start: arguments.start, stop: arguments.stop, resample: resample))
            } catch let error as ResampleError {
                throw APIError(.badRequest, error.reason)
            }
            var buffer = MeasuresRoutes.body(aggregates, resample: resample)
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        }

        guard let cross = CrossMethod(reaggregation) else {
            throw APIError(.badRequest, "Invalid reaggregation method '\(reaggregation)'")
        }
        let lookups = metrics.map { MetricLookup(PythonUUID.string($0.id), aggregation) }
        var source = AggregateOperation.metric(lookups, listForm: true)
        switch resample {
        case .span(let span)?: source = .resample(aggregation, span, source)
        case .calendar?: throw APIError(.badRequest, "Calendar resampling is not supported across several metrics")
        case nil: break
        }
        let references = zip(lookups, metrics).map { lookup, metric in
            AggregatesReference(lookup: lookup, metric: metric, policy: policies[metric.archivePolicyName]!, resourceId: nil)
        }
        let result = try await AggregatesFetcher(environment: environment).aggregate(
            references, operation: .aggregate(cross, source), arguments: arguments)
        return AggregatesWriter.rows(result, column: 0)
    }

    /// Processes a metric's waiting measures now (`refresh=true`). - Throws: 503 when its sack stays locked.
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
}
