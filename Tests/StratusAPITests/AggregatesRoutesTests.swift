import Foundation
import HTTPTypes
import StratusTesting
import Testing

@testable import StratusAPI

/// Two metrics of policy `minute` (60 s), measures processed:
/// a: 12:00 → 1, 12:01 → 3, 12:02 → 5;  b: 12:00 → 3, 12:01 → 5, 12:03 → 7.
enum AggregatesAPI {
    static func seed(_ api: TestAPIClient, _ fixture: TimeSeriesCoreFixture) async throws -> (a: String, b: String) {
        try await MetricAPI.createPolicy(fixture, "minute", granularities: [60])
        let a = try await MetricAPI.create(api, ["archive_policy_name": "minute"])
        let b = try await MetricAPI.create(api, ["archive_policy_name": "minute"])
        _ = try await MetricAPI.post(api, a, #"""
            [{"timestamp": "2024-01-01T12:00:00", "value": 1}, {"timestamp": "2024-01-01T12:01:00", "value": 3},
             {"timestamp": "2024-01-01T12:02:00", "value": 5}]
            """#)
        _ = try await MetricAPI.post(api, b, #"""
            [{"timestamp": "2024-01-01T12:00:00", "value": 3}, {"timestamp": "2024-01-01T12:01:00", "value": 5},
             {"timestamp": "2024-01-01T12:03:00", "value": 7}]
            """#)
        try await fixture.drain()
        return (a, b)
    }

    static func row(_ minute: Int, _ value: Double, granularity: Double = 60) -> JSONValue {
        [.string("2024-01-01T12:0\(minute):00+00:00"), .number(granularity), .number(value)]
    }

    static func aggregated(_ rows: [JSONValue]) -> JSONValue { ["measures": ["aggregated": .array(rows)]] }
}

@Suite("Aggregates: POST /v1/aggregates")
struct AggregatesRoutesTests {
    @Test func meanAcrossMetricsDropsMissingPointsByDefault() async throws {
        try await withAPI { api, fixture in
            let (a, b) = try await AggregatesAPI.seed(api, fixture)
            let reply = try await api.post("/v1/aggregates", ["operations": ["aggregate", "mean", ["metric", [.string(a), "mean"], [.string(b), "mean"]]]])
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(reply.headers[.contentType] == "application/json")
            #expect(reply.text == #"{"measures": {"aggregated": [["2024-01-01T12:00:00+00:00", 60.0, 2.0], "#
                + #"["2024-01-01T12:01:00+00:00", 60.0, 4.0], ["2024-01-01T12:02:00+00:00", 60.0, 5.0], "#
                + #"["2024-01-01T12:03:00+00:00", 60.0, 7.0]]}}"#)

            // The same in the S-expression form, ids in upper case.
            let sexpr = try await api.post("/v1/aggregates", ["operations": .string("(aggregate mean (metric (\(a.uppercased()) mean) (\(b) mean)))")])
            #expect(sexpr.text == reply.text)
        }
    }

    @Test func fillAndOverlapChangeWhichPointsCount() async throws {
        try await withAPI { api, fixture in
            let (a, b) = try await AggregatesAPI.seed(api, fixture)
            let ops: JSONValue = ["operations": .string("(aggregate mean (metric (\(a) mean) (\(b) mean)))")]
            let zero = try await api.post("/v1/aggregates?fill=0", ops)
            #expect(zero.json == AggregatesAPI.aggregated([
                AggregatesAPI.row(0, 2), AggregatesAPI.row(1, 4), AggregatesAPI.row(2, 2.5), AggregatesAPI.row(3, 3.5)]))
            let ffill = try await api.post("/v1/aggregates?fill=ffill", ops)
            #expect(ffill.json == AggregatesAPI.aggregated([
                AggregatesAPI.row(0, 2), AggregatesAPI.row(1, 4), AggregatesAPI.row(2, 5), AggregatesAPI.row(3, 6)]))
            // needed_overlap without fill: the answer is cut to the range where every series has points.
            let overlap = try await api.post("/v1/aggregates?needed_overlap=100", ops)
            #expect(overlap.json == AggregatesAPI.aggregated([AggregatesAPI.row(0, 2), AggregatesAPI.row(1, 4)]))
            let bounded = try await api.post("/v1/aggregates?needed_overlap=100&start=2024-01-01T12:00:00&stop=2024-01-01T12:04:00", ops)
            #expect(bounded.status == .badRequest)
            #expect(bounded.json?["description"] == [
                "cause": "Metrics cannot be aggregated",
                "reason": "Less than 100.000000% of datapoints overlap in this timespan (50.00%)",
                "detail": [[.string(a), "mean"], [.string(b), "mean"]],
            ])
            let null = try await api.post("/v1/aggregates?fill=null", ["operations": .string("(- (metric \(a) mean) (metric \(b) mean))")])
            #expect(null.text.contains(#"["2024-01-01T12:02:00+00:00", 60.0, NaN]"#), "\(null.text)")
            let badFill = try await api.post("/v1/aggregates?fill=zero", ops)
            #expect(badFill.status == .badRequest)
            #expect(badFill.json?["description"]?["detail"] == "fill")
            let badOverlap = try await api.post("/v1/aggregates?needed_overlap=most", ops)
            #expect(badOverlap.json?["description"] == ["cause": "Argument value error", "detail": "needed_overlap", "reason": "Must be a number"])
        }
    }

    @Test func unaggregatedOperationsAnswerPerMetricAndDetailsListTheMetrics() async throws {
        try await withAPI { api, fixture in
            let (a, b) = try await AggregatesAPI.seed(api, fixture)
            let scaled = try await api.post("/v1/aggregates", ["operations": .string("(* (metric (\(a) mean) (\(b) mean)) 10)")])
            #expect(scaled.json == ["measures": [
                a: ["mean": [AggregatesAPI.row(0, 10), AggregatesAPI.row(1, 30), AggregatesAPI.row(2, 50)]],
                b: ["mean": [AggregatesAPI.row(0, 30), AggregatesAPI.row(1, 50), AggregatesAPI.row(3, 70)]],
            ]])
            let difference = try await api.post("/v1/aggregates?details=true", ["operations": .string("(- (metric \(a) mean) (metric \(b) mean))")])
            #expect(difference.json?["measures"] == ["aggregated": [AggregatesAPI.row(0, -2), AggregatesAPI.row(1, -2)]])
            let references = try #require(difference.json?["references"]?.arrayValue)
            #expect(Set(references.compactMap { $0["id"]?.stringValue }) == [a, b])
            #expect(references.first?["archive_policy"]?["name"] == "minute")

            let rolling = try await api.post("/v1/aggregates", ["operations": .string("(rolling sum 2 (metric \(a) mean))")])
            #expect(rolling.json == ["measures": [a: ["mean": [AggregatesAPI.row(1, 4), AggregatesAPI.row(2, 8)]]]])
            let resampled = try await api.post("/v1/aggregates", ["operations": .string("(resample max 120 (metric \(b) mean))")])
            #expect(resampled.json == ["measures": [b: ["mean": [
                AggregatesAPI.row(0, 5, granularity: 120), AggregatesAPI.row(2, 7, granularity: 120)]]]])
        }
    }

    @Test func badOperationsAndReferencesGetGnocchisErrors() async throws {
        try await withAPI { api, fixture in
            let (a, _) = try await AggregatesAPI.seed(api, fixture)
            let unparsable = try await api.post("/v1/aggregates", ["operations": "(aggregate mean (metric a mean)"])
            #expect(unparsable.status == .badRequest)
            #expect(unparsable.json?["description"] == [
                "cause": "Invalid operations", "reason": "Fail to parse the operations string",
                "detail": "Expected ')', found end of text  (at char 31), (line:1, col:32)",
            ])
            let unknownOperator = try await api.post("/v1/aggregates", ["operations": ["foo", ["metric", .string(a), "mean"]]])
            #expect(unknownOperator.json?["description"] == MetricAPI.invalid("'foo' operation invalid for dictionary value @ data['operations']", ["operations"]))
            let noMetric = try await api.post("/v1/aggregates", ["operations": ["+", 1, 2]])
            #expect(noMetric.json?["description"] == ["cause": "Operations is invalid", "reason": "At least one 'metric' is required", "detail": ["+", 1.0, 2.0]])
            let notUUID = try await api.post("/v1/aggregates", ["operations": .string("(metric cpu mean)")])
            #expect(notUUID.json?["description"]?["cause"] == "Invalid metric references")
            let unknown = "00000000-0000-0000-0000-000000000001"
            let missing = try await api.post("/v1/aggregates", ["operations": .string("(metric \(unknown) mean)")])
            #expect(missing.status == .notFound)
            #expect(missing.json?["description"] == ["cause": "Unknown metrics", "reason": "Provided metrics don't exists", "detail": [.string(unknown)]])
            let method = try await api.post("/v1/aggregates", ["operations": .string("(metric \(a) last)")])
            #expect(method.status == .notFound)
            #expect(method.json?["description"] == ["cause": "Metrics with unknown aggregation", "detail": [[.string(a), "last"]]])
            let granularity = try await api.post("/v1/aggregates?granularity=300", ["operations": .string("(metric \(a) mean)")])
            #expect(granularity.json?["description"] == [
                "cause": "Metrics cannot be aggregated", "reason": "Granularities are missing", "detail": [[.string(a), "mean", 300.0]],
            ])
            let window = try await api.post("/v1/aggregates", ["operations": .string("(rolling mean 9 (metric \(a) mean))")])
            #expect(window.json?["description"]?["reason"] == "Rolling window '9' is greater than serie length '3'")
            let extra = try await api.post("/v1/aggregates", ["operations": .string("(metric \(a) mean)"), "foo": 1])
            #expect(extra.json?["description"] == MetricAPI.invalid("extra keys not allowed @ data['foo']", ["foo"]))
            let notJSON = try await api.request(.post, "/v1/aggregates", body: "{")
            #expect(notJSON.status == .badRequest)
            let forbidden = try await api.post("/v1/aggregates", ["operations": .string("(metric \(a) mean)")], user: "someone")
            #expect(forbidden.status == .forbidden)
        }
    }

    @Test func deprecatedAggregationRoutesReaggregate() async throws {
        try await withAPI { api, fixture in
            let (a, b) = try await AggregatesAPI.seed(api, fixture)
            let get = try await api.get("/v1/aggregation/metric?metric=\(a)&metric=\(b)&needed_overlap=0")
            #expect(get.status == .ok, "\(get.text)")
            // No fill: the window is cut to where both have points (12:00 – 12:01).
            #expect(get.text == #"[["2024-01-01T12:00:00+00:00", 60.0, 2.0], ["2024-01-01T12:01:00+00:00", 60.0, 4.0]]"#)
            let post = try await api.request(.post, "/v1/aggregation/metric?aggregation=mean&reaggregation=max&fill=0", json: [.string(a), .string(b)])
            #expect(post.json == [AggregatesAPI.row(0, 3), AggregatesAPI.row(1, 5), AggregatesAPI.row(2, 5), AggregatesAPI.row(3, 7)])
            let single = try await api.get("/v1/aggregation/metric?metric=\(a)")
            #expect(single.text == #"[["2024-01-01T12:00:00+00:00", 60.0, 1.0], ["2024-01-01T12:01:00+00:00", 60.0, 3.0], ["2024-01-01T12:02:00+00:00", 60.0, 5.0]]"#)
            let strict = try await api.get("/v1/aggregation/metric?metric=\(a)&metric=\(b)&start=2024-01-01T12:00:00&stop=2024-01-01T12:04:00")
            #expect(strict.status == .badRequest)
            #expect(try await api.get("/v1/aggregation/metric").text == "[]")
            let invalid = try await api.get("/v1/aggregation/metric?metric=foo")
            #expect(invalid.json?["description"] == "Invalid input: not a valid value @ data[0]")
            let unknown = try await api.get("/v1/aggregation/metric?metric=00000000-0000-0000-0000-000000000001")
            #expect(unknown.json?["description"] == "Metric 00000000-0000-0000-0000-000000000001 does not exist")
            let resample = try await api.get("/v1/aggregation/metric?metric=\(a)&resample=120")
            #expect(resample.json?["description"] == "A granularity must be specified to resample")
        }
    }
}
