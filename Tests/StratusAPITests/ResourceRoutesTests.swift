import Foundation
import HTTPTypes
import StratusAPI
import StratusIndex
import Testing

/// `/v1/resource/…` and `/v1/batch/resources/metrics/measures`, in-process, against Gnocchi 4.7.1's answers.
@Suite struct ResourceRoutesTests {
    static func makeInstanceType(_ client: TestAPIClient) async throws {
        let reply = try await client.post("/v1/resource_type", [
            "name": "instance",
            "attributes": [
                "host": ["type": "string", "max_length": 255],
                "flavor": ["type": "string", "required": false],
            ],
        ])
        #expect(reply.status == .created)
    }

    @Test func createWithStringIdAndInlineMetrics() async throws {
        try await withAPI { client, _ in
            try await Self.makeInstanceType(client)
            let created = try await client.post("/v1/resource/instance", [
                "id": "vm-1", "host": "compute-1", "user_id": "u", "project_id": "p",
                "started_at": "2024-01-01T00:00:00Z",
                "metrics": ["cpu": ["archive_policy_name": "low"], "memory": [:]],
            ])
            #expect(created.status == .created)
            let json = try #require(created.json)
            let expectedId = try ResourceIdentifier.uuid("vm-1", creator: "admin").uuidString.lowercased()
            #expect(json["id"]?.stringValue == expectedId)
            #expect(json["original_resource_id"] == "vm-1")
            #expect(json["type"] == "instance")
            #expect(json["creator"] == "admin")
            #expect(json["created_by_user_id"] == "admin")
            #expect(json["created_by_project_id"] == "")
            #expect(json["started_at"] == "2024-01-01T00:00:00+00:00")
            #expect(json["ended_at"] == .null)
            #expect(json["revision_end"] == .null)
            #expect(json["host"] == "compute-1")
            #expect(json["flavor"] == .null)
            #expect(json["metrics"]?.objectValue?.keys.sorted() == ["cpu", "memory"])
            #expect(created.headers[.location]?.hasSuffix("/v1/resource/instance/\(expectedId)") == true)
            let etag = try #require(created.headers[.eTag])
            #expect(etag.count == 42)
            #expect(created.headers[.lastModified]?.hasSuffix(" GMT") == true)

            // The same string id names it in paths, for the same creator.
            let shown = try await client.get("/v1/resource/instance/vm-1")
            #expect(shown.status == .ok)
            #expect(shown.json == json)
            #expect(try await client.get("/v1/resource/generic/vm-1").json?["host"] == nil)
            #expect(try await client.get("/v1/resource/instance/vm-1", user: "bob").status == .notFound)

            let again = try await client.post("/v1/resource/instance", ["id": "vm-1", "host": "x"])
            #expect(again.status == .conflict)
            #expect(again.json?["description"]?.stringValue == "Resource \(expectedId) already exists")
        }
    }

    @Test func creationErrorsAreGnocchis() async throws {
        try await withAPI { client, _ in
            try await Self.makeInstanceType(client)
            let missing = try await client.post("/v1/resource/instance", ["id": "vm"])
            #expect(missing.status == .badRequest)
            #expect(missing.json?["description"]?["reason"] == "required key not provided @ data['host']")
            let extra = try await client.post("/v1/resource/instance", ["id": "vm", "host": "h", "color": "red"])
            #expect(extra.json?["description"]?["reason"] == "extra keys not allowed @ data['color']")
            let slash = try await client.post("/v1/resource/instance", ["id": "a/b", "host": "h"])
            #expect(slash.json?["description"]?["reason"] == "'/' is not supported in resource id for dictionary value @ data['id']")
            let tooLong = try await client.post("/v1/resource/instance", ["id": "vm", "host": .string(String(repeating: "h", count: 256))])
            #expect(tooLong.json?["description"]?["reason"] == "length of value must be at most 255 for dictionary value @ data['host']")
            let order = try await client.post("/v1/resource/instance", [
                "id": "vm", "host": "h", "started_at": "2024-01-02", "ended_at": "2024-01-01",
            ])
            #expect(order.json?["description"] == "Start timestamp cannot be after end timestamp")
            let unknownMetric = try await client.post("/v1/resource/instance", [
                "id": "vm", "host": "h", "metrics": ["cpu": .string(UUID().uuidString)],
            ])
            #expect(unknownMetric.status == .badRequest)
            #expect(unknownMetric.json?["description"]?.stringValue?.hasSuffix("does not exist") == true)
            let unknownType = try await client.post("/v1/resource/nope", ["id": "vm"])
            #expect(unknownType.status == .notFound)
            #expect(unknownType.json?["description"] == "Resource type nope does not exist")
            let wrongMedia = try await client.request(.post, "/v1/resource/instance", body: "{}", headers: [.contentType: "text/plain"])
            #expect(wrongMedia.status == .unsupportedMediaType)
        }
    }

