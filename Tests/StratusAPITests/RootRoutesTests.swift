import HTTPTypes
import StratusAPI
import StratusCore
import Testing

@Suite("Root, versions and health")
struct RootRoutesTests {
    @Test func versionsDocumentLinksToV1() async throws {
        try await withAPI { api, _ in
            let reply = try await api.get("/", user: nil)
            #expect(reply.status == .ok)
            let version = reply.json?["versions"]?.arrayValue?.first
            #expect(version?["id"] == "v1.0")
            #expect(version?["status"] == "CURRENT")
        }
    }

    @Test func healthcheckNeedsNoCredentials() async throws {
        try await withAPI { api, _ in
            let reply = try await api.get("/healthcheck", user: nil)
            #expect(reply.status == .ok)
        }
    }

    @Test func basicAuthIsRequiredOnV1Resources() async throws {
        try await withAPI { api, _ in
            let reply = try await api.get("/v1/archive_policy", user: nil)
            #expect(reply.status == .unauthorized)
            #expect(reply.json?["code"] == 401)
        }
    }
}

@Suite("Proxy headers and CORS")
struct ProxyAndCORSTests {
    @Test func locationFollowsForwardedHeadersWhenEnabled() async throws {
        try await withAPI(overrides: ["api.enable_proxy_headers_parsing=true"]) { api, _ in
            let reply = try await api.request(.post, "/v1/archive_policy_rule",
                                              json: ["name": "r", "metric_pattern": "x.*", "archive_policy_name": "low"],
                                              headers: [.init("X-Forwarded-Proto")!: "https", .init("X-Forwarded-Host")!: "metrics.example",
                                                        .init("X-Forwarded-Prefix")!: "/gnocchi"])
            #expect(reply.status == .created)
            #expect(reply.headers[.location] == "https://metrics.example/gnocchi/v1/archive_policy_rule/r")
        }
    }

    @Test func forwardedHeadersAreIgnoredByDefault() async throws {
        try await withAPI { api, _ in
            let reply = try await api.request(.post, "/v1/archive_policy_rule",
                                              json: ["name": "r", "metric_pattern": "x.*", "archive_policy_name": "low"],
                                              headers: [.init("X-Forwarded-Host")!: "evil.example"])
            #expect(reply.headers[.location]?.contains("evil.example") == false)
        }
    }

    @Test func listedOriginsGetCORSHeadersAndPreflightAnswers() async throws {
        try await withAPI(overrides: ["cors.allowed_origin=http://dashboard.example"]) { api, _ in
            let allowed = try await api.request(.get, "/v1/archive_policy", headers: [.origin: "http://dashboard.example"])
            #expect(allowed.headers[.accessControlAllowOrigin] == "http://dashboard.example")
            let other = try await api.request(.get, "/v1/archive_policy", headers: [.origin: "http://elsewhere.example"])
            #expect(other.headers[.accessControlAllowOrigin] == nil)
            let preflight = try await api.request(.options, "/v1/metric", user: nil,
                                                  headers: [.origin: "http://dashboard.example", .accessControlRequestMethod: "POST"])
            #expect(preflight.status == .ok)
            #expect(preflight.headers[.accessControlAllowMethods]?.contains("POST") == true)
        }
    }
}
