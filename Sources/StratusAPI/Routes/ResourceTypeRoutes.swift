import Foundation
import HTTPTypes
import Hummingbird
import StratusIndex

/// `/v1/resource_type`: create, list, show, patch (JSON Patch) and delete resource types, as Gnocchi 4.7.1's
/// `ResourceTypesController` / `ResourceTypeController`, checks in the same order.
struct ResourceTypeRoutes: APIRouteCollection {
    let environment: APIEnvironment

    /// The media type of `PATCH` bodies.
    static let jsonPatchMediaTypes: Set<String> = ["application/json-patch+json"]

    func register(on group: RouterGroup<APIRequestContext>) {
        group.post("/v1/resource_type") { request, context in try await create(request, context) }
        group.get("/v1/resource_type") { _, context in try await list(context) }
        group.get("/v1/resource_type/:name") { _, context in try await show(context) }
        group.patch("/v1/resource_type/:name") { request, context in try await update(request, context) }
        group.delete("/v1/resource_type/:name") { _, context in try await delete(context) }
        MethodNotAllowed.register(["PUT", "PATCH", "DELETE"], on: group, path: "/v1/resource_type", allow: "GET, POST")
        MethodNotAllowed.register(["POST", "PUT"], on: group, path: "/v1/resource_type/:name", allow: "DELETE, GET, PATCH")
    }

    private var indexer: any Indexer { environment.core.indexer }

    /// `POST`: 201 with the type (`state` active) and its `Location`; 415, 400 (schema, attribute name or
    /// bounds), 403 unless admin or service, 409 "Resource type x already exists".
    func create(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let body = try await JSONRequestBody.read(request, context: context)
        let type = try ResourceTypeBody.creation(body)
        try PolicyRule.createResourceType.enforce(identity)
        let created: ResourceType
        do {
            created = try await indexer.createResourceType(type)
        } catch let error as IndexError where error.code == .invalidResourceAttribute {
            throw APIError(.badRequest, "Invalid input: \(error.message)")
        } catch let error as IndexError where error.code != .database {
            throw error.apiError
        }
        let location = environment.baseURL(of: request) + QueryParameters.pythonQuote("/v1/resource_type/" + created.name)
        return Response.json(ResourceTypeBody.json(created), status: .created, headers: [.location: location])
    }

    /// `GET` the collection: every type, by name.
    func list(_ context: APIRequestContext) async throws -> Response {
        try PolicyRule.listResourceType.enforce(try context.requireIdentity())
        let types = try await withIndexErrors { try await indexer.resourceTypes() }
        return Response.json(.array(types.map(ResourceTypeBody.json)))
    }

    /// `GET` one: 404 "Resource type x does not exist".
    func show(_ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let type = try await existingType(context)
        try PolicyRule.getResourceType.enforce(identity)
        return Response.json(ResourceTypeBody.json(type))
    }

    /// `PATCH` with a JSON Patch (`application/json-patch+json`, else 415) adding and removing attributes:
    /// 404, 403, 415, 400; the type after the change (unchanged when the patch changes nothing).
    func update(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let type = try await existingType(context)
        try PolicyRule.updateResourceType.enforce(identity)
        let body = try await JSONRequestBody.read(request, context: context, mediaTypes: Self.jsonPatchMediaTypes)
        guard let update = try ResourceTypeBody.update(type, patch: body) else {
            return Response.json(ResourceTypeBody.json(type))
        }
        do {
            let updated = try await indexer.updateResourceType(named: type.name, update)
            return Response.json(ResourceTypeBody.json(updated))
        } catch let error as IndexError where error.code == .invalidResourceAttribute {
            throw APIError(.badRequest, "Invalid input: \(error.message)")
        } catch let error as IndexError where error.code != .database {
            throw APIError(.badRequest, error.message)
        }
    }

    /// `DELETE`: 204; 404, 403 unless admin, 400 "Resource type x is still in use" (also for `generic`).
    func delete(_ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let type = try await existingType(context)
        try PolicyRule.deleteResourceType.enforce(identity)
        do {
            try await indexer.deleteResourceType(named: type.name)
        } catch let error as IndexError where error.code == .resourceTypeInUse || error.code == .resourceTypeNotFound {
            throw APIError(.badRequest, error.message)
        }
        return Response(status: .noContent)
    }

    /// The type named by the path, or 404.
    private func existingType(_ context: APIRequestContext) async throws -> ResourceType {
        let name = ArchivePolicyRoutes.name(context)
        guard ArchivePolicyRoutes.isStorable(name),
              let type = try await withIndexErrors({ try await indexer.resourceType(named: name) })
        else {
            throw APIError(.notFound, "Resource type \(name) does not exist")
        }
        return type
    }
}
