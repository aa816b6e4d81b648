import Foundation
import Hummingbird
import HummingbirdTesting
import StratusAPI
import StratusCore
import StratusStorage
import StratusTesting
import Testing

@Suite("Capabilities and status: /v1/capabilities, /v1/status")
struct StatusRoutesTests {
    @Test func capabilitiesListEveryValidMethodWithoutCredentials() async throws {
        try await withAPI { api, _ in
            let reply = try await api.get("/v1/capabilities", user: nil)
            #expect(reply.status == .ok)
            let list = try #require(reply.json?["aggregation_methods"]?.arrayValue)
            let methods = list.compactMap { $0.stringValue }
            #expect(methods.count == 216)
            #expect(methods == methods.sorted())
            #expect(Set(methods).count == 216)
            for name in ["mean", "sum", "last", "max", "min", "std", "median", "first", "count", "1pct", "50pct", "99pct"] {
                #expect(methods.contains(name) && methods.contains("rate:" + name), "\(name)")
            }
            #expect(!methods.contains("0pct") && !methods.contains("100pct"))
            #expect(reply.json?.objectValue?.keys.sorted() == ["aggregation_methods"])
        }
    }

    @Test func statusOfAnIdleServerHasAnEmptyBacklogAndNoProcessors() async throws {
        try await withAPI { api, _ in
            let reply = try await api.get("/v1/status")
            #expect(reply.status == .ok)
            #expect(reply.json == [
                "storage": ["summary": ["metrics": 0, "measures": 0], "measures_to_process": [:]],
                "metricd": ["processors": nil, "statistics": [:]],
            ])
        }
    }

    @Test func statusCountsTheMeasuresWaitingPerMetric() async throws {
        try await withAPI { api, fixture in
            let a = UUID(), b = UUID()
            try await fixture.post(a, timestamps: [1, 2, 3], values: [1, 2, 3])
            try await fixture.post(b, timestamps: [1], values: [1])
            try await fixture.post(a, timestamps: [4], values: [4])
            let reply = try await api.get("/v1/status")
            #expect(reply.json?["storage"] == [
                "summary": ["metrics": 2, "measures": 5],
                "measures_to_process": .object([a.uuidString.lowercased(): 4, b.uuidString.lowercased(): 1]),
            ])
            let explicit = try await api.get("/v1/status?details=true")
            #expect(explicit.json == reply.json)
        }
    }

    @Test(arguments: ["false", "0", "no", "off", "F", " n "])
    func detailsFalseLeavesOutThePerMetricCounts(value: String) async throws {
        try await withAPI { api, fixture in
            try await fixture.post(UUID(), timestamps: [1, 2], values: [1, 2])
            let query = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value
            let reply = try await api.get("/v1/status?details=\(query)")
            #expect(reply.status == .ok)
            #expect(reply.json?["storage"] == ["summary": ["metrics": 1, "measures": 2]])
        }
    }

    @Test func detailsMustBeABoolean() async throws {
        try await withAPI { api, _ in
            let reply = try await api.get("/v1/status?details=maybe")
            #expect(reply.status == .badRequest)
            #expect(reply.json == [
                "code": 400, "title": "Bad Request",
                "description": "Unable to parse `details': Unrecognized value 'maybe', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'",
            ])
        }
    }

    @Test func statusIsForAdminsOnlyBeforeItsParametersAreRead() async throws {
        try await withAPI { api, _ in
            let reply = try await api.get("/v1/status", user: "alice")
            #expect(reply.status == .forbidden)
            #expect(reply.json == ["code": 403, "title": "Forbidden", "description": ""])
            #expect(try await api.get("/v1/status?details=maybe", user: "alice").status == .forbidden)
            #expect(try await api.get("/v1/status", user: nil).status == .unauthorized)
        }
    }

    @Test func onlyGetIsAllowed() async throws {
        try await withAPI { api, _ in
            let status = try await api.request(.post, "/v1/status", json: [:])
            #expect(status.status == .methodNotAllowed)
            #expect(status.headers[.allow] == "GET")
            let capabilities = try await api.request(.delete, "/v1/capabilities", user: nil)
            #expect(capabilities.status == .methodNotAllowed)
            #expect(capabilities.headers[.allow] == "GET")
        }
    }

    @Test func statusIs503WhenTheBacklogCannotBeRead() async throws {
        try await withAPI { api, fixture in
            // A file where the sacks' directory was: listing a sack fails with ENOTDIR.
            try FileManager.default.removeItem(atPath: fixture.dataDirectory + "/incoming")
            #expect(FileManager.default.createFile(atPath: fixture.dataDirectory + "/incoming", contents: Data("x".utf8)))
            let reply = try await api.get("/v1/status")
            #expect(reply.status == .serviceUnavailable)
            #expect(reply.json == ["code": 503, "title": "Service Unavailable", "description": "Unable to generate status. Please retry."])
        }
    }

    @Test func statusListsTheInProcessMetricdAndItsCounters() async throws {
        try await TimeSeriesCoreFixture.with(sacks: 8) { fixture in
            let statistics = MetricdStatistics()
            let configuration = try APIConfiguration(fixture.configuration.section("api"))
            let environment = APIEnvironment(
                core: fixture.core, configuration: configuration, metricdStatistics: statistics, logger: fixture.logs.logger)
            let metric = try await fixture.createMetric(policy: "low")
            try await fixture.post(metric.id, timestamps: [1_000_000_000, 2_000_000_000], values: [1, 2])
            _ = try await Metricd(processor: fixture.processor, configuration: fixture.core.metricd, statistics: statistics).drain()
            let app = Application(router: APIRouter.build(environment))
            try await app.test(.router) { client in
                let reply = try await TestAPIClient(client: client).get("/v1/status")
                let metricd = try #require(reply.json?["metricd"])
                let processors = try #require(metricd["processors"]?.arrayValue)
                #expect(processors.count == 1)
                let member = try #require(processors.first?.stringValue)
                #expect(member.hasPrefix(ProcessInfo.processInfo.hostName + ".0."))
                #expect(metricd["statistics"] == .object([member: [
                    "raw measures fetch": 1, "processed measures": 2, "dropped measures": 0, "discarded measures": 0,
                ]]))
                #expect(reply.json?["storage"]?["summary"] == ["metrics": 0, "measures": 0])
            }
        }
    }
}
