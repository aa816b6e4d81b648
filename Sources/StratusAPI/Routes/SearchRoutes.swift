import Foundation
import HTTPTypes
import Hummingbird
import StratusIndex

/// `/v1/search`: the resource search (`POST /v1/search/resource/{type}`) and the metric value search
/// (`POST /v1/search/metric`), as Gnocchi 4.7.1's `SearchController`.
struct SearchRoutes: APIRouteCollection {
    let environment: APIEnvironment

    func register(on group: RouterGroup<APIRequestContext>) {
        let metric = SearchMetricRoute(environment: environment)
        group.post("/v1/search/metric") { request, context in try await metric.search(request, context) }
        group.post("/v1/search/resource/:type") { request, context in try await searchResources(request, context) }
    }

    /// `POST /v1/search/resource/{type}`: the resources (or, with `history`, the revisions) of a type matching a
    /// JSON query body or a `filter=` string (neither: every resource), with `details`, `history`, `sort`,
    /// `limit`, `marker` and `attrs` as the resource list; `Link: rel="next"` when the page is full.
    ///
    /// The query is compiled to SQL by the index (`listResources`). 404 for an unknown type; 415 for a body
    /// that is not JSON; 400 for a query that does not parse (voluptuous' message, or "Invalid filter: …"
    /// with where and why), an unknown attribute ("Resource type T has no A attribute"), a value the attribute
    /// cannot hold ("Invalid value: …"), bad pagination. In keystone mode, callers the `search resource` rule
    /// does not let see everything only find the resources of their project.
    func searchResources(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let type = try await environment.resourceType(context)
        let query = QueryParameters(request)
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        var filter: SearchExpression?
        if buffer.readableBytes > 0 {
            try JSONRequestBody.checkMediaType(request, accepting: JSONRequestBody.jsonMediaTypes)
            filter = try ResourceSearchSchema.expression(try JSONRequestBody.parse(Array(buffer: buffer)), creator: identity.user)
        } else if let text = query.value("filter"), !text.isEmpty {
            filter = try SearchFilterParser.expression(text, creator: identity.user)
        }
        let details = try query.bool("details", default: false)
        let history = try query.bool("history", default: false)
        let pagination = try query.pagination(
            maxLimit: environment.configuration.maxLimit, defaultSorts: ResourceRoutes.defaultSorts)
        if let policy = try environment.policyFilter(.searchResource, identity) {
            filter = filter.map { .and([policy, $0]) } ?? policy
        }
        let (resources, headers) = try await environment.resourcePage(
            type: type, filter: filter, pagination: pagination, details: details, history: history,
            identity: identity, request: request, query: query)
        let attrs = query.values("attrs")
        return Response.json(.array(resources.map { ResourceBody.json($0, attrs: attrs) }), headers: headers)
    }
}

extension SearchError {
    /// Gnocchi's answer: the indexer's `QueryError` family and `Invalid filter` are all 400 with the message.
    var apiError: APIError { APIError(.badRequest, message) }
}
