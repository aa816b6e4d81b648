import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import StratusAPI
import StratusCore
import StratusTesting
import Testing
@testable import StratusAlarms

/// The evaluator's Gnocchi client against an in-process Stratus API on loopback (real HTTP).
@Suite(.serialized) struct EvaluatorGnocchiClientTests {
    /// 2026-01-01T00:10:30Z: the evaluation time of these tests.
    static let now = Date(timeIntervalSince1970: 1_767_226_230)

    /// Nanoseconds of `now − seconds`.
    static func at(_ secondsBefore: Double) -> Int64 { Int64((now.timeIntervalSince1970 - secondsBefore) * 1e9) }

    struct API: Sendable {
        let url: URL
        let client: any TestClientProtocol
        let fixture: TimeSeriesCoreFixture

        @discardableResult
        func post(_ uri: String, _ json: String) async throws -> HTTPResponse.Status {
            try await client.execute(
                uri: uri, method: .post,
                headers: [.authorization: "Basic " + Data("admin:".utf8).base64EncodedString(), .contentType: "application/json"],
                body: ByteBuffer(string: json)) { $0.status }
        }

        /// Creates a generic resource with metrics on the `medium` policy (60 s granularity).
        func resource(_ id: String, metrics: [String], attributes: String = "") async throws -> [String: UUID] {
            let body = try await client.execute(
                uri: "/v1/resource/generic", method: .post,
                headers: [.authorization: "Basic " + Data("admin:".utf8).base64EncodedString(), .contentType: "application/json"],
                body: ByteBuffer(string: #"{"id": "\#(id)"\#(attributes), "metrics": {"# + metrics.map { #""\#($0)": {"archive_policy_name": "medium"}"# }.joined(separator: ", ") + "}}")
            ) { response in
                #expect(response.status == .created)
                return String(buffer: response.body)
            }
            guard case .dictionary(let json) = try TelemetryJSON.decode(body), case .dictionary(let ids)? = json["metrics"] else {
                throw GnocchiClientError(status: nil, message: "no metrics in \(body)")
            }
            return ids.compactMapValues { $0.stringValue.flatMap(UUID.init(uuidString:)) }
        }

        func measures(_ metric: UUID, _ values: [(secondsBefore: Double, value: Double)]) async throws {
            try await fixture.post(metric, timestamps: values.map { EvaluatorGnocchiClientTests.at($0.secondsBefore) }, values: values.map(\.value))
        }
    }

    func withAPI(_ body: @Sendable (API) async throws -> Void) async throws {
        try await TimeSeriesCoreFixture.with(sacks: 4) { fixture in
            let configuration = try APIConfiguration(fixture.configuration.section("api"))
            let cors = try CORSConfiguration(fixture.configuration.section("cors"))
            let environment = APIEnvironment(core: fixture.core, configuration: configuration, cors: cors, logger: fixture.logs.logger)
            let app = Application(router: APIRouter.build(environment))
            try await app.test(.live) { client in
                let port = try #require(client.port)
                try await body(API(url: URL(string: "http://127.0.0.1:\(port)")!, client: client, fixture: fixture))
            }
        }
    }

    func withEvaluator(_ api: API, _ body: (AlarmEvaluator) async throws -> Void) async throws {
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let evaluator = AlarmEvaluator(fetcher: GnocchiClient(endpoint: api.url, auth: .basic(user: "admin"), httpClient: http))
        do {
            try await body(evaluator)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    func rule(_ type: String, _ fields: TelemetryValue) throws -> AlarmRule {
        try AlarmRule.parse(type: type, rule: fields)
    }

    @Test func resourcesThresholdReadsTheResourceMetric() async throws {
        try await withAPI { api in
            let ids = try await api.resource("r1", metrics: ["cpu"])
            try await api.measures(ids["cpu"]!, [(140, 3), (80, 10), (20, 12)])
            try await api.fixture.drain()
            try await withEvaluator(api) { evaluator in
                let alarming = try rule("gnocchi_resources_threshold", [
                    "metric": "cpu", "resource_id": "r1", "resource_type": "generic", "aggregation_method": "mean",
                    "threshold": 5, "comparison_operator": "gt", "evaluation_periods": 2,
                ])
                #expect(await evaluator.evaluateRule(alarming, now: Self.now)
                    == RuleOutcome(verdict: .state(.alarm), statistics: [10, 12], outsideCount: 2))
                let three = try rule("gnocchi_resources_threshold", [
                    "metric": "cpu", "resource_id": "r1", "resource_type": "generic", "aggregation_method": "max",
                    "threshold": 5, "comparison_operator": "gt", "evaluation_periods": 3,
                ])
                #expect(await evaluator.evaluateRule(three, now: Self.now)
                    == RuleOutcome(verdict: .trending(.alarm), statistics: [3, 10, 12], outsideCount: 2))
            }
        }
    }

