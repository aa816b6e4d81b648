import AsyncHTTPClient
import Foundation
import Hummingbird
import StratusCore
import Testing
@testable import StratusAlarms

@Suite struct RuleStatisticsTests {
    static let start = Date(timeIntervalSince1970: 1_767_225_600.25)
    static let stop = Date(timeIntervalSince1970: 1_767_225_720.5)

    func criteria(_ method: String = "mean") -> ThresholdCriteria {
        ThresholdCriteria(comparisonOperator: .gt, threshold: 1, aggregationMethod: method, granularity: 300, evaluationPeriods: 2)
    }

    @Test func byMetricsUsesTheFormGnocchiAcceptsForSeveralMetrics() {
        #expect(RuleStatistics.metricsOperations(["a", "b"], aggregation: "rate:mean")
            == ["aggregate", "rate:mean", ["metric", ["a", "mean"], ["b", "mean"]]])
        #expect(RuleStatistics.metricsOperations(["a"], aggregation: "95pct") == ["aggregate", "95pct", ["metric", "a", "95pct"]])
    }

    @Test func requestsOfEachRuleType() {
        let resources = AlarmRule.gnocchiResourcesThreshold(
            GnocchiResourcesThresholdRule(metric: "cpu", resourceID: "r/1", resourceType: "instance", criteria: criteria("max")))
        #expect(RuleStatistics.request(for: resources, start: Self.start, stop: Self.stop)
            == .measures(resourceID: "r/1", metric: "cpu", granularity: 300, aggregation: "max", start: Self.start, stop: Self.stop))
        let byResources = AlarmRule.gnocchiAggregationByResourcesThreshold(GnocchiAggregationByResourcesThresholdRule(
            metric: "cpu", query: #"{"=": {"server_group": "web"}}"#, resourceType: "instance", criteria: criteria("rate:max")))
        #expect(RuleStatistics.request(for: byResources, start: Self.start, stop: Self.stop) == .aggregates(
            operations: ["aggregate", "rate:max", ["metric", "cpu", "max"]], search: ["=": ["server_group": "web"]],
            resourceType: "instance", granularity: 300, start: Self.start, stop: Self.stop))
        let combination = AlarmRule.combination(CombinationRule(alarmIDs: [UUID()]))
        #expect(RuleStatistics.request(for: combination, start: Self.start, stop: Self.stop) == nil)
        #expect(RuleStatistics.threshold(of: combination) == nil)
    }

    @Test func legacyQueriesBecomeResourceSearches() {
        typealias Condition = LegacyThresholdRule.Condition
        #expect(RuleStatistics.legacySearch([]) == ["and": []])
        #expect(RuleStatistics.legacySearch([Condition(field: "resource_id", value: "r1")]) == ["=": ["id": "r1"]])
        #expect(RuleStatistics.legacySearch([
            Condition(field: "project", op: .ne, value: "p1"),
            Condition(field: "metadata.flavor_vcpus", op: .ge, value: "4", type: "integer"),
            Condition(field: "resource_metadata.ratio", op: .lt, value: "0.5", type: "float"),
            Condition(field: "metadata.enabled", value: "True", type: "boolean"),
        ]) == ["and": [
            ["!=": ["project_id": "p1"]], [">=": ["flavor_vcpus": 4]], ["<": ["ratio": 0.5]], ["=": ["enabled": true]],
        ]])
        let legacy = LegacyThresholdRule(meterName: "cpu_util", period: 600, threshold: 1, statistic: .avg, excludeOutliers: true)
        #expect(RuleStatistics.request(for: .threshold(legacy), start: Self.start, stop: Self.stop) == .aggregates(
            operations: ["aggregate", "mean", ["metric", "cpu_util", "mean"]], search: ["and": []], resourceType: "generic",
            granularity: 600, start: Self.start, stop: Self.stop))
        #expect(RuleStatistics.countRequest(for: legacy, start: Self.start, stop: Self.stop) == .aggregates(
            operations: ["aggregate", "sum", ["metric", "cpu_util", "count"]], search: ["and": []], resourceType: "generic",
            granularity: 600, start: Self.start, stop: Self.stop))
    }

    @Test func failureReasonsPerRuleType() {
        let metrics = AlarmRule.gnocchiAggregationByMetricsThreshold(
            GnocchiAggregationByMetricsThresholdRule(metrics: ["a", "b"], criteria: criteria()))
        #expect(RuleStatistics.reason(for: GnocchiClientError(status: 404, message: "Metric a does not exist"), rule: metrics)
            == "At least of metrics in ['a', 'b'] does not exist")
        #expect(RuleStatistics.reason(for: GnocchiClientError(status: 404, message: "{'cause': 'Unknown metrics'}"), rule: metrics)
            == "aggregation mean does not exist for at least one metrics in ['a', 'b']")
        #expect(RuleStatistics.reason(for: GnocchiClientError(status: 400, message: "'aggregate' operation invalid"), rule: metrics)
            == "alarm statistics retrieval failed: 'aggregate' operation invalid (HTTP 400)")
        #expect(RuleStatistics.reason(for: GnocchiClientError(status: nil, message: "Unable to establish connection to x: y"), rule: metrics)
            == "alarm statistics retrieval failed: Unable to establish connection to x: y")
    }

    @Test func answersAreParsedAndOddAnswersRefused() throws {
        #expect(try GnocchiClient.points([["2026-01-01T00:00:00+00:00", 60.0, 1.5], ["2026-01-01T00:01:00+00:00", 60, nil]])
            == [Datapoint(timestamp: "2026-01-01T00:00:00+00:00", granularity: 60, value: 1.5)])
        #expect(try GnocchiClient.points(["measures": ["aggregated": [["t", 300.0, 2]]]])
            == [Datapoint(timestamp: "t", granularity: 300, value: 2)])
        #expect(throws: GnocchiClientError.self) { try GnocchiClient.points(["measures": ["a": []]]) }
        #expect(throws: GnocchiClientError.self) { try GnocchiClient.points([["t", 60]]) }
        #expect(GnocchiClient.isoformat(Self.start) == "2026-01-01T00:00:00.250000+00:00")
        #expect(GnocchiClient.isoformat(Date(timeIntervalSince1970: 1_790_000_000)) == "2026-09-21T14:13:20.000000+00:00")
        #expect(GnocchiClient.isoformat(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500000+00:00")
        // Truncated (not rounded) to the microsecond, like Python's datetime.
        #expect(GnocchiClient.isoformat(Date(timeIntervalSince1970: 0.0000019)) == "1970-01-01T00:00:00.000001+00:00")
        // The arithmetic agrees with Foundation's calendar across leap years and before the epoch.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate]
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        for seconds in stride(from: -3_000_000_000, to: 5_000_000_000, by: 7_777_777) {
            let date = Date(timeIntervalSince1970: Double(seconds))
            #expect(GnocchiClient.isoformat(date.addingTimeInterval(0.25)) == formatter.string(from: date) + ".250000+00:00")
        }
        #expect(GnocchiClient.percentEncoded("r/1 é") == "r%2F1%20%C3%A9")
        #expect(GnocchiClient.errorMessage(["description": ["cause": "Aggregation method does not exist for this metric", "detail": "x"]], text: "", status: 404)
            == "{'cause': 'Aggregation method does not exist for this metric', 'detail': 'x'}")
        #expect(GnocchiClient.errorMessage(nil, text: "", status: 502) == "Bad Gateway")
    }

    @Test func theWireRequestsAreGnocchiClients() async throws {
        let inbox = AlarmTestSupport.Inbox()
        let router = Router()
        router.on("**", method: .get) { request, _ -> Response in
            inbox.append(.init(path: request.uri.description, authority: nil, headers: request.headers.map { ($0.name.rawName, $0.value) }, body: ""))
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: "[]")))
        }
        router.post("**") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            inbox.append(.init(path: request.uri.description, authority: nil, headers: request.headers.map { ($0.name.rawName, $0.value) }, body: String(buffer: body)))
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: #"{"measures": {"aggregated": []}}"#)))
        }
        try await AlarmTestSupport.withServer(router) { base in
            let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
            let client = GnocchiClient(endpoint: URL(string: base + "/")!, auth: .keystoneHeaders(userID: "u", projectID: "p", roles: "admin"), httpClient: http)
            do {
                _ = try await client.fetch(.measures(resourceID: "r/1", metric: "cpu", granularity: 60, aggregation: "rate:mean", start: Self.start, stop: Self.stop))
                _ = try await client.fetch(.aggregates(
                    operations: ["aggregate", "mean", ["metric", ["a", "mean"], ["b", "mean"]]], search: ["=": ["id": "x"]], resourceType: "instance",
                    granularity: 60, start: Self.start, stop: Self.stop))
            } catch {
                try? await http.shutdown()
                throw error
            }
            try await http.shutdown()
        }
        let received = inbox.all
        try #require(received.count == 2)
        #expect(received[0].path == "/v1/resource/generic/r%2F1/metric/cpu/measures?granularity=60&aggregation=rate%3Amean&start=2026-01-01T00%3A00%3A00.250000%2B00%3A00&stop=2026-01-01T00%3A02%3A00.500000%2B00%3A00")
        #expect(received[0].headers.contains { $0.name == "X-Project-Id" && $0.value == "p" })
        #expect(received[1].path == "/v1/aggregates?start=2026-01-01T00%3A00%3A00.250000%2B00%3A00&stop=2026-01-01T00%3A02%3A00.500000%2B00%3A00&granularity=60&needed_overlap=0")
        #expect(received[1].body == #"{"operations": ["aggregate", "mean", ["metric", ["a", "mean"], ["b", "mean"]]], "search": {"=": {"id": "x"}}, "resource_type": "instance"}"#)
    }
}
