import Carbonara
import Foundation
import HTTPTypes
import Hummingbird
import StratusCore
import StratusIndex

/// `/v1/metric`: create, list, show and delete metrics, as Gnocchi 4.7.1's `MetricsController` and
/// `MetricController`, with checks in the same order. Measures of a metric are `MeasuresRoutes`.
struct MetricRoutes: APIRouteCollection {
    let environment: APIEnvironment

    func register(on group: RouterGroup<APIRequestContext>) {
        group.post("/v1/metric") { request, context in try await create(request, context) }
        group.get("/v1/metric") { request, context in try await list(request, context) }
        group.get("/v1/metric/:id") { _, context in try await show(context) }
        group.delete("/v1/metric/:id") { _, context in try await delete(context) }
        // Pecan's 405s: the id is looked up (404) before the method is refused.
        MethodNotAllowed.register(["PUT", "PATCH", "DELETE"], on: group, path: "/v1/metric", allow: "GET, POST")
        let lookup: @Sendable (Request, APIRequestContext) async throws -> Void = { [environment] _, context in
            _ = try await environment.indexedActiveMetric(Self.idParameter(context))
        }
        MethodNotAllowed.register(["PUT", "PATCH", "POST"], on: group, path: "/v1/metric/:id", allow: "DELETE, GET", before: lookup)
        MethodNotAllowed.register(
            ["PUT", "PATCH", "DELETE"], on: group, path: "/v1/metric/:id/measures", allow: "DELETE, GET", before: lookup)
    }

    private var indexer: any Indexer { environment.core.indexer }

    // MARK: - Create

    /// `POST`: 201 with the metric (`archive_policy_name`, `resource_id`) and its `Location`.
    ///
    /// 415, 400 (body not JSON, schema, `/` in the name, no policy and no matching rule, unknown policy),
    /// 400 `{"cause": "Attribute value error", …}` for a `resource_id` without `name`. The creator is the
    /// caller's `Identity.user`, as Gnocchi's `get_current_user`.
    func create(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let body = try await JSONRequestBody.read(request, context: context)
        let fields: CreationFields
        do {
            fields = try Self.creationFields(body)
        } catch {
            throw error.apiError
        }
        if let name = fields.name, name.contains("/") {
            throw APIError(.badRequest, "'/' is not supported in metric name")
        }
        var policyName = fields.archivePolicyName
        if policyName == nil {
            guard let rule = try await withIndexErrors({
                try await indexer.archivePolicyRule(matchingMetricName: fields.name ?? "")
            }) else {
                throw APIError(.badRequest, "No archive policy name specified and no archive policy rule found "
                    + "matching the metric name \(fields.name ?? "None")")
            }
            policyName = rule.archivePolicyName
        }
        var attachedTo: UUID?
        if let resourceId = fields.resourceId {
            guard fields.name != nil else {
                throw APIError(.badRequest, detail: [
                    "cause": "Attribute value error", "detail": "name",
                    "reason": "Name cannot be null if resource_id is not null",
                ])
            }
            // As Gnocchi: the resource (of any type) must exist and the caller may update it.
            guard let id = try? ResourceIdentifier.uuid(resourceId, creator: identity.user),
                  let resource = try await withIndexErrors({ try await indexer.resource(type: "generic", id: id) })
            else {
                throw APIError(.notFound, "Resource \(resourceId) does not exist")
            }
            try PolicyRule.updateResource.enforce(identity, resource.policyTarget)
            attachedTo = resource.id
        }
        try PolicyRule.createMetric.enforce(identity, PolicyTarget(creator: identity.user))

        let metric = Metric(
            id: UUID(), name: fields.name, unit: fields.unit, archivePolicyName: policyName ?? "",
            creator: identity.user, resourceId: attachedTo)
        do {
            try await indexer.createMetric(metric)
        } catch let error as IndexError {
            switch error.code {
            case .archivePolicyNotFound: throw APIError(.badRequest, error.message)
            case .metricAlreadyExists where metric.name != nil:
                throw APIError(.badRequest, detail: [
                    "cause": "Named metric already exists", "detail": .string(metric.name ?? ""),
                ])
            default: throw error.apiError
            }
        }
        let location = environment.baseURL(of: request) + "/v1/metric/" + PythonUUID.string(metric.id)
        return Response.json(metric.json(.created), status: .created, headers: [.location: location])
    }

    /// The fields of a creation body.
    struct CreationFields: Equatable {
        var archivePolicyName: String?
        var name: String?
        var unit: String?
        var resourceId: String?
    }

