import Hummingbird
import StratusCore

/// `GET /` (versions), `GET /v1/` (links to the sub-controllers), `GET /healthcheck`.
struct RootRoutes: Sendable {
    let environment: APIEnvironment

    func register(on router: Router<APIRequestContext>) {
        router.get("/") { request, _ in
            let base = environment.baseURL(of: request)
            return Response.json([
                "build": .string(StratusVersion.string),
                "versions": [[
                    "id": "v1.0", "status": "CURRENT", "updated": "2015-03-19",
                    "links": [["href": .string(base + "/v1/"), "rel": "self"]],
                ]],
            ])
        }
        router.get("/v1") { request, _ in links(request) }
        router.get("/healthcheck") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: .init(string: "OK")))
        }
        router.head("/healthcheck") { _, _ in Response(status: .noContent) }
        router.get("/metrics") { _, _ in
            let backlog = try? await environment.core.incoming.backlog()
            let text = environment.metrics.exposition(backlog: backlog, statistics: environment.metricdStatistics)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: .init(bytes: text)))
        }
    }

    private func links(_ request: Request) -> Response {
        let base = environment.baseURL(of: request) + "/v1/"
        let names = ["archive_policy", "archive_policy_rule", "metric", "batch", "capabilities", "status",
                     "resource", "resource_type", "search", "aggregation", "aggregates"]
        return Response.json(["version": "1.0", "links": .array(names.map { ["rel": .string($0), "href": .string(base + $0)] })])
    }
}
