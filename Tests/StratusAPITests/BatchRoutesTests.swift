import Foundation
import HTTPTypes
import StratusAPI
import StratusStorage
import StratusTesting
import Testing

@Suite("Batch: /v1/batch/metrics/measures")
struct BatchRoutesTests {
    static let path = "/v1/batch/metrics/measures"

    private static func post(_ api: TestAPIClient, _ body: String, user: String = "admin") async throws -> TestAPIClient.Reply {
        try await api.request(.post, path, body: body, user: user)
    }

    @Test func storesTheMeasuresOfEveryMetric() async throws {
        try await withAPI { api, fixture in
            let first = try await MetricAPI.create(api, ["archive_policy_name": "low"])
            let second = try await MetricAPI.create(api, ["archive_policy_name": "low"])
            let reply = try await Self.post(api, #"""
                {"\#(first)": [{"timestamp": "2024-01-01T12:20:00", "value": 20}],
                 "\#(second.uppercased())": [{"timestamp": "2024-01-01T12:20:00", "value": 1}, {"timestamp": "2024-01-01T12:21:00", "value": 2}]}
                """#)
            #expect(reply.status == .accepted)
            #expect(reply.bytes.isEmpty)
            #expect(reply.headers[.contentType] == "application/json")
            #expect(try await fixture.incoming.backlog().measures == 3)
            #expect(try await api.get("/v1/metric/\(first)/measures?refresh=true").text
                == #"[["2024-01-01T12:20:00+00:00", 300.0, 20.0]]"#)
            #expect(try await api.get("/v1/metric/\(second)/measures?refresh=true").text
                == #"[["2024-01-01T12:20:00+00:00", 300.0, 1.5]]"#)
        }
    }

    @Test func unknownMetricsAreListedAndNothingIsStored() async throws {
        try await withAPI { api, fixture in
            let known = try await MetricAPI.create(api, ["archive_policy_name": "low"])
            let deleted = try await MetricAPI.create(api, ["archive_policy_name": "low"])
            // Known to the metric cache before it is deleted: the delete must evict it.
            #expect(try await Self.post(api, #"{"\#(deleted)": []}"#).status == .accepted)
            #expect(try await api.delete("/v1/metric/" + deleted).status == .noContent)
            let reply = try await Self.post(api, #"""
                {"\#(known)": [{"timestamp": "2024-01-01T12:30:00", "value": 999}],
                 "37AEC8B7-C0D9-445B-8AB9-D3C6312DCF5D": [{"timestamp": "2024-01-01T12:30:00", "value": 1}],
                 "\#(deleted)": [],
                 "37AEC8B7-C0D9-445B-8AB9-D3C6312DCF5C": [{"timestamp": "2024-01-01T12:30:00", "value": 1}]}
                """#)
            #expect(reply.status == .badRequest)
            let missing = [deleted, "37aec8b7-c0d9-445b-8ab9-d3c6312dcf5c", "37aec8b7-c0d9-445b-8ab9-d3c6312dcf5d"].sorted()
            #expect(reply.json?["description"] == .string("Unknown metrics: " + missing.joined(separator: ", ")))
            #expect(try await fixture.incoming.backlog().measures == 0)
            #expect(try await api.get("/v1/metric/\(known)/measures?refresh=true").text == "[]")
        }
    }

    @Test func oneInvalidListRejectsTheWholeBatch() async throws {
        try await withAPI { api, fixture in
            let good = try await MetricAPI.create(api, ["archive_policy_name": "low"])
            let bad = try await MetricAPI.create(api, ["archive_policy_name": "low"])
            let cases: [(String, JSONValue)] = [
                (#"{"\#(good)": [{"timestamp": 1, "value": 1}], "\#(bad)": [{"timestamp": "2024-01-01T12:30:00", "value": "x"}]}"#,
                 MetricAPI.invalid("unexpected measures value for dictionary value @ data['\(bad)']", [bad])),
                (#"{"\#(good)": [{"timestamp": 1, "value": 1}], "\#(bad)": [{"timestamp": "1960-01-01T00:00:00", "value": 1}]}"#,
                 MetricAPI.invalid("unexpected timestamp 'Timestamp must be after Epoch' for dictionary value @ data['\(bad)']", [bad])),
                (#"{"\#(good)": [{"timestamp": 1, "value": 1}], "\#(bad)": {"timestamp": "2024-01-01T12:30:00", "value": 1}}"#,
                 MetricAPI.invalid("unexpected measures format for dictionary value @ data['\(bad)']", [bad])),
                (#"{"\#(good)": [{"timestamp": 1, "value": 1}], "not-a-uuid": []}"#,
                 MetricAPI.invalid("not a valid value @ data['not-a-uuid']", ["not-a-uuid"])),
                ("[]", MetricAPI.invalid("expected a dictionary")),
                ("{]", ["cause": "Unable to decode body", "reason": "Expected object or value", "detail": []]),
                (#"{"\#(good)": [{"timestamp": 1, "value": 1}]"#, ["cause": "Unable to decode body", "reason": "Unexpected character found when decoding object value", "detail": []]),
            ]
            for (body, description) in cases {
                let reply = try await Self.post(api, body)
                #expect(reply.status == .badRequest, "\(body)")
                #expect(reply.json?["description"] == description, "\(body)")
            }
            #expect(try await fixture.incoming.backlog().measures == 0)
        }
    }

    @Test func emptyBatchIsAccepted() async throws {
        try await withAPI { api, fixture in
            _ = try await MetricAPI.create(api, ["archive_policy_name": "low"])
            #expect(try await Self.post(api, "{}").status == .accepted)
            #expect(try await fixture.incoming.backlog().measures == 0)
        }
    }

    @Test func needsJSONContentType() async throws {
        try await withAPI { api, _ in
            let reply = try await api.request(.post, Self.path, body: "{}", headers: [.contentType: "text/plain"])
            #expect(reply.status == .unsupportedMediaType)
            #expect(reply.json?["description"] == "")
        }
    }

    @Test func everyMetricMustAllowTheCallerToPost() async throws {
        try await withAPI { api, fixture in
            let alices = try await MetricAPI.create(api, ["archive_policy_name": "low"], user: "alice")
            let admins = try await MetricAPI.create(api, ["archive_policy_name": "low"])
            let measures = #"[{"timestamp": "2024-01-01T12:30:00", "value": 1}]"#
            let mixed = try await Self.post(api, #"{"\#(alices)": \#(measures), "\#(admins)": \#(measures)}"#, user: "alice")
            #expect(mixed.status == .forbidden)
            #expect(mixed.json?["description"] == "")
            #expect(try await fixture.incoming.backlog().measures == 0)
            #expect(try await Self.post(api, #"{"\#(alices)": \#(measures)}"#, user: "alice").status == .accepted)
            #expect(try await Self.post(api, #"{"\#(alices)": \#(measures), "\#(admins)": \#(measures)}"#).status == .accepted)
            #expect(try await fixture.incoming.backlog().measures == 3)
        }
    }

    @Test func theLastSpellingOfAMetricWins() async throws {
        try await withAPI { api, fixture in
            let id = try await MetricAPI.create(api, ["archive_policy_name": "low"])
            let braced = "{" + id.uppercased().replacingOccurrences(of: "-", with: "") + "}"
            let reply = try await Self.post(api, #"""
                {"\#(id)": [{"timestamp": "2024-01-01T12:00:00", "value": 1}], "\#(braced)": [{"timestamp": "2024-01-01T12:00:00", "value": 2}]}
                """#)
            #expect(reply.status == .accepted)
            let backlog = try await fixture.incoming.backlog()
            #expect(backlog.measures == 1)
            #expect(try await api.get("/v1/metric/\(id)/measures?refresh=true").text == #"[["2024-01-01T12:00:00+00:00", 300.0, 2.0]]"#)
        }
    }
}