    /// Validates a creation body as Gnocchi's voluptuous `MetricSchema` (every key optional, no other key).
    ///
    /// voluptuous reports the first failing key in body order; a parsed body has no order, so Stratus checks
    /// the keys in alphabetical order.
    /// - Throws: `SchemaViolation` worded as voluptuous.
    static func creationFields(_ body: JSONValue) throws(SchemaViolation) -> CreationFields {
        guard case .object(let object) = body else { throw .structure("expected a dictionary", at: []) }
        var fields = CreationFields()
        for key in object.keys.sorted() {
            let value = object[key]!
            let path: [SchemaViolation.PathElement] = [.key(key)]
            func string() throws(SchemaViolation) -> String {
                try SchemaCoercion.string(value, at: path)
            }
            switch key {
            case "archive_policy_name": fields.archivePolicyName = try string()
            case "name": fields.name = try string()
            case "unit":
                let unit = try string()
                guard unit.unicodeScalars.count <= 31 else { throw .value("length of value must be at most 31", at: path) }
                fields.unit = unit
            case "resource_id":
                // Gnocchi's ResourceUUID: a UUID, or any text of at most 289 characters without '/'.
                let resourceId = try string()
                if resourceId.contains("/") { throw .value("'/' is not supported in resource id", at: path) }
                if let uuid = PythonUUID.parse(resourceId) {
                    fields.resourceId = PythonUUID.string(uuid)
                } else {
                    guard resourceId.unicodeScalars.count <= 289 else {
                        throw .value("transformable resource id >289 max allowed characters", at: path)
                    }
                    fields.resourceId = resourceId
                }
            default:
                throw .structure("extra keys not allowed", at: path)
            }
        }
        return fields
    }

    // MARK: - List

    /// The filters of `GET /v1/metric` (Gnocchi's `MetricListSchema`); others are ignored.
    static let filterNames: Set<String> = [
        "user_id", "project_id", "creator", "name", "id", "unit", "archive_policy_name", "status",
    ]

    /// `GET` the collection: active metrics matching the filters, sorted (`id:asc` by default), at most `limit`
    /// (clamped to `[api] max_limit`), after `marker`; `Link: <…>; rel="next"` when the page is full.
    ///
    /// 400 "Invalid input: …" for a repeated filter or a bad `status`, 400 `{"cause": "Argument value error"}`
    /// for `limit`, 400 "Invalid pagination: …" for the marker or the sort.
    func list(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let query = QueryParameters(request)
        var filters: [String: String] = [:]
        for pair in query.pairs where Self.filterNames.contains(pair.name) && filters[pair.name] == nil {
            let values = query.values(pair.name)
            guard values.count == 1 else {
                throw APIError(.badRequest, "Invalid input: expected str for dictionary value @ data['\(pair.name)']")
            }
            if pair.name == "status", values[0] != "active", values[0] != "delete" {
                throw APIError(.badRequest, "Invalid input: not a valid value for dictionary value @ data['status']")
            }
            filters[pair.name] = values[0]
        }
        let pagination = try query.pagination(maxLimit: environment.configuration.maxLimit, defaultSorts: ["id:asc"])

        var metricQuery = MetricQuery(status: .active, limit: pagination.limit)
        var matchesNothing = false
        // The user/project compatibility filters make a creator `user:project`, ANDed with `creator`.
        var creators: [String] = []
        if filters["user_id"] != nil || filters["project_id"] != nil {
            creators.append((filters["user_id"] ?? "") + ":" + (filters["project_id"] ?? ""))
        }
        if let creator = filters["creator"] { creators.append(creator) }
        if let creator = creators.first {
            metricQuery.creator = creator
            matchesNothing = creators.contains { $0 != creator }
        }
        if let name = filters["name"] { metricQuery.names = [name] }
        if let unit = filters["unit"] { metricQuery.unit = unit }
        if let policy = filters["archive_policy_name"] { metricQuery.archivePolicyName = policy }
        if let id = filters["id"] {
            if let uuid = PythonUUID.parse(id) { metricQuery.ids = [uuid] } else { matchesNothing = true }
        }
        // Gnocchi lists only active metrics, whatever the status filter says.
        if filters["status"] == "delete" { matchesNothing = true }

        // The marker is looked up (among active metrics) before the sort is checked.
        if let marker = pagination.marker {
            guard let id = PythonUUID.parse(marker),
                  let found = try await withIndexErrors({ try await indexer.metric(id: id) }), found.status == .active
            else {
                throw APIError(.badRequest, "Invalid pagination: `Invalid marker: `\(marker)''")
            }
            metricQuery.marker = id
        }
        metricQuery.sort = try QueryParameters.sorts(pagination.sorts, validKeys: MetricQuery.sortKeys, unique: ["id"])
            .map { (key: $0.key, ascending: $0.ascending) }

        let metrics = matchesNothing ? [] : try await visibleMetrics(metricQuery, identity: identity)
        let policies = try await policiesByName(Set(metrics.map(\.archivePolicyName)))
        var headers: HTTPFields = [:]
        if let last = metrics.last, metrics.count >= pagination.limit {
            headers[HTTPField.Name("Link")!] = Self.nextLink(
                base: environment.baseURL(of: request) + request.uri.path, query: query,
                limit: pagination.limit, marker: PythonUUID.string(last.id), sorts: pagination.sorts)
        }
        return Response.json(.array(metrics.map { $0.json(.listed(policies[$0.archivePolicyName])) }), headers: headers)
    }

