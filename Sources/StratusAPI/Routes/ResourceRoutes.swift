import Foundation
import HTTPTypes
import Hummingbird
import StratusCore
import StratusIndex

/// `/v1/resource/{type}[/{id}]`: create, list, bulk delete, show, patch and delete resources, as Gnocchi 4.7.1's
/// `ResourcesByTypeController`, `ResourcesController` and `ResourceController`, checks in the same order.
/// History and the metric sub-endpoints are `ResourceMetricRoutes`.
struct ResourceRoutes: APIRouteCollection {
    let environment: APIEnvironment

    func register(on group: RouterGroup<APIRequestContext>) {
        group.get("/v1/resource") { request, context in try await types(request, context) }
        group.post("/v1/resource/:type") { request, context in try await create(request, context) }
        group.get("/v1/resource/:type") { request, context in try await list(request, context) }
        group.delete("/v1/resource/:type") { request, context in try await deleteMatching(request, context) }
        group.get("/v1/resource/:type/:id") { request, context in try await show(request, context) }
        group.patch("/v1/resource/:type/:id") { request, context in try await update(request, context) }
        group.delete("/v1/resource/:type/:id") { request, context in try await delete(request, context) }
        MethodNotAllowed.register(["PUT"], on: group, path: "/v1/resource/:type", allow: "DELETE, GET, POST")
        MethodNotAllowed.register(["POST", "PUT"], on: group, path: "/v1/resource/:type/:id", allow: "DELETE, GET, PATCH")
    }

    var indexer: any Indexer { environment.core.indexer }

    /// Gnocchi's default resource order.
    static let defaultSorts = ["revision_start:asc", "started_at:asc"]

    // MARK: - Collection

    /// `GET /v1/resource`: `{type: url}` for every type.
    func types(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        _ = try context.requireIdentity()
        let types = try await withIndexErrors { try await indexer.resourceTypes() }
        let base = environment.baseURL(of: request) + "/v1/resource/"
        return Response.json(.object(Dictionary(uniqueKeysWithValues: types.map { ($0.name, .string(base + $0.name)) })))
    }

    /// `POST`: 201 with the resource, `Location`, `ETag` and `Last-Modified`.
    ///
    /// 404 unknown type; 415; 400 schema (voluptuous wording), bad metrics, start after end; 403; 409 "Resource
    /// <id> already exists".
    func create(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let type = try await environment.resourceType(context)
        let body = try await JSONRequestBody.read(request, context: context)
        let fields: ResourceBody.Fields
        do {
            fields = try ResourceBody.fields(body, type: type, creator: identity.user, creation: true)
        } catch {
            throw error.apiError
        }
        guard let id = fields.id else { throw APIError.invalidInput("required key not provided", path: ["id"]) }
        let metrics = try await environment.metricSpecs(fields.metrics ?? [:])
        try PolicyRule.createResource.enforce(
            identity, PolicyTarget(creator: identity.user, projectId: fields.projectId ?? nil))
        let creation = ResourceCreation(
            id: id.uuid, type: type.name, originalResourceId: id.original, creator: identity.user,
            startedAt: fields.startedAt, endedAt: fields.endedAt, userId: fields.userId ?? nil,
            projectId: fields.projectId ?? nil, attributes: fields.attributes, metrics: metrics)
        let resource: Resource
        do {
            resource = try await indexer.createResource(creation)
        } catch let error as IndexError {
            throw error.resourceWriteError
        }
        var headers = ResourcePreconditions.headers(resource)
        headers[.location] = environment.baseURL(of: request)
            + QueryParameters.pythonQuote("/v1/resource/\(type.name)/\(resource.id.lowercaseText)")
        return Response.json(ResourceBody.json(resource), status: .created, headers: headers)
    }

    /// `GET` the collection: `details`, `history`, `sort`, `limit`, `marker`, `attrs`; `Link: rel="next"` when
    /// the page is full. In keystone mode, callers the `list resource` rule does not let see everything see the
    /// resources of their project (`project_id` or creator's project).
    func list(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let type = try await environment.resourceType(context)
        let query = QueryParameters(request)
        let details = try query.bool("details", default: false)
        let history = try query.bool("history", default: false)
        let pagination = try query.pagination(maxLimit: environment.configuration.maxLimit, defaultSorts: Self.defaultSorts)
        let attrs = query.values("attrs")
        let filter = try environment.policyFilter(.listResource, identity)
        let (resources, headers) = try await environment.resourcePage(
            type: type, filter: filter, pagination: pagination, details: details, history: history,
            identity: identity, request: request, query: query)
        return Response.json(.array(resources.map { ResourceBody.json($0, attrs: attrs) }), headers: headers)
    }

