import Foundation
import HTTPTypes
import Hummingbird
import StratusCore
import StratusIndex

/// `/v1/resource/{type}/{id}/history` and `/v1/resource/{type}/{id}/metric[/{name}[/measures]]`, as Gnocchi
/// 4.7.1's `ResourceHistoryController` and `NamedMetricController`. Measures go through `MeasuresRoutes`'
/// handlers, so they behave exactly as `/v1/metric/{id}/measures`.
struct ResourceMetricRoutes: APIRouteCollection {
    let environment: APIEnvironment

    func register(on group: RouterGroup<APIRequestContext>) {
        let measures = MeasuresRoutes(environment: environment)
        group.get("/v1/resource/:type/:id/history") { request, context in try await history(request, context) }
        group.get("/v1/resource/:type/:id/metric") { _, context in try await metrics(context) }
        group.post("/v1/resource/:type/:id/metric") { request, context in try await addMetrics(request, context) }
        group.get("/v1/resource/:type/:id/metric/:name") { _, context in try await showMetric(context) }
        group.delete("/v1/resource/:type/:id/metric/:name") { _, context in try await deleteMetric(context) }
        group.get("/v1/resource/:type/:id/metric/:name/measures") { request, context in
            try await measures.getMeasures(of: try await namedMetric(context), request, context)
        }
        group.post("/v1/resource/:type/:id/metric/:name/measures") { request, context in
            try await measures.postMeasures(to: try await namedMetric(context), request, context)
        }
        MethodNotAllowed.register(["PUT", "PATCH", "DELETE"], on: group, path: "/v1/resource/:type/:id/metric", allow: "GET, POST")
    }

    private var indexer: any Indexer { environment.core.indexer }

    /// The resource of the path, 404 unless it exists, and the caller's identity.
    private func resource(_ context: APIRequestContext) async throws -> (Identity, ResourceType, Resource) {
        let identity = try context.requireIdentity()
        let (type, id) = try await environment.resourcePath(context, identity: identity)
        guard let resource = try await withIndexErrors({ try await indexer.resource(type: type.name, id: id) }) else {
            throw APIError(.notFound, "Resource \(id.lowercaseText) does not exist")
        }
        return (identity, type, resource)
    }

    /// `GET …/history`: every revision, oldest first by default; `details`, `limit`, `marker` (`id@revision`),
    /// `sort`; `Link: rel="next"` when the page is full.
    func history(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        let details = try query.bool("details", default: false)
        let pagination = try query.pagination(
            maxLimit: environment.configuration.maxLimit, defaultSorts: ResourceRoutes.defaultSorts)
        let (identity, type, resource) = try await resource(context)
        try PolicyRule.getResource.enforce(identity, resource.policyTarget)
        let sorts = try QueryParameters.sorts(
            pagination.sorts, validKeys: Set(Resource.genericColumns + type.attributes.map(\.name)))
        let revisions = try await environment.listResources(
            type: type.name,
            ResourceQuery(
                filter: .equal("id", .string(resource.id.lowercaseText)),
                sort: sorts.map { (key: $0.key, ascending: $0.ascending) }, limit: pagination.limit,
                marker: pagination.marker, details: details, history: true, creator: identity.user))
        var headers: HTTPFields = [:]
        if let last = revisions.last, revisions.count >= pagination.limit {
            headers[HTTPField.Name("Link")!] = MetricRoutes.nextLink(
                base: environment.baseURL(of: request) + request.uri.path, query: query, limit: pagination.limit,
                marker: "\(last.id.lowercaseText)@\(last.revision)", sorts: pagination.sorts)
        }
        return Response.json(.array(revisions.map { ResourceBody.json($0) }), headers: headers)
    }

    /// `GET …/metric`: the resource's active metrics.
    func metrics(_ context: APIRequestContext) async throws -> Response {
        let (identity, _, resource) = try await resource(context)
        try PolicyRule.getResource.enforce(identity, resource.policyTarget)
        let metrics = try await withIndexErrors {
            try await indexer.listMetrics(MetricQuery(resourceId: resource.id))
        }
        return Response.json(.array(metrics.map { $0.json(.created) }))
    }

    /// `POST …/metric`: `{name: uuid | {archive_policy_name?, unit?}}` appended to the resource (no revision);
    /// the resource's metrics after. 409 "Named metric x already exists", 400 for an unknown metric or policy.
    func addMetrics(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let (identity, type, resource) = try await resource(context)
        try PolicyRule.updateResource.enforce(identity, resource.policyTarget)
        let body = try await JSONRequestBody.read(request, context: context)
        let entries: [String: ResourceBody.MetricEntry]
        do {
            entries = try ResourceBody.metrics(body, at: [])
        } catch {
            throw error.apiError
        }
        let specs = try await environment.metricSpecs(entries)
        let updated: Resource
        do {
            updated = try await indexer.updateResource(
                type: type.name, id: resource.id,
                ResourceUpdate(metrics: specs, appendMetrics: true, createRevision: false))
        } catch let error as IndexError {
            throw error.resourceWriteError
        }
        let metrics = try await withIndexErrors { try await indexer.metrics(ids: Array(updated.metrics.values)) }
        return Response.json(.array(metrics.map { $0.json(.created) }))
    }

    /// `GET …/metric/{name}`: the metric with its archive policy and resource.
    func showMetric(_ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let metric = try await namedMetric(context)
        try await environment.enforce(.getMetric, identity, metric: metric)
        let policy = try await withIndexErrors { try await indexer.archivePolicy(named: metric.archivePolicyName) }
        return Response.json(metric.json(.detailed(policy)))
    }

    /// `DELETE …/metric/{name}`: marks the metric deleted (and detached); 204.
    func deleteMetric(_ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let metric = try await namedMetric(context)
        try await environment.enforce(.deleteMetric, identity, metric: metric)
        do {
            try await indexer.markMetricDeleted(id: metric.id)
        } catch let error as IndexError where error.code == .metricNotFound {
            throw APIError(.notFound, "Metric \(metric.id.lowercaseText) does not exist")
        }
        return Response(status: .noContent)
    }

    /// The active metric `name` of the path's resource, as Gnocchi's `NamedMetricController._lookup`.
    /// - Throws: 404 "Metric x does not exist" when the resource exists without it, "Resource x does not exist"
    ///   otherwise.
    func namedMetric(_ context: APIRequestContext) async throws -> Metric {
        let identity = try context.requireIdentity()
        let (type, id) = try await environment.resourcePath(context, identity: identity)
        let name = QueryParameters.percentDecode(context.parameters.get("name").map { $0[...] } ?? "", plusAsSpace: false)
        if ArchivePolicyRoutes.isStorable(name),
           let metric = try await withIndexErrors({
               try await indexer.listMetrics(MetricQuery(names: [name], resourceId: id, limit: 1)).first
           }) {
            return metric
        }
        guard try await withIndexErrors({ try await indexer.resource(type: type.name, id: id) }) != nil else {
            throw APIError(.notFound, "Resource \(id.lowercaseText) does not exist")
        }
        throw APIError(.notFound, "Metric \(name) does not exist")
    }
}
