import Carbonara
import HTTPTypes
import Hummingbird
import StratusIndex

/// `/v1/archive_policy`: create, list, show, update (points and back window only) and delete archive policies,
/// as Gnocchi 4.7.1's `ArchivePoliciesController` / `ArchivePolicyController`, checks in the same order.
struct ArchivePolicyRoutes: APIRouteCollection {
    let environment: APIEnvironment

    func register(on group: RouterGroup<APIRequestContext>) {
        group.post("/v1/archive_policy") { request, context in try await create(request, context) }
        group.get("/v1/archive_policy") { _, context in try await list(context) }
        group.get("/v1/archive_policy/:name") { _, context in try await show(context) }
        group.patch("/v1/archive_policy/:name") { request, context in try await update(request, context) }
        group.delete("/v1/archive_policy/:name") { _, context in try await delete(context) }
        MethodNotAllowed.register(["PUT", "PATCH", "DELETE"], on: group, path: "/v1/archive_policy", allow: "GET, POST")
        MethodNotAllowed.register(["POST", "PUT"], on: group, path: "/v1/archive_policy/:name", allow: "DELETE, GET, PATCH")
    }

    private var indexer: any Indexer { environment.core.indexer }

    /// `POST`: 201 with the policy and its `Location`; 403, 415, 400 (schema or definition), 409.
    func create(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        try PolicyRule.createArchivePolicy.enforce(identity)
        let body = try await JSONRequestBody.read(request, context: context)
        let policy = try ArchivePolicyBody.policy(
            from: body, defaultMethods: environment.core.archivePolicyDefaults.defaultAggregationMethods)
        try await withIndexErrors { try await indexer.createArchivePolicy(policy) }
        let location = environment.baseURL(of: request) + QueryParameters.pythonQuote("/v1/archive_policy/" + policy.name)
        return Response.json(policy.json, status: .created, headers: [.location: location])
    }

    /// `GET` the collection: every policy, by name.
    func list(_ context: APIRequestContext) async throws -> Response {
        try PolicyRule.listArchivePolicy.enforce(try context.requireIdentity())
        let policies = try await withIndexErrors { try await indexer.archivePolicies() }
        return Response.json(.array(policies.map(\.json)))
    }

    /// `GET` one: 404 "Archive policy x does not exist".
    func show(_ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let policy = try await existingPolicy(context)
        try PolicyRule.getArchivePolicy.enforce(identity)
        return Response.json(policy.json)
    }

    /// `PATCH`: new points/timespans for the same granularities, optionally a new back window; 404, 403, 415,
    /// 400 (schema, definition, or "Archive policy x does not support change: …").
    func update(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let current = try await existingPolicy(context)
        try PolicyRule.updateArchivePolicy.enforce(identity)
        let body = try await JSONRequestBody.read(request, context: context)
        let update = try ArchivePolicyBody.update(from: body)
        let updated = try await withIndexErrors {
            try await indexer.updateArchivePolicy(
                named: current.name, definition: update.definition, backWindow: update.backWindow)
        }
        environment.forgetArchivePolicy(named: current.name)
        return Response.json(updated.json)
    }

    /// `DELETE`: 204; 403, 404, 400 "Archive policy x is still in use" (by a metric, even deleted, or a rule).
    func delete(_ context: APIRequestContext) async throws -> Response {
        try PolicyRule.deleteArchivePolicy.enforce(try context.requireIdentity())
        let name = Self.name(context)
        guard Self.isStorable(name) else { throw APIError(.notFound, "Archive policy \(name) does not exist") }
        try await withIndexErrors { try await indexer.deleteArchivePolicy(named: name) }
        environment.forgetArchivePolicy(named: name)
        return Response(status: .noContent)
    }

    /// The policy named by the path, or 404.
    private func existingPolicy(_ context: APIRequestContext) async throws -> ArchivePolicy {
        let name = Self.name(context)
        guard Self.isStorable(name),
              let policy = try await withIndexErrors({ try await indexer.archivePolicy(named: name) }) else {
            throw APIError(.notFound, "Archive policy \(name) does not exist")
        }
        return policy
    }

    /// Whether a name can be in the index at all: names with NUL characters are refused on creation, and
    /// PostgreSQL fails on them, so they are answered as unknown without a query.
    static func isStorable(_ name: String) -> Bool { !name.utf8.contains(0) }

    /// The percent-decoded `:name` path segment.
    static func name(_ context: APIRequestContext) -> String {
        QueryParameters.percentDecode(context.parameters.get("name").map { $0[...] } ?? "", plusAsSpace: false)
    }
}
