import StratusAPI
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
