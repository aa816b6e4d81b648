import Carbonara
import Foundation
import Hummingbird
import StratusStorage

/// `GET /v1/capabilities` and `GET /v1/status`, as Gnocchi 4.7.1's `CapabilityController` and `StatusController`.
struct StatusRoutes: APIRouteCollection {
    let environment: APIEnvironment
    /// How this process' metricd is named among processors: `<host>.<worker>.<uuid>`, as Gnocchi names members.
    let memberId: String

    init(environment: APIEnvironment) {
        self.environment = environment
        self.memberId = "\(ProcessInfo.processInfo.hostName).0.\(UUID().uuidString.lowercased())"
    }

    func register(on group: RouterGroup<APIRequestContext>) {
        group.get("/v1/status") { request, context in try await status(request, context) }
        MethodNotAllowed.register(["POST", "PUT", "PATCH", "DELETE"], on: group, path: "/v1/status", allow: "GET")
    }

    /// Registers the routes Gnocchi answers without authentication (it only authenticates on a policy check).
    func registerUnauthenticated(on router: Router<APIRequestContext>) {
        router.get("/v1/capabilities") { _, _ in Self.capabilities() }
        MethodNotAllowed.register(["POST", "PUT", "PATCH", "DELETE"], on: router.group(), path: "/v1/capabilities", allow: "GET")
    }

    /// `{"aggregation_methods": [...]}`: every valid method (`mean`…, `1pct`…`99pct`, and each as `rate:`),
    /// sorted (Gnocchi prints its set in hash order).
    static func capabilities() -> Response {
        Response.json(["aggregation_methods": .array(AggregationMethod.all.map(\.name).sorted().map { .string($0) })])
    }

    /// `?details=` (default true): 403 unless admin, then 400 for a value that is not a boolean, 503 when the
    /// backlog cannot be read.
    func status(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try PolicyRule.getStatus.enforce(try context.requireIdentity())
        let details = try QueryParameters(request).bool("details", default: true)
        let backlog: Backlog
        do {
            backlog = try await environment.core.incoming.backlog()
        } catch {
            context.logger.error("Unable to read the incoming backlog", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, "Unable to generate status. Please retry.")
        }
        let processors = environment.metricdStatistics.map { [(member: memberId, totals: $0.totals)] }
        return Response.json(StatusReport(backlog: backlog, details: details, processors: processors).json)
    }
}
