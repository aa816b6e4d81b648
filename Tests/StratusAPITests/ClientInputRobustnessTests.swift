import StratusAPI
import Testing

/// Inputs that once crashed the process or answered 5xx: each must be a 4xx now.
@Suite("Client input never crashes the API")
struct ClientInputRobustnessTests {
    @Test(arguments: ["99999999999", "9223372037", "9999999999"])
    func integerTimestampsBeyond2262AreRejected(_ timestamp: String) async throws {
        try await withAPI { api, _ in
            let batch = try await api.request(.post, "/v1/batch/metrics/measures",
                                              body: #"{"00000000-0000-4000-8000-00000000dead": [{"timestamp": \#(timestamp), "value": 1}]}"#)
            #expect((400..<500).contains(Int(batch.status.code)))
            let metric = try await api.post("/v1/metric", ["archive_policy_name": "low"])
            let id = try #require(metric.json?["id"]?.stringValue)
            let posted = try await api.request(.post, "/v1/metric/\(id)/measures", body: #"[{"timestamp": \#(timestamp), "value": 1}]"#)
            #expect(posted.status == .badRequest)
        }
    }

    @Test func nulCharactersAreRefused() async throws {
        try await withAPI { api, _ in
            let created = try await api.request(.post, "/v1/metric", body: #"{"archive_policy_name": "low", "name": "a\u0000b"}"#)
            #expect(created.status == .badRequest)
            let listed = try await api.get("/v1/metric?name=a%00b")
            #expect(listed.status == .ok)
            #expect(listed.json == [])
        }
    }

    @Test func measuresOfAThirtyDayPolicyAreProcessed() async throws {
        try await withAPI { api, _ in
            let policy = try await api.post("/v1/archive_policy", ["name": "monthly", "definition": [["granularity": "30 days", "points": 12]]])
            #expect(policy.status == .created)
            let metric = try await api.post("/v1/metric", ["archive_policy_name": "monthly"])
            let id = try #require(metric.json?["id"]?.stringValue)
            let posted = try await api.post("/v1/metric/\(id)/measures", [["timestamp": "2024-01-02T00:00:00", "value": 3]])
            #expect(posted.status == .accepted)
            let measures = try await api.get("/v1/metric/\(id)/measures?refresh=true&aggregation=count")
            #expect(measures.status == .ok)
            #expect(measures.json?.arrayValue?.count == 1)
        }
    }
}