    /// `DELETE` the collection: the resources matching a JSON filter body or a `filter=` string (mandatory),
    /// their metrics marked deleted: `{"deleted": n}`.
    func deleteMatching(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let type = try await environment.resourceType(context)
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        var filter: SearchExpression?
        if buffer.readableBytes > 0 {
            try JSONRequestBody.checkMediaType(request, accepting: JSONRequestBody.jsonMediaTypes)
            let body = try JSONRequestBody.parse(Array(buffer: buffer))
            filter = try ResourceSearchSchema.expression(body, creator: identity.user)
        } else if let text = QueryParameters(request).value("filter"), !text.isEmpty {
            filter = try SearchFilterParser.expression(text, creator: identity.user)
        }
        guard var filter else {
            throw APIError(
                .badRequest, "caution: the query can not be empty, or it will                   delete entire database")
        }
        if let policy = try environment.policyFilter(.deleteResources, identity) { filter = .and([policy, filter]) }
        let deleted: Int
        do {
            // Their metrics are marked deleted too, and which ones is not known here.
            defer { environment.forgetAllMetrics() }
            deleted = try await indexer.deleteResources(type: type.name, filter: filter, creator: identity.user)
        } catch let error as SearchError {
            throw error.apiError
        } catch let error as IndexError where error.code != .database {
            throw APIError(.badRequest, error.message)
        }
        return Response.json(["deleted": .integer(Int64(deleted))])
    }

    // MARK: - One resource

    /// `GET` one, with its metrics: `ETag`, `Last-Modified`; 304/412 by the conditional headers; 404, 403.
    func show(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let (type, id) = try await environment.resourcePath(context, identity: identity)
        guard let resource = try await withIndexErrors({ try await indexer.resource(type: type.name, id: id) }) else {
            throw APIError(.notFound, "Resource \(id.lowercaseText) does not exist")
        }
        try PolicyRule.getResource.enforce(identity, resource.policyTarget)
        if let notModified = try ResourcePreconditions.check(resource, request) { return notModified }
        return Response.json(ResourceBody.json(resource), headers: ResourcePreconditions.headers(resource))
    }

    /// `PATCH`: a new revision iff a non-`metrics` attribute changes; `metrics` replaces the map. 404, 403,
    /// 412, 415, 400.
    func update(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let (type, id) = try await environment.resourcePath(context, identity: identity)
        guard let resource = try await withIndexErrors({ try await indexer.resource(type: type.name, id: id) }) else {
            throw APIError(.notFound, "Resource \(id.lowercaseText) does not exist")
        }
        try PolicyRule.updateResource.enforce(identity, resource.policyTarget)
        if let notModified = try ResourcePreconditions.check(resource, request) { return notModified }
        let body = try await JSONRequestBody.read(request, context: context)
        let fields: ResourceBody.Fields
        do {
            fields = try ResourceBody.fields(body, type: type, creator: identity.user, creation: false)
        } catch {
            throw error.apiError
        }
        var metrics: [String: ResourceMetricSpec]?
        if let entries = fields.metrics { metrics = try await environment.metricSpecs(entries) }
        var update = ResourceUpdate(
            startedAt: fields.startedAt, endedAt: fields.endedAt.map { .some($0) }, userId: fields.userId,
            projectId: fields.projectId, attributes: fields.attributes, metrics: metrics)
        update.createRevision = update.changes(resource)
        guard !fields.isEmpty, update.createRevision || metrics != nil else {
            return Response.json(ResourceBody.json(resource), headers: ResourcePreconditions.headers(resource))
        }
        let updated: Resource
        do {
            updated = try await indexer.updateResource(type: type.name, id: id, update)
        } catch let error as IndexError {
            throw error.resourceWriteError
        }
        return Response.json(ResourceBody.json(updated), headers: ResourcePreconditions.headers(updated))
    }

    /// `DELETE`: the resource, its history and (marked deleted) its metrics; 204. 404, 403, 412.
    func delete(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let (type, id) = try await environment.resourcePath(context, identity: identity)
        guard let resource = try await withIndexErrors({ try await indexer.resource(type: type.name, id: id) }) else {
            throw APIError(.notFound, "Resource \(id.lowercaseText) does not exist")
        }
        try PolicyRule.deleteResource.enforce(identity, resource.policyTarget)
        if let notModified = try ResourcePreconditions.check(resource, request) { return notModified }
        for metricId in resource.metrics.values { environment.forgetMetric(metricId) }
        do {
            try await indexer.deleteResource(id: id)
        } catch let error as IndexError where error.code == .resourceNotFound {
            throw APIError(.notFound, error.message)
        }
        return Response(status: .noContent)
    }
}

extension Resource {
    /// What the resource rules are checked against.
    var policyTarget: PolicyTarget { PolicyTarget(creator: creator, projectId: projectId) }
}

extension IndexError {
    /// The answer to a failed resource create or update, as Gnocchi's controllers catch them: 409 for an
    /// existing resource or metric name, 404 for a vanished resource, 400 with the message otherwise.
    var resourceWriteError: APIError {
        switch code {
        case .resourceAlreadyExists, .metricAlreadyExists: APIError(.conflict, message)
        case .resourceNotFound: APIError(.notFound, message)
        case .database: APIError(.internalServerError, "Internal server error")
        default: APIError(.badRequest, message)
        }
    }
}