    @Test func patchMakesRevisionsAndConditionalRequestsFollowGnocchi() async throws {
        try await withAPI { client, _ in
            try await Self.makeInstanceType(client)
            let created = try await client.post("/v1/resource/instance", ["id": "vm-1", "host": "h1", "metrics": ["cpu": [:]]])
            let etag = try #require(created.headers[.eTag])
            let lastModified = try #require(created.headers[.lastModified])

            #expect(try await client.request(.get, "/v1/resource/instance/vm-1", headers: [.ifNoneMatch: etag]).status == .notModified)
            #expect(try await client.request(.get, "/v1/resource/instance/vm-1", headers: [.ifMatch: "\"nope\""]).status
                == .preconditionFailed)
            #expect(try await client.request(.get, "/v1/resource/instance/vm-1", headers: [.ifModifiedSince: lastModified]).status
                == .notModified)
            #expect(try await client.request(
                .get, "/v1/resource/instance/vm-1", headers: [.ifUnmodifiedSince: "Thu, 01 Jan 1970 00:00:00 GMT"]).status
                == .preconditionFailed)
            #expect(try await client.request(
                .patch, "/v1/resource/instance/vm-1", json: ["host": "h2"], headers: [.ifNoneMatch: "*"]).status
                == .preconditionFailed)

            // Same value: no revision, same ETag.
            let same = try await client.request(.patch, "/v1/resource/instance/vm-1", json: ["host": "h1"])
            #expect(same.status == .ok)
            #expect(same.headers[.eTag] == etag)
            let moved = try await client.request(
                .patch, "/v1/resource/instance/vm-1", json: ["host": "h2"], headers: [.ifMatch: etag])
            #expect(moved.status == .ok)
            #expect(moved.json?["host"] == "h2")
            #expect(moved.headers[.eTag] != etag)
            // Metrics only: replaced, no revision.
            let rewired = try await client.request(.patch, "/v1/resource/instance/vm-1", json: ["metrics": ["disk": [:]]])
            #expect(rewired.json?["metrics"]?.objectValue?.keys.sorted() == ["disk"])
            #expect(rewired.headers[.eTag] == moved.headers[.eTag])
            let badPatch = try await client.request(.patch, "/v1/resource/instance/vm-1", json: ["id": "x"])
            #expect(badPatch.json?["description"]?["reason"] == "extra keys not allowed @ data['id']")

            let history = try await client.get("/v1/resource/instance/vm-1/history")
            let revisions = try #require(history.json?.arrayValue)
            #expect(revisions.map { $0["host"] } == ["h1", "h2"])
            #expect(revisions[0]["revision_end"] == revisions[1]["revision_start"])
            #expect(revisions[1]["revision_end"] == .null)
        }
    }

    @Test func listPagesWithLinkAndFiltersForBulkDelete() async throws {
        try await withAPI { client, fixture in
            try await Self.makeInstanceType(client)
            for n in 0..<5 {
                let reply = try await client.post("/v1/resource/instance", [
                    "id": .string("vm-\(n)"), "host": .string(n < 3 ? "a" : "b"), "started_at": .string("2024-01-0\(n + 1)"),
                ])
                #expect(reply.status == .created)
            }
            let page = try await client.get("/v1/resource/instance?limit=2&sort=host:desc&attrs=host&attrs=id")
            let items = try #require(page.json?.arrayValue)
            #expect(items.count == 2)
            #expect(items.allSatisfy { $0.objectValue?.keys.sorted() == ["host", "id"] })
            #expect(items.map { $0["host"] } == ["b", "b"])
            let link = try #require(page.headers[HTTPField.Name("Link")!])
            #expect(link.contains("rel=\"next\""))
            #expect(link.contains("marker=\(items[1]["id"]!.stringValue!)"))

            var seen: [String] = []
            var marker: String?
            while true {
                let uri = "/v1/resource/instance?limit=2" + (marker.map { "&marker=\($0)" } ?? "")
                let batch = try #require(try await client.get(uri).json?.arrayValue)
                seen += batch.compactMap { $0["original_resource_id"]?.stringValue }
                guard batch.count == 2 else { break }
                marker = batch.last?["id"]?.stringValue
            }
            #expect(seen == ["vm-0", "vm-1", "vm-2", "vm-3", "vm-4"])
            let badSort = try await client.get("/v1/resource/instance?sort=nope")
            #expect(badSort.json?["description"] == "Invalid pagination: `Sort key supplied is invalid: nope'")
            let badMarker = try await client.get("/v1/resource/instance?marker=\(UUID().uuidString.lowercased())")
            #expect(badMarker.status == .badRequest)
            #expect(badMarker.json?["description"]?.stringValue?.hasPrefix("Invalid pagination: `Invalid marker") == true)

            let empty = try await client.delete("/v1/resource/instance")
            #expect(empty.status == .badRequest)
            #expect(empty.json?["description"]?.stringValue?.hasPrefix("caution: the query can not be empty") == true)
            let deleted = try await client.request(.delete, "/v1/resource/instance", json: ["=": ["host": "a"]])
            #expect(deleted.json == ["deleted": 3])
            let byString = try await client.request(.delete, "/v1/resource/instance?filter=host%3D%27b%27")
            #expect(byString.json == ["deleted": 2])
            #expect(try await client.get("/v1/resource/generic").json == [])
            _ = fixture
        }
    }

    @Test func resourceMetricSubEndpointsAndDelete() async throws {
        try await withAPI { client, fixture in
            try await Self.makeInstanceType(client)
            _ = try await client.post("/v1/resource/instance", ["id": "vm-1", "host": "h", "metrics": ["cpu": [:]]])
            let metrics = try await client.get("/v1/resource/instance/vm-1/metric")
            #expect(metrics.json?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["cpu"])
            let added = try await client.post("/v1/resource/instance/vm-1/metric", ["mem": ["archive_policy_name": "low"]])
            #expect(added.status == .ok)
            #expect(added.json?.arrayValue?.compactMap { $0["name"]?.stringValue }.sorted() == ["cpu", "mem"])
            let taken = try await client.post("/v1/resource/instance/vm-1/metric", ["mem": [:]])
            #expect(taken.status == .conflict)
            #expect(taken.json?["description"] == "Named metric mem already exists")

            let posted = try await client.post(
                "/v1/resource/instance/vm-1/metric/cpu/measures", [["timestamp": "2024-01-01T00:00:00", "value": 1.5]])
            #expect(posted.status == .accepted)
            let shown = try await client.get("/v1/resource/instance/vm-1/metric/cpu")
            #expect(shown.json?["name"] == "cpu")
            let refreshed = try await client.get("/v1/resource/instance/vm-1/metric/cpu/measures?refresh=true")
            #expect(refreshed.status == .ok)
            #expect(refreshed.json?.arrayValue?.isEmpty == false)
            let unknownName = try await client.get("/v1/resource/instance/vm-1/metric/nope/measures")
            #expect(unknownName.json?["description"] == "Metric nope does not exist")
            let unknownResource = try await client.get("/v1/resource/instance/vm-2/metric/cpu")
            #expect(unknownResource.status == .notFound)
            #expect(unknownResource.json?["description"]?.stringValue?.hasPrefix("Resource ") == true)

            let cpu = try #require(shown.json?["id"]?.stringValue.flatMap { UUID(uuidString: $0) })
            #expect(try await client.delete("/v1/resource/instance/vm-1").status == .noContent)
            #expect(try await client.get("/v1/resource/instance/vm-1").status == .notFound)
            #expect(try await fixture.core.indexer.metric(id: cpu)?.status == .delete)
        }
    }

    @Test func batchResourceMeasuresCreatesMetricsOrReportsUnknowns() async throws {
        try await withAPI { client, _ in
            try await Self.makeInstanceType(client)
            _ = try await client.post("/v1/resource/instance", ["id": "vm-1", "host": "h"])
            let measures: JSONValue = [["timestamp": "2024-01-01T00:00:00", "value": 1]]
            let unknownMetrics = try await client.post("/v1/batch/resources/metrics/measures", ["vm-1": ["cpu": measures]])
            #expect(unknownMetrics.status == .badRequest)
            let vm1 = try ResourceIdentifier.uuid("vm-1", creator: "admin").uuidString.lowercased()
            #expect(unknownMetrics.json?["description"]?.stringValue == "Unknown metrics: \(vm1)/cpu")

            let created = try await client.post(
                "/v1/batch/resources/metrics/measures?create_metrics=true",
                ["vm-1": ["cpu": measures, "disk": ["archive_policy_name": "medium", "unit": "B", "measures": measures]]])
            #expect(created.status == .accepted)
            let metrics = try #require(try await client.get("/v1/resource/instance/vm-1/metric").json?.arrayValue)
            #expect(metrics.compactMap { $0["name"]?.stringValue }.sorted() == ["cpu", "disk"])
            #expect(metrics.first { $0["name"] == "disk" }?["archive_policy_name"] == "medium")

            let unknownResource = try await client.post(
                "/v1/batch/resources/metrics/measures?create_metrics=true", ["vm-9": ["cpu": measures]])
            #expect(unknownResource.status == .badRequest)
            let vm9 = try ResourceIdentifier.uuid("vm-9", creator: "admin").uuidString.lowercased()
            #expect(unknownResource.json?["description"] == [
                "cause": "Unknown resources",
                "detail": [["resource_id": .string(vm9), "original_resource_id": "vm-9"]],
            ])
            let badMeasures = try await client.post(
                "/v1/batch/resources/metrics/measures", ["vm-1": ["cpu": [["value": 1]]]])
            #expect(badMeasures.status == .badRequest)
            #expect(badMeasures.json?["description"]?["cause"] == "Invalid input")
        }
    }

    @Test func keystoneCallersSeeTheirProjectsResources() async throws {
        try await withAPI(overrides: ["api.auth_mode=keystone"]) { client, _ in
            let admin: HTTPFields = [
                HTTPField.Name("X-User-Id")!: "root", HTTPField.Name("X-Project-Id")!: "admin", HTTPField.Name("X-Roles")!: "admin",
            ]
            func user(_ project: String) -> HTTPFields {
                [HTTPField.Name("X-User-Id")!: "u-\(project)", HTTPField.Name("X-Project-Id")!: .init(project)]
            }
            for (id, project) in [("r1", "p1"), ("r2", "p2")] {
                let created = try await client.request(
                    .post, "/v1/resource/generic", json: ["id": .string(id), "project_id": .string(project)], user: nil, headers: admin)
                #expect(created.status == .created)
            }
            // Created by p1's user, for another project: visible to p1 as its creator's project.
            let own = try await client.request(
                .post, "/v1/resource/generic", json: ["id": "r3", "project_id": "p3"], user: nil, headers: user("p1"))
            #expect(own.status == .created)
            let listed = try await client.request(.get, "/v1/resource/generic", user: nil, headers: user("p1"))
            #expect(Set(listed.json?.arrayValue?.compactMap { $0["original_resource_id"]?.stringValue } ?? []) == ["r1", "r3"])
            let all = try await client.request(.get, "/v1/resource/generic", user: nil, headers: admin)
            #expect(all.json?.arrayValue?.count == 3)
            let r2 = try #require(all.json?.arrayValue?.first { $0["original_resource_id"] == "r2" }?["id"]?.stringValue)
            let foreign = try await client.request(.get, "/v1/resource/generic/\(r2)", user: nil, headers: user("p1"))
            #expect(foreign.status == .forbidden)
            let foreignDelete = try await client.request(.delete, "/v1/resource/generic/\(r2)", user: nil, headers: user("p1"))
            #expect(foreignDelete.status == .forbidden)
        }
    }
}
