import Hummingbird
import StratusIndex

/// `/v1/archive_policy_rule`: create, list, show, rename and delete archive policy rules, as Gnocchi 4.7.1's
/// `ArchivePolicyRulesController` / `ArchivePolicyRuleController`. A rule named in the path is looked up
/// first: an unknown one is a 404 whatever the method, caller or body.
struct ArchivePolicyRuleRoutes: APIRouteCollection {
    let environment: APIEnvironment

    func register(on group: RouterGroup<APIRequestContext>) {
        group.post("/v1/archive_policy_rule") { request, context in try await create(request, context) }
        group.get("/v1/archive_policy_rule") { _, context in try await list(context) }
        group.get("/v1/archive_policy_rule/:name") { _, context in try await show(context) }
        group.patch("/v1/archive_policy_rule/:name") { request, context in try await rename(request, context) }
        group.delete("/v1/archive_policy_rule/:name") { _, context in try await delete(context) }
        MethodNotAllowed.register(["PUT", "PATCH", "DELETE"], on: group, path: "/v1/archive_policy_rule", allow: "GET, POST")
        // Gnocchi looks the rule up before routing on the method: an unknown rule is a 404 whatever the method.
        MethodNotAllowed.register(["POST", "PUT"], on: group, path: "/v1/archive_policy_rule/:name", allow: "DELETE, GET, PATCH") {
            _, context in _ = try await existingRule(context)
        }
    }

    private var indexer: any Indexer { environment.core.indexer }

    /// `POST`: 201 with the rule and its `Location`; 403, 415, 400 (schema, or
    /// `{"cause": "Archive policy does not exist", "detail": name}`), 409.
    func create(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        try PolicyRule.createArchivePolicyRule.enforce(identity)
        let body = try await JSONRequestBody.read(request, context: context)
        let rule = try ArchivePolicyRuleBody.rule(from: body)
        do {
            try await indexer.createArchivePolicyRule(rule)
        } catch let error as IndexError where error.code == .archivePolicyNotFound {
            throw APIError(.badRequest, detail: error.archivePolicyNotFoundDetail)
        } catch let error as IndexError where error.code != .database {
            throw error.apiError
        }
        let location = environment.baseURL(of: request)
            + QueryParameters.pythonQuote("/v1/archive_policy_rule/" + rule.name)
        return Response.json(rule.json, status: .created, headers: [.location: location])
    }

    /// `GET` the collection: by metric pattern descending then name, the order rules are matched in.
    func list(_ context: APIRequestContext) async throws -> Response {
        try PolicyRule.listArchivePolicyRule.enforce(try context.requireIdentity())
        let rules = try await withIndexErrors { try await indexer.archivePolicyRules() }
        return Response.json(.array(rules.map(\.json)))
    }

    /// `GET` one.
    func show(_ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let rule = try await existingRule(context)
        try PolicyRule.getArchivePolicyRule.enforce(identity)
        return Response.json(rule.json)
    }

    /// `PATCH` `{"name": new}`: renames (the only change Gnocchi allows); 404, 415, 400 (schema, before the
    /// policy check), 403, 400 "Archive policy rule x does not support change: Archive policy rule y already exists.".
    func rename(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let rule = try await existingRule(context)
        let body = try await JSONRequestBody.read(request, context: context)
        let newName = try ArchivePolicyRuleBody.newName(from: body)
        try PolicyRule.updateArchivePolicyRule.enforce(identity)
        do {
            let renamed = try await indexer.renameArchivePolicyRule(named: rule.name, to: newName)
            return Response.json(renamed.json)
        } catch let error as IndexError where error.code == .archivePolicyRuleAlreadyExists {
            throw APIError(.badRequest, error.message)
        } catch let error as IndexError where error.code != .database {
            throw error.apiError
        }
    }

    /// `DELETE`: 204; 404, 403.
    func delete(_ context: APIRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let rule = try await existingRule(context)
        try PolicyRule.deleteArchivePolicyRule.enforce(identity)
        try await withIndexErrors { try await indexer.deleteArchivePolicyRule(named: rule.name) }
        return Response(status: .noContent)
    }

    /// The rule named by the path, or 404 "Archive policy rule x does not exist".
    private func existingRule(_ context: APIRequestContext) async throws -> ArchivePolicyRule {
        let name = ArchivePolicyRoutes.name(context)
        guard ArchivePolicyRoutes.isStorable(name),
              let rule = try await withIndexErrors({ try await indexer.archivePolicyRule(named: name) }) else {
            throw APIError(.notFound, "Archive policy rule \(name) does not exist")
        }
        return rule
    }
}
