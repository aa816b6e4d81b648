import Foundation
import Hummingbird
import StratusAlarms
import StratusCore

/// `/v2/quotas` (Aodh's `QuotasController`): per-project alarm quotas. Only the `alarms` resource exists; a
/// project without a stored quota has the default, -1 (unlimited).
struct AlarmQuotaHandlers: Sendable {
    let store: any AlarmDatabase

    /// The quota of projects without one (Aodh's `project_alarm_quota` default).
    static let defaultLimit = -1

    /// `GET /v2/quotas[?project_id=p]`: the caller's project by default; another project needs admin.
    func show(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let caller = AlarmCaller(identity: try context.requireIdentity())
        guard let project = QueryParameters(request).value("project_id") ?? caller.projectID else {
            throw AodhError.badRequest("project_id is required (the caller has no project)")
        }
        guard caller.isAdmin || project == caller.projectID else {
            throw AodhError(.unauthorized, "Not Authorized to access project \(project)")
        }
        return Response.json(Self.body(project: project, limits: try await limits(project)))
    }

    /// `POST /v2/quotas` `{"project_id", "quotas": [{"resource": "alarms", "limit": n}]}` (admin): 201.
    func set(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let caller = AlarmCaller(identity: try context.requireIdentity())
        guard caller.isAdmin else { throw AodhError(.forbidden, "RBAC Authorization Failed") }
        let body = try await AlarmRequestBody.json(request, context: context)
        guard case .string(let project) = body["project_id"] ?? .null, !project.isEmpty else {
            throw AlarmBody.invalid("project_id", body["project_id"], "Mandatory field missing.")
        }
        guard case .array(let items) = body["quotas"] ?? .null else {
            throw AlarmBody.invalid("quotas", body["quotas"], "Mandatory field missing.")
        }
        var quotas: [String: Int] = [:]
        for item in items {
            guard case .string(let resource) = item["resource"] ?? .null, resource == "alarms" else {
                throw AlarmBody.invalid("resource", item["resource"], "Value should be one of: alarms")
            }
            guard let limit = item["limit"]?.integerValue, limit >= -1, limit <= Int64(Int32.max) else {
                throw AlarmBody.invalid("limit", item["limit"], "Value should be greater or equal to -1")
            }
            quotas[resource] = Int(limit)
        }
        try await store.setQuotas(projectID: project, quotas)
        return Response.json(Self.body(project: project, limits: try await limits(project)), status: .created)
    }

    /// `DELETE /v2/quotas/{project}` (admin): 204; the project is back to the default.
    func delete(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let caller = AlarmCaller(identity: try context.requireIdentity())
        guard caller.isAdmin else { throw AodhError(.forbidden, "RBAC Authorization Failed") }
        try await store.deleteQuotas(projectID: context.parameters.get("project") ?? "")
        return Response(status: .noContent)
    }

    /// The project's limits with the defaults filled in.
    func limits(_ project: String) async throws -> [String: Int] {
        var limits = try await store.quotas(projectID: project)
        if limits["alarms"] == nil { limits["alarms"] = Self.defaultLimit }
        return limits
    }

    /// Aodh's `Quotas` body.
    static func body(project: String, limits: [String: Int]) -> JSONValue {
        [
            "project_id": .string(project),
            "quotas": .array(limits.keys.sorted().map { ["resource": .string($0), "limit": .integer(Int64(limits[$0]!))] }),
        ]
    }

    /// 403 when creating one more alarm in `project` would exceed its quota.
    func enforce(project: String?, user: String?) async throws {
        guard let project else { return }
        let limit = try await limits(project)["alarms"] ?? Self.defaultLimit
        guard limit >= 0 else { return }
        if try await store.countAlarms(projectID: project, userID: nil) >= limit {
            throw AodhError(.forbidden, "Alarm quota exceeded for user \(user ?? "None") on project \(project)")
        }
    }
}
