import Carbonara
import Foundation
import Hummingbird
import NIOCore
import StratusCore
import StratusIndex

/// `POST /v1/aggregates`: the operation language across series, as Gnocchi 4.7.1's `AggregatesController`.
///
/// Body `{"operations": …}` (a JSON tree or an S-expression string) names metrics by id; with
/// `"resource_type"` and `"search"` (a JSON query or a filter string) it names metrics by name, with fnmatch
/// wildcards, over the resources the search matches. Query: `start`, `stop`, `granularity`,
/// `needed_overlap`, `fill` (`dropna` when neither of the last two is given), `groupby` (repeatable,
/// resource form), `use_history`, `details`.
struct AggregatesRoutes: APIRouteCollection {
    let environment: APIEnvironment

    func register(on group: RouterGroup<APIRequestContext>) {
        group.post("/v1/aggregates") { request, context in try await aggregates(request, context) }
        MethodNotAllowed.register(["GET", "PUT", "PATCH", "DELETE"], on: group, path: "/v1/aggregates", allow: "POST")
        AggregationRoutes(environment: environment).register(on: group)
    }

    /// The validated body.
    struct Body {
        var operation: AggregateOperation
        var resourceType: ResourceType?
        var search: SearchExpression?
    }

    func aggregates(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let query = QueryParameters(request)
        let useHistory = try query.bool("use_history", default: false)
        let details = try query.bool("details", default: false)
        let arguments = try AggregatesArguments(query, now: Timestamps.now(), defaultFill: .dropNA)
        let body = try await readBody(request, context, identity: identity)

        if let type = body.resourceType {
            let groupby = Array(Set(query.values("groupby"))).sorted()
            let resources = ResourceAggregates(environment: environment, identity: identity)
            let answer = try await resources.aggregate(
                body.operation, type: type, search: body.search, groupby: groupby, useHistory: useHistory,
                arguments: arguments, details: details)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: answer)))
        }

        // Metric-id form.
        let lookups = body.operation.references
        var ids = [UUID]()
        for lookup in lookups {
            guard let id = PythonUUID.parse(lookup.name) else {
                throw APIError(.badRequest, detail: [
                    "cause": "Invalid metric references", "reason": "badly formed hexadecimal UUID string",
                    "detail": .array(lookups.map { [.string($0.name), .string($0.aggregation)] }),
                ])
            }
            if !ids.contains(id) { ids.append(id) }
        }
        let metrics = try await environment.activeMetrics(ids: ids)
        let found = Dictionary(metrics.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let missing = ids.filter { found[$0] == nil }.map { PythonUUID.string($0) }.sorted()
        if !missing.isEmpty {
            throw APIError(.notFound, detail: [
                "cause": "Unknown metrics", "reason": "Provided metrics don't exists", "detail": .array(missing.map(JSONValue.string)),
            ])
        }
        for metric in metrics { try await environment.enforce(.getMetric, identity, metric: metric) }

        let operation = body.operation.mappingNames { name in PythonUUID.parse(name).map(PythonUUID.string) ?? name }
        var policies = [String: ArchivePolicy]()
        for metric in metrics where policies[metric.archivePolicyName] == nil {
            policies[metric.archivePolicyName] = try await environment.archivePolicy(named: metric.archivePolicyName)
        }
        var references = [AggregatesReference]()
        for lookup in operation.references {
            let metric = found[PythonUUID.parse(lookup.name)!]!
            guard let policy = policies[metric.archivePolicyName] else {
                throw APIError(.internalServerError, "Internal server error")
            }
            references.append(AggregatesReference(lookup: lookup, metric: metric, policy: policy, resourceId: nil))
        }
        let result = try await AggregatesFetcher(environment: environment).aggregate(references, operation: operation, arguments: arguments)
        var referencesJSON: JSONValue?
        if details {
            referencesJSON = .array(metrics.sorted { PythonUUID.string($0.id) < PythonUUID.string($1.id) }.map {
                $0.json(.detailed(policies[$0.archivePolicyName]))
            })
        }
        let bytes = AggregatesWriter.envelope(measures: AggregatesWriter.measures(result, references: references), references: referencesJSON)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// Validates the body as Gnocchi's `FetchSchema`: `operations`, optionally `resource_type` + `search`.
    /// - Throws: 415; 400 "Invalid input" (voluptuous' messages), "Invalid operations", "Operations is invalid";
    ///   400 "Resource type does not exist"; 400 for a search that does not parse.
    func readBody(_ request: Request, _ context: APIRequestContext, identity: Identity) async throws -> Body {
        let json = try await JSONRequestBody.read(request, context: context)
        guard case .object(let members) = json else {
            throw APIError(.badRequest, detail: ["cause": "Invalid input", "reason": "expected a dictionary", "detail": []])
        }
        for key in members.keys.sorted() where !["operations", "resource_type", "search"].contains(key) {
            throw APIError.invalidInput("extra keys not allowed @ data['\(key)']", path: [key])
        }
        guard let operationsJSON = members["operations"] else {
            throw APIError.invalidInput("required key not provided @ data['operations']", path: ["operations"])
        }
        let operation: AggregateOperation
        do {
            if case .string(let text) = operationsJSON {
                operation = try AggregateOperation.parse(text)
            } else {
                operation = try AggregateOperation.parse(OperationNode(operationsJSON))
            }
        } catch {
            throw error.apiError
        }
        var body = Body(operation: operation)
        if members["resource_type"] != nil || members["search"] != nil {
            guard case .string(let typeName)? = members["resource_type"] else {
                let present = members["resource_type"] != nil
                throw APIError.invalidInput(
                    present ? "expected str for dictionary value @ data['resource_type']" : "required key not provided @ data['resource_type']",
                    path: ["resource_type"])
            }
            guard let type = try await withIndexErrors({ try await environment.core.indexer.resourceType(named: typeName) }) else {
                throw APIError(.badRequest, detail: ["cause": "Resource type does not exist", "detail": .string(typeName)])
            }
            body.resourceType = type
            switch members["search"] {
            case .string(let text)?:
                body.search = try SearchFilterParser.expression(text, creator: identity.user)
            case let search?:
                body.search = try ResourceSearchSchema.expression(search, creator: identity.user)
            case nil:
                throw APIError.invalidInput("required key not provided @ data['search']", path: ["search"])
            }
        }
        if operation.references.isEmpty {
            throw APIError(.badRequest, detail: [
                "cause": "Operations is invalid", "reason": "At least one 'metric' is required", "detail": operation.node.json,
            ])
        }
        return body
    }
}
