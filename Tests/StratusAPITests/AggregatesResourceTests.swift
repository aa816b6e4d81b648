import Foundation
import HTTPTypes
import StratusTesting
import Testing

@testable import StratusAPI

@Suite("Aggregates over resources: resource_type + search, groupby")
struct AggregatesResourceTests {
    /// The index backends: SQLite always, PostgreSQL when `STRATUS_TEST_POSTGRES_URL` is set (`scripts/test-postgres.sh`).
    static let backends: [String] = IndexConformance.postgresURL == nil ? ["sqlite"] : ["sqlite", "postgresql"]

    /// Runs `body` against the API over `backend`'s index (a fresh PostgreSQL database, dropped afterwards).
    static func withBackend(
        _ backend: String, _ body: @escaping @Sendable (TestAPIClient, TimeSeriesCoreFixture) async throws -> Void
    ) async throws {
        if backend == "postgresql" {
            try await IndexConformance.withTemporaryPostgresDatabase { url in
                try await withAPI(overrides: ["indexer.url=\(url)"], body)
            }
        } else {
            try await withAPI(body)
        }
    }

    /// Three generic resources in two projects, each with a `cpu.util` metric (policy `minute`) and the first also
    /// with `cpu.time`: r1 (p1) cpu.util 10 at 12:00, 20 at 12:01; r2 (p1) 30, 40; r3 (p2) 100 at 12:00.
    static func seed(_ api: TestAPIClient, _ fixture: TimeSeriesCoreFixture) async throws -> [String: String] {
        try await MetricAPI.createPolicy(fixture, "minute", granularities: [60])
        var metrics = [String: String]()
        let specs: [(String, String, [Double])] = [
            ("6a1b6ea4-1111-4a3b-9c55-000000000001", "p1", [10, 20]),
            ("6a1b6ea4-1111-4a3b-9c55-000000000002", "p1", [30, 40]),
            ("6a1b6ea4-1111-4a3b-9c55-000000000003", "p2", [100]),
        ]
        for (index, (id, project, values)) in specs.enumerated() {
            var named: [String: JSONValue] = ["cpu.util": ["archive_policy_name": "minute"]]
            if index == 0 { named["cpu.time"] = ["archive_policy_name": "minute"] }
            let created = try await api.post("/v1/resource/generic", [
                "id": .string(id), "project_id": .string(project), "metrics": .object(named),
            ])
            #expect(created.status == .created, "\(created.text)")
            let metric = try #require(created.json?["metrics"]?["cpu.util"]?.stringValue)
            metrics[id] = metric
            let body = values.enumerated().map { #"{"timestamp": "2024-01-01T12:0\#($0.offset):00", "value": \#($0.element)}"# }
            _ = try await MetricAPI.post(api, metric, "[" + body.joined(separator: ", ") + "]")
        }
        try await fixture.drain()
        return metrics
    }

    @Test(arguments: backends)
    func searchSelectsResourcesAndNamesSelectMetrics(_ backend: String) async throws {
        try await Self.withBackend(backend) { api, fixture in
            _ = try await Self.seed(api, fixture)
            let mean = try await api.post("/v1/aggregates", [
                "resource_type": "generic", "search": ["=": ["project_id": "p1"]],
                "operations": "(aggregate mean (metric cpu.util mean))",
            ])
            #expect(mean.status == .ok, "\(mean.text)")
            #expect(mean.json == AggregatesAPI.aggregated([AggregatesAPI.row(0, 20), AggregatesAPI.row(1, 30)]))

            // A filter string as search, a wildcard name, unaggregated: keyed by resource, metric name, method.
            let perResource = try await api.post("/v1/aggregates", [
                "resource_type": "generic", "search": "project_id = 'p2'", "operations": "(metric cpu.* mean)",
            ])
            #expect(perResource.json == ["measures": ["6a1b6ea4-1111-4a3b-9c55-000000000003": ["cpu.util": ["mean": [AggregatesAPI.row(0, 100)]]]]])

            let none = try await api.post("/v1/aggregates", [
                "resource_type": "generic", "search": ["=": ["project_id": "p1"]], "operations": "(metric disk.* mean)",
            ])
            #expect(none.status == .notFound)
            #expect(none.json?["description"] == "Metric ['disk.*'] does not exist")
            let unknownType = try await api.post("/v1/aggregates", [
                "resource_type": "nope", "search": [:], "operations": "(metric cpu.util mean)",
            ])
            #expect(unknownType.status == .badRequest)
            #expect(unknownType.json?["description"] == ["cause": "Resource type does not exist", "detail": "nope"])
            let badSearch = try await api.post("/v1/aggregates", [
                "resource_type": "generic", "search": "project_id ==", "operations": "(metric cpu.util mean)",
            ])
            #expect(badSearch.status == .badRequest)
        }
    }

    @Test(arguments: backends)
    func groupbyAggregatesEachGroupAndDetailsListResources(_ backend: String) async throws {
        try await Self.withBackend(backend) { api, fixture in
            _ = try await Self.seed(api, fixture)
            let grouped = try await api.post("/v1/aggregates?groupby=project_id&details=true", [
                "resource_type": "generic", "search": [:], "operations": "(aggregate sum (metric cpu.util mean))",
            ])
            #expect(grouped.status == .ok, "\(grouped.text)")
            let groups = try #require(grouped.json?.arrayValue)
            #expect(groups.count == 2)
            #expect(groups.first?["group"] == ["project_id": "p1"])
            #expect(groups.first?["measures"]?["measures"] == ["aggregated": [AggregatesAPI.row(0, 40), AggregatesAPI.row(1, 60)]])
            #expect(groups.first?["measures"]?["references"]?.arrayValue?.count == 2)
            #expect(groups.last?["group"] == ["project_id": "p2"])
            #expect(groups.last?["measures"]?["measures"] == ["aggregated": [AggregatesAPI.row(0, 100)]])

            let deprecated = try await api.request(
                .post, "/v1/aggregation/resource/generic/metric/cpu.util?groupby=project_id&aggregation=mean&reaggregation=sum&fill=0",
                json: [:])
            #expect(deprecated.status == .ok, "\(deprecated.text)")
            #expect(deprecated.json == [
                ["group": ["project_id": "p1"], "measures": [AggregatesAPI.row(0, 40), AggregatesAPI.row(1, 60)]],
                ["group": ["project_id": "p2"], "measures": [AggregatesAPI.row(0, 100)]],
            ])
            let flat = try await api.request(.post, "/v1/aggregation/resource/generic/metric/cpu.util?filter=project_id%3D'p1'&fill=0", json: nil)
            #expect(flat.json == [AggregatesAPI.row(0, 20), AggregatesAPI.row(1, 30)])
            let badGroup = try await api.request(.post, "/v1/aggregation/resource/generic/metric/cpu.util?groupby=nope", json: [:])
            #expect(badGroup.json?["description"] == "Invalid groupby attribute")
            let badAggregatesGroup = try await api.post("/v1/aggregates?groupby=nope", [
                "resource_type": "generic", "search": [:], "operations": "(aggregate sum (metric cpu.util mean))",
            ])
            #expect(badAggregatesGroup.status == .badRequest)
        }
    }

    @Test(arguments: backends)
    func useHistoryGroupsRevisionsByTheValueTheyHad(_ backend: String) async throws {
        try await Self.withBackend(backend) { api, fixture in
            _ = try await Self.seed(api, fixture)
            let id = "6a1b6ea4-1111-4a3b-9c55-000000000003"
            // The resource moves to project p3 now; its 2024 points were measured while it was in p2.
            let patched = try await api.request(.patch, "/v1/resource/generic/\(id)", json: ["project_id": "p3"])
            #expect(patched.status == .ok, "\(patched.text)")
            let body: JSONValue = [
                "resource_type": "generic", "search": ["=": ["id": .string(id)]], "operations": "(aggregate sum (metric cpu.util mean))",
            ]
            let history = try await api.post("/v1/aggregates?groupby=project_id&use_history=true", body)
            #expect(history.status == .ok, "\(history.text)")
            #expect(history.json == [["group": ["project_id": "p2"], "measures": ["measures": ["aggregated": [AggregatesAPI.row(0, 100)]]]]])
            let current = try await api.post("/v1/aggregates?groupby=project_id", body)
            #expect(current.json?.arrayValue?.first?["group"] == ["project_id": "p3"])
            let needsAggregation = try await api.post("/v1/aggregates?groupby=project_id&use_history=true", [
                "resource_type": "generic", "search": ["=": ["id": .string(id)]], "operations": "(metric cpu.util mean)",
            ])
            #expect(needsAggregation.status == .badRequest)
        }
    }
}