    @Test func failuresBecomeAodhReasons() async throws {
        try await withAPI { api in
            _ = try await api.resource("r1", metrics: ["cpu"])
            try await withEvaluator(api) { evaluator in
                func reason(_ fields: [String: TelemetryValue]) async throws -> RuleOutcome.Verdict {
                    var base: [String: TelemetryValue] = [
                        "metric": "cpu", "resource_id": "r1", "resource_type": "generic", "aggregation_method": "mean", "threshold": 5,
                    ]
                    base.merge(fields) { _, new in new }
                    return await evaluator.evaluateRule(try rule("gnocchi_resources_threshold", .dictionary(base)), now: Self.now).verdict
                }
                let empty = try await reason([:])
                let noResource = try await reason(["resource_id": "nope"])
                let noMetric = try await reason(["metric": "mem"])
                let noAggregation = try await reason(["aggregation_method": "95pct"])
                #expect(empty == .insufficient("No datapoint for granularity 60"))
                #expect(noResource == .insufficient("resource nope does not exists"))
                #expect(noMetric == .insufficient("metric mem for resource r1 does not exists"))
                #expect(noAggregation == .insufficient("aggregation 95pct does not exist for metric cpu of resource r1"))
            }
            // Nothing listens on port 9.
            var configuration = HTTPClient.Configuration()
            configuration.connectionPool.retryConnectionEstablishment = false
            let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            let down = AlarmEvaluator(fetcher: GnocchiClient(endpoint: URL(string: "http://127.0.0.1:9")!, auth: .basic(user: "admin"), httpClient: http))
            let outcome = await down.evaluateRule(
                try rule("gnocchi_resources_threshold", [
                    "metric": "cpu", "resource_id": "r1", "resource_type": "generic", "aggregation_method": "mean", "threshold": 5,
                ]), now: Self.now)
            try await http.shutdown()
            guard case .insufficient(let text) = outcome.verdict else { Issue.record("not insufficient: \(outcome)"); return }
            #expect(text.hasPrefix("alarm statistics retrieval failed: Unable to establish connection to http://127.0.0.1:9/v1/resource/generic/r1/metric/cpu/measures?"))
        }
    }

    @Test func byMetricsAggregatesSeveralMetricsInTheFormGnocchiAccepts() async throws {
        try await withAPI { api in
            let a = try await api.resource("ra", metrics: ["cpu"])["cpu"]!
            let b = try await api.resource("rb", metrics: ["cpu"])["cpu"]!
            try await api.measures(a, [(80, 2), (20, 4)])
            try await api.measures(b, [(80, 6), (20, 8)])
            try await api.fixture.drain()
            try await withEvaluator(api) { evaluator in
                let two = try rule("gnocchi_aggregation_by_metrics_threshold", [
                    "metrics": [.string(a.lowercaseText), .string(b.lowercaseText)], "aggregation_method": "mean",
                    "threshold": 4, "comparison_operator": "ge", "evaluation_periods": 2,
                ])
                // Means across the two metrics: (2 + 6) / 2 and (4 + 8) / 2.
                #expect(await evaluator.evaluateRule(two, now: Self.now)
                    == RuleOutcome(verdict: .state(.alarm), statistics: [4, 6], outsideCount: 2))
                let one = try rule("gnocchi_aggregation_by_metrics_threshold", [
                    "metrics": [.string(a.lowercaseText)], "aggregation_method": "mean", "threshold": 5, "comparison_operator": "ge",
                ])
                #expect(await evaluator.evaluateRule(one, now: Self.now)
                    == RuleOutcome(verdict: .state(.ok), statistics: [4], outsideCount: 0))
            }
        }
    }

    @Test func byResourcesAndLegacyThresholdSearchResources() async throws {
        try await withAPI { api in
            let a = try await api.resource("web1", metrics: ["cpu"], attributes: #", "user_id": "u1""#)["cpu"]!
            let b = try await api.resource("web2", metrics: ["cpu"], attributes: #", "user_id": "u1""#)["cpu"]!
            let c = try await api.resource("db1", metrics: ["cpu"], attributes: #", "user_id": "u2""#)["cpu"]!
            try await api.measures(a, [(20, 10)])
            try await api.measures(b, [(20, 20)])
            try await api.measures(c, [(20, 90)])
            try await api.fixture.drain()
            try await withEvaluator(api) { evaluator in
                let byResources = try rule("gnocchi_aggregation_by_resources_threshold", [
                    "metric": "cpu", "query": #"{"=": {"user_id": "u1"}}"#, "resource_type": "generic",
                    "aggregation_method": "max", "threshold": 50, "comparison_operator": "gt",
                ])
                #expect(await evaluator.evaluateRule(byResources, now: Self.now)
                    == RuleOutcome(verdict: .state(.ok), statistics: [20], outsideCount: 0))
                let legacy = try rule("threshold", [
                    "meter_name": "cpu", "query": [["field": "user_id", "op": "eq", "value": "u1"]], "period": 60,
                    "statistic": "avg", "threshold": 12, "comparison_operator": "gt",
                ])
                #expect(await evaluator.evaluateRule(legacy, now: Self.now)
                    == RuleOutcome(verdict: .state(.alarm), statistics: [15], outsideCount: 1))
                let single = try rule("threshold", [
                    "meter_name": "cpu", "query": [["field": "resource_id", "value": "db1"]], "statistic": "max", "threshold": 50,
                    "comparison_operator": "gt",
                ])
                #expect(await evaluator.evaluateRule(single, now: Self.now).verdict == .state(.alarm))
                let unknownMetric = try rule("gnocchi_aggregation_by_resources_threshold", [
                    "metric": "nope", "query": #"{"=": {"user_id": "u1"}}"#, "resource_type": "generic",
                    "aggregation_method": "max", "threshold": 50,
                ])
                #expect(await evaluator.evaluateRule(unknownMetric, now: Self.now).verdict == .insufficient("metric nope does not exists"))
                let badQuery = try rule("gnocchi_aggregation_by_resources_threshold", [
                    "metric": "cpu", "query": #"{"=": {"no_such_attribute": "x"}}"#, "resource_type": "generic",
                    "aggregation_method": "max", "threshold": 50,
                ])
                guard case .insufficient(let text) = await evaluator.evaluateRule(badQuery, now: Self.now).verdict else {
                    Issue.record("a rejected query should be insufficient data"); return
                }
                #expect(text.hasPrefix("alarm statistics retrieval failed: ") && text.hasSuffix("(HTTP 400)"))
            }
        }
    }
}