    /// The metrics of a query the caller may list. Gnocchi filters only in keystone mode, for callers the
    /// `list metric` rule does not let see everything: to the metrics created by their project (Stratus has no
    /// resources, so not yet those of their project's resources). Pages are refilled after filtering.
    private func visibleMetrics(_ query: MetricQuery, identity: Identity) async throws -> [Metric] {
        guard environment.authMode == .keystone, !PolicyRule.listMetric.allows(identity) else {
            return try await withIndexErrors { try await indexer.listMetrics(query) }
        }
        let suffix = ":" + (identity.projectId ?? "")
        let limit = query.limit ?? Int.max
        var page = query
        var visible: [Metric] = []
        while visible.count < limit {
            let batch = try await withIndexErrors { try await indexer.listMetrics(page) }
            visible += batch.filter { $0.creator.hasSuffix(suffix) }
            guard let last = batch.last, batch.count == page.limit ?? Int.max else { break }
            page.marker = last.id
        }
        return Array(visible.prefix(limit))
    }

    /// `Link` of the next page, as Gnocchi's `set_resp_link_hdr`: every query parameter, with `limit`, `marker`
    /// and `sort` replaced, sorted by name, form-encoded.
    static func nextLink(base: String, query: QueryParameters, limit: Int, marker: String, sorts: [String]) -> String {
        var parameters: [String: [String]] = [:]
        for pair in query.pairs { parameters[pair.name, default: []].append(pair.value) }
        parameters["limit"] = [String(limit)]
        parameters["marker"] = [marker]
        parameters["sort"] = sorts
        let encoded = parameters.keys.sorted().flatMap { name in
            parameters[name]!.map { quotePlus(name) + "=" + quotePlus($0) }
        }
        return "<\(base)?\(encoded.joined(separator: "&"))>; rel=\"next\""
    }

    /// Python's `urllib.parse.quote_plus`: letters, digits and `_.-~` kept, space as `+`, the rest `%XX`.
    static func quotePlus(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"),
                 UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: " "):
                out.append(UInt8(ascii: "+"))
            default:
                out.append(contentsOf: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private func policiesByName(_ names: Set<String>) async throws -> [String: ArchivePolicy] {
        guard !names.isEmpty else { return [:] }
        let all = try await withIndexErrors { try await indexer.archivePolicies() }
        return Dictionary(all.filter { names.contains($0.name) }.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    // MARK: - One metric

    /// `GET` one: the metric with its archive policy and resource inlined; 404, 403.
    func show(_ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let metric = try await environment.indexedActiveMetric(Self.idParameter(context))
        try await environment.enforce(.getMetric, identity, metric: metric)
        let policy = try await environment.archivePolicy(named: metric.archivePolicyName)
        return Response.json(metric.json(.detailed(policy)))
    }

    /// `DELETE`: marks the metric deleted (the janitor removes its data), 204; 404, 403 unless admin or creator.
    func delete(_ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let metric = try await environment.indexedActiveMetric(Self.idParameter(context))
        try await environment.enforce(.deleteMetric, identity, metric: metric)
        environment.forgetMetric(metric.id)
        do {
            try await indexer.markMetricDeleted(id: metric.id)
        } catch let error as IndexError where error.code == .metricNotFound {
            throw APIError(.notFound, "Metric \(PythonUUID.string(metric.id)) does not exist")
        }
        return Response(status: .noContent)
    }

    /// The percent-decoded `:id` path segment.
    static func idParameter(_ context: APIRequestContext) -> String {
        QueryParameters.percentDecode(context.parameters.get("id").map { $0[...] } ?? "", plusAsSpace: false)
    }
}

extension APIEnvironment {
    /// The active metric a path segment names, as Gnocchi's `MetricsController._lookup`.
    /// - Throws: `APIError` 404 "Metric <segment> does not exist" for text that is not a UUID, an unknown id or
    ///   a deleted metric.
    /// Reads the index every time (the measures paths use the cached ``activeMetric(_:)``).
    func indexedActiveMetric(_ segment: String) async throws -> Metric {
        guard let id = PythonUUID.parse(segment),
              let metric = try await withIndexErrors({ try await core.indexer.metric(id: id) }),
              metric.status == .active
        else {
            throw APIError(.notFound, "Metric \(segment) does not exist")
        }
        return metric
    }
}

extension Metric {
    /// The creator part of what Gnocchi's metric rules are checked against; `APIEnvironment.enforce(_:_:metric:)`
    /// adds the project of the metric's resource when the creator alone does not grant a rule.
    var policyTarget: PolicyTarget { PolicyTarget(creator: creator) }
}