extension APIEnvironment {
    /// The resource type of the `:type` path segment. - Throws: 404 "Resource type x does not exist".
    func resourceType(_ context: APIRequestContext) async throws -> ResourceType {
        let name = QueryParameters.percentDecode(context.parameters.get("type").map { $0[...] } ?? "", plusAsSpace: false)
        guard ArchivePolicyRoutes.isStorable(name),
              let type = try await withIndexErrors({ try await core.indexer.resourceType(named: name) })
        else {
            throw APIError(.notFound, "Resource type \(name) does not exist")
        }
        return type
    }

    /// The type and resource id of `/v1/resource/:type/:id`: the id as Gnocchi's `ResourceUUID` reads it for the
    /// caller. - Throws: 404 for an unknown type or an id that cannot be one.
    func resourcePath(_ context: APIRequestContext, identity: Identity) async throws -> (ResourceType, UUID) {
        let type = try await resourceType(context)
        let text = QueryParameters.percentDecode(context.parameters.get("id").map { $0[...] } ?? "", plusAsSpace: false)
        guard let id = try? ResourceIdentifier.uuid(text, creator: identity.user) else {
            throw APIError(.notFound, "Resource \(text) does not exist")
        }
        return (type, id)
    }

    /// The index's metric specifications of a body's `metrics`: archive policy rules applied to new metrics
    /// without a policy, as Gnocchi's `MetricSchema`. - Throws: 400 when no policy and no rule applies.
    func metricSpecs(_ entries: [String: ResourceBody.MetricEntry]) async throws -> [String: ResourceMetricSpec] {
        var specs: [String: ResourceMetricSpec] = [:]
        for (name, entry) in entries {
            switch entry {
            case .existing(let id):
                specs[name] = .existing(id)
            case .create(let policy?, let unit):
                specs[name] = .create(archivePolicyName: policy, unit: unit)
            case .create(nil, let unit):
                guard let rule = try await withIndexErrors({ try await core.indexer.archivePolicyRule(matchingMetricName: name) })
                else {
                    throw APIError(.badRequest, "No archive policy name specified and no archive policy rule found "
                        + "matching the metric name \(name)")
                }
                specs[name] = .create(archivePolicyName: rule.archivePolicyName, unit: unit)
            }
        }
        return specs
    }

    /// Gnocchi's `get_resource_policy_filter`: nil when the rule lets the caller see every resource (always
    /// outside keystone mode), else the resources of the caller's project.
    /// - Throws: 403 when the caller has no project.
    func policyFilter(_ rule: PolicyRule, _ identity: Identity) throws(APIError) -> SearchExpression? {
        guard authMode == .keystone, !rule.allows(identity) else { return nil }
        guard let project = identity.projectId else { throw APIError(.forbidden, "") }
        var alternatives: [SearchExpression] = []
        if rule.allows(identity, PolicyTarget(projectId: project)) {
            alternatives.append(.equal("project_id", .string(project)))
        }
        if rule.allows(identity, PolicyTarget(creator: ":" + project)) {
            alternatives.append(.comparison(.like, attribute: "creator", value: .string("%:" + project)))
        }
        guard !alternatives.isEmpty else { throw APIError(.forbidden, "") }
        return alternatives.count == 1 ? alternatives[0] : .or(alternatives)
    }

    /// `listResources`, answering index and search errors as Gnocchi: "Invalid pagination: `…'" for a bad
    /// marker, the message otherwise.
    func listResources(type: String, _ query: ResourceQuery) async throws -> [Resource] {
        do {
            return try await core.indexer.listResources(type: type, query: query)
        } catch let error as SearchError {
            throw error.apiError
        } catch let error as IndexError where error.code == .invalidQuery {
            throw APIError(.badRequest, "Invalid pagination: `\(error.message)'")
        } catch let error as IndexError where error.code != .database {
            throw APIError(.badRequest, error.message)
        }
    }
}

extension APIEnvironment {
    /// One page of a resource listing or search (sorted, limited, after the marker), with the `Link: rel="next"`
    /// header when the page is full.
    func resourcePage(
        type: ResourceType, filter: SearchExpression?, pagination: QueryParameters.Pagination, details: Bool, history: Bool,
        identity: Identity, request: Request, query: QueryParameters
    ) async throws -> ([Resource], HTTPFields) {
        let sorts = try QueryParameters.sorts(
            pagination.sorts, validKeys: Set(Resource.genericColumns + type.attributes.map(\.name)))
        let resources = try await listResources(
            type: type.name,
            ResourceQuery(
                filter: filter, sort: sorts.map { (key: $0.key, ascending: $0.ascending) }, limit: pagination.limit,
                marker: pagination.marker, details: details, history: history, creator: identity.user))
        var headers: HTTPFields = [:]
        if let last = resources.last, resources.count >= pagination.limit {
            let marker = history ? "\(last.id.lowercaseText)@\(last.revision)" : last.id.lowercaseText
            headers[HTTPField.Name("Link")!] = MetricRoutes.nextLink(
                base: baseURL(of: request) + request.uri.path, query: query,
                limit: pagination.limit, marker: marker, sorts: pagination.sorts)
        }
        return (resources, headers)
    }
}
