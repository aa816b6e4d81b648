import Carbonara
import Foundation
import HTTPTypes
import StratusAPI
import StratusIndex
import StratusTesting
import Testing

/// Helpers shared by the metric, measures and batch route tests.
enum MetricAPI {
    /// Creates a metric through the API and returns its id.
    static func create(_ api: TestAPIClient, _ body: JSONValue, user: String = "admin") async throws -> String {
        let reply = try await api.post("/v1/metric", body, user: user)
        #expect(reply.status == .created, "\(reply.text)")
        return try #require(reply.json?["id"]?.stringValue)
    }

    /// A keystone identity's headers.
    static func keystone(user: String, project: String, roles: String = "") -> HTTPFields {
        var fields: HTTPFields = [HTTPField.Name("X-User-Id")!: user, HTTPField.Name("X-Project-Id")!: project]
        if !roles.isEmpty { fields[HTTPField.Name("X-Roles")!] = roles }
        return fields
    }

    /// Gnocchi's voluptuous 400 description.
    static func invalid(_ reason: String, _ detail: [String] = []) -> JSONValue {
        ["cause": "Invalid input", "reason": .string(reason), "detail": .array(detail.map { .string($0) })]
    }

    /// The `Link` header of a reply.
    static func link(_ reply: TestAPIClient.Reply) -> String? { reply.headers[HTTPField.Name("Link")!] }
}

@Suite("Metrics: /v1/metric")
struct MetricRoutesTests {
    static let lowPolicy: JSONValue = [
        "name": "low", "back_window": 0, "aggregation_methods": ["count", "max", "mean", "min", "std", "sum"],
        "definition": [["granularity": "0:05:00", "points": 8640, "timespan": "30 days, 0:00:00"]],
    ]

    // MARK: - Create

    @Test func createAnswers201WithLocationAndGnocchisCreatedBody() async throws {
        try await withAPI { api, _ in
            let reply = try await api.post("/v1/metric", ["archive_policy_name": "medium", "name": "cap-disk", "unit": "B"])
            #expect(reply.status == .created)
            #expect(reply.headers[.contentType] == "application/json")
            let id = try #require(reply.json?["id"]?.stringValue)
            #expect(reply.json == [
                "id": .string(id), "creator": "admin", "name": "cap-disk", "unit": "B", "resource_id": nil,
                "archive_policy_name": "medium", "created_by_user_id": "admin", "created_by_project_id": "",
            ])
            let location = try #require(reply.headers[.location])
            #expect(location.hasPrefix("http://") && location.hasSuffix("/v1/metric/" + id))
            #expect(id == id.lowercased() && UUID(uuidString: id) != nil)
        }
    }

    @Test func createWithoutPolicyTakesTheFirstMatchingRule() async throws {
        try await withAPI { api, fixture in
            try await fixture.indexer.createArchivePolicyRule(
                ArchivePolicyRule(name: "disk", metricPattern: "disk.io.*", archivePolicyName: "medium"))
            let disk = try await api.post("/v1/metric", ["name": "disk.io.rate", "unit": "B/s"])
            #expect(disk.status == .created)
            #expect(disk.json?["archive_policy_name"] == "medium")
            let other = try await api.post("/v1/metric", ["name": "cpu"])
            #expect(other.json?["archive_policy_name"] == "low")
            let unnamed = try await api.post("/v1/metric", [:])
            #expect(unnamed.json?["archive_policy_name"] == "low")
        }
    }

    @Test func createWithoutPolicyAndNoMatchingRuleIs400() async throws {
        try await withAPI { api, fixture in
            try await fixture.indexer.deleteArchivePolicyRule(named: "default")
            let named = try await api.post("/v1/metric", ["name": "volume.io.rate"])
            #expect(named.status == .badRequest)
            #expect(named.json?["description"] == .string(
                "No archive policy name specified and no archive policy rule found matching the metric name volume.io.rate"))
            let unnamed = try await api.post("/v1/metric", [:])
            #expect(unnamed.json?["description"] == .string(
                "No archive policy name specified and no archive policy rule found matching the metric name None"))
        }
    }

    @Test func createRecordsTheCallerAsCreator() async throws {
        try await withAPI { api, _ in
            let reply = try await api.post("/v1/metric", ["archive_policy_name": "low"], user: "alice")
            #expect(reply.json?["creator"] == "alice")
            #expect(reply.json?["created_by_user_id"] == "alice")
            #expect(reply.json?["created_by_project_id"] == "")
        }
        try await withAPI(overrides: ["api.auth_mode=keystone"]) { api, _ in
            let reply = try await api.request(
                .post, "/v1/metric", json: ["archive_policy_name": "low"], user: nil,
                headers: MetricAPI.keystone(user: "u1", project: "p1"))
            #expect(reply.status == .created)
            #expect(reply.json?["creator"] == "u1:p1")
            #expect(reply.json?["created_by_user_id"] == "u1")
            #expect(reply.json?["created_by_project_id"] == "p1")
        }
    }

    @Test func createRefusesInvalidBodiesAsGnocchi() async throws {
        try await withAPI { api, _ in
            let cases: [(JSONValue, HTTPResponse.Status, JSONValue)] = [
                (["archive_policy_name": "low", "unit": .string(String(repeating: "u", count: 32))], .badRequest,
                 MetricAPI.invalid("length of value must be at most 31 for dictionary value @ data['unit']", ["unit"])),
                (["archive_policy_name": "low", "name": "disk/io"], .badRequest, "'/' is not supported in metric name"),
                (["archive_policy_name": "nope"], .badRequest, "Archive policy nope does not exist"),
                (["archive_policy_name": 5], .badRequest,
                 MetricAPI.invalid("expected str for dictionary value @ data['archive_policy_name']", ["archive_policy_name"])),
                (["archive_policy_name": "low", "name": 5], .badRequest,
                 MetricAPI.invalid("expected str for dictionary value @ data['name']", ["name"])),
                (["archive_policy_name": "low", "unit": nil], .badRequest,
                 MetricAPI.invalid("expected str for dictionary value @ data['unit']", ["unit"])),
                (["archive_policy_name": "low", "color": "blue"], .badRequest,
                 MetricAPI.invalid("extra keys not allowed @ data['color']", ["color"])),
                ([["archive_policy_name": "low"]], .badRequest, MetricAPI.invalid("expected a dictionary")),
                (["archive_policy_name": "low", "resource_id": "5d3e0b1c-0000-4000-8000-00000000c0de"], .badRequest,
                 ["cause": "Attribute value error", "detail": "name", "reason": "Name cannot be null if resource_id is not null"]),
                (["archive_policy_name": "low", "name": "x", "resource_id": "a/b"], .badRequest,
                 MetricAPI.invalid("'/' is not supported in resource id for dictionary value @ data['resource_id']", ["resource_id"])),
                (["archive_policy_name": "low", "name": "x", "resource_id": "5D3E0B1C-0000-4000-8000-0000000000FF"], .notFound,
                 "Resource 5d3e0b1c-0000-4000-8000-0000000000ff does not exist"),
            ]
            for (body, status, description) in cases {
                let reply = try await api.post("/v1/metric", body)
                #expect(reply.status == status, "\(body)")
                #expect(reply.json?["description"] == description, "\(body)")
            }
            let ok = try await api.post("/v1/metric", ["archive_policy_name": "low", "unit": .string(String(repeating: "u", count: 31))])
            #expect(ok.status == .created)
        }
    }

    @Test func createNeedsAJSONBody() async throws {
        try await withAPI { api, _ in
            let malformed = try await api.request(.post, "/v1/metric", body: "{")
            #expect(malformed.status == .badRequest)
            #expect(malformed.json?["description"]?["cause"] == "Unable to decode body")
            #expect(malformed.json?["description"]?["detail"] == [])
            let text = try await api.request(
                .post, "/v1/metric", body: #"{"archive_policy_name": "low"}"#, headers: [.contentType: "text/plain"])
            #expect(text.status == .unsupportedMediaType)
            #expect(text.json?["description"] == "")
        }
    }

    // MARK: - Show and delete

    @Test func showInlinesTheArchivePolicyAndResource() async throws {
        try await withAPI { api, _ in
            let id = try await MetricAPI.create(api, ["archive_policy_name": "low", "name": "alice-metric"], user: "alice")
            for uri in ["/v1/metric/" + id, "/v1/metric/" + id.uppercased()] {
                let reply = try await api.get(uri, user: "alice")
                #expect(reply.status == .ok)
                #expect(reply.json == [
                    "id": .string(id), "creator": "alice", "name": "alice-metric", "unit": nil, "resource": nil,
                    "archive_policy": Self.lowPolicy, "created_by_user_id": "alice", "created_by_project_id": "",
                ])
            }
        }
    }

    @Test func showIs404ForUnknownOrMalformedIds() async throws {
        try await withAPI { api, _ in
            for id in ["00000000-0000-4000-8000-00000000dead", "not-a-uuid", "foobar"] {
                let reply = try await api.get("/v1/metric/" + id)
                #expect(reply.status == .notFound)
                #expect(reply.json?["description"] == .string("Metric \(id) does not exist"))
            }
        }
    }

    @Test func getAndDeleteFollowGnocchisPolicy() async throws {
        try await withAPI { api, _ in
            let alices = try await MetricAPI.create(api, ["archive_policy_name": "low"], user: "alice")
            let admins = try await MetricAPI.create(api, ["archive_policy_name": "low"])
            #expect(try await api.get("/v1/metric/" + alices, user: "alice").status == .ok)
            #expect(try await api.get("/v1/metric/" + alices).status == .ok)
            let bob = try await api.get("/v1/metric/" + alices, user: "bob")
            #expect(bob.status == .forbidden)
            #expect(bob.json?["description"] == "")
            #expect(try await api.get("/v1/metric/" + admins, user: "alice").status == .forbidden)
            #expect(try await api.delete("/v1/metric/" + admins, user: "alice").status == .forbidden)
            #expect(try await api.delete("/v1/metric/" + alices, user: "bob").status == .forbidden)
            #expect(try await api.delete("/v1/metric/" + alices, user: "alice").status == .noContent)
            #expect(try await api.delete("/v1/metric/" + admins).status == .noContent)
        }
    }

    @Test func deleteMarksTheMetricDeleted() async throws {
        try await withAPI { api, fixture in
            let id = try await MetricAPI.create(api, ["archive_policy_name": "low"])
            let reply = try await api.delete("/v1/metric/" + id)
            #expect(reply.status == .noContent)
            #expect(reply.bytes.isEmpty)
            #expect(try await fixture.indexer.metric(id: UUID(uuidString: id)!)?.status == .delete)
            for again in [try await api.get("/v1/metric/" + id), try await api.delete("/v1/metric/" + id)] {
                #expect(again.status == .notFound)
                #expect(again.json?["description"] == .string("Metric \(id) does not exist"))
            }
            #expect(try await api.delete("/v1/metric/xyz").json?["description"] == "Metric xyz does not exist")
        }
    }

    @Test func unsupportedMethodsAre405WithAllowAsPecan() async throws {
        try await withAPI { api, _ in
            let id = try await MetricAPI.create(api, ["archive_policy_name": "low"])
            let cases: [(HTTPRequest.Method, String, String)] = [
                (.delete, "/v1/metric", "GET, POST"), (.patch, "/v1/metric/" + id, "DELETE, GET"),
                (.put, "/v1/metric/\(id)/measures", "DELETE, GET"),
            ]
            for (method, uri, allow) in cases {
                let reply = try await api.request(method, uri)
                #expect(reply.status == .methodNotAllowed, "\(method) \(uri)")
                #expect(reply.headers[.allow] == allow)
                #expect(reply.json?["description"] == "")
            }
            #expect(try await api.request(.patch, "/v1/metric/00000000-0000-4000-8000-00000000dead").status == .notFound)
        }
    }

    // MARK: - List

    @Test func listFiltersAsGnocchi() async throws {
        try await withAPI { api, _ in
            let disk = try await MetricAPI.create(api, ["archive_policy_name": "low", "name": "disk.io.rate", "unit": "B/s"])
            _ = try await MetricAPI.create(api, ["archive_policy_name": "low", "name": "disk.io.rate", "unit": "B/s"], user: "foobaz")
            _ = try await MetricAPI.create(api, ["archive_policy_name": "medium", "name": "cpu_util", "unit": "%"], user: "jd")
            let deleted = try await MetricAPI.create(api, ["archive_policy_name": "medium", "name": "gone"])
            #expect(try await api.delete("/v1/metric/" + deleted).status == .noContent)

            func names(_ query: String, user: String = "admin") async throws -> [String] {
                let reply = try await api.get("/v1/metric" + query, user: user)
                #expect(reply.status == .ok, "\(query): \(reply.text)")
                return reply.json?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            }
            #expect(try await names("").sorted() == ["cpu_util", "disk.io.rate", "disk.io.rate"])
            #expect(try await names("?name=disk.io.rate") == ["disk.io.rate", "disk.io.rate"])
            #expect(try await names("?unit=%25") == ["cpu_util"])
            #expect(try await names("?archive_policy_name=medium") == ["cpu_util"])
            #expect(try await names("?creator=jd") == ["cpu_util"])
            #expect(try await names("?user_id=jd").isEmpty)  // creator "jd:" ≠ "jd"
            #expect(try await names("?id=" + disk) == ["disk.io.rate"])
            #expect(try await names("?id=not-a-uuid").isEmpty)
            #expect(try await names("?status=active").count == 3)
            #expect(try await names("?status=delete").isEmpty)  // Gnocchi lists active metrics only
            #expect(try await names("?color=blue&name=cpu_util") == ["cpu_util"])
            #expect(try await names("?archive_policy_name=low&sort=creator:desc") == ["disk.io.rate", "disk.io.rate"])
            // In basic mode nobody is filtered.
            #expect(try await names("", user: "bob").count == 3)

            let listed = try await api.get("/v1/metric?name=cpu_util").json?.arrayValue?.first
            #expect(listed?["archive_policy"]?["name"] == "medium")
            #expect(listed?["resource_id"] == .null)
            #expect(listed?["creator"] == "jd")
        }
    }

    @Test func listRefusesBadFiltersAndPagination() async throws {
        try await withAPI { api, _ in
            let cases: [(String, JSONValue)] = [
                ("?status=bogus", "Invalid input: not a valid value for dictionary value @ data['status']"),
                ("?name=a&name=b", "Invalid input: expected str for dictionary value @ data['name']"),
                ("?limit=0", ["cause": "Argument value error", "reason": "value must be at least 1 for dictionary value @ data['limit']"]),
                ("?limit=abc", ["cause": "Argument value error", "reason": "expected int for dictionary value @ data['limit']"]),
                ("?marker=00000000-0000-4000-8000-00000000dead",
                 "Invalid pagination: `Invalid marker: `00000000-0000-4000-8000-00000000dead''"),
                ("?marker=abc", "Invalid pagination: `Invalid marker: `abc''"),
                ("?sort=bogus:asc", "Invalid pagination: `Sort key supplied is invalid: bogus'"),
                ("?sort=name:sideways", .string("Invalid pagination: `Unknown sort direction, must be one of: "
                    + "asc-nullsfirst, asc-nullslast, desc-nullsfirst, desc-nullslast'")),
            ]
            for (query, description) in cases {
                let reply = try await api.get("/v1/metric" + query)
                #expect(reply.status == .badRequest, "\(query)")
                #expect(reply.json?["description"] == description, "\(query)")
            }
        }
    }

    @Test func listPagesWithMarkerAndNextLink() async throws {
        try await withAPI { api, _ in
            var ids: [String] = []
            for name in ["e", "d", "c", "b", "a"] {
                ids.append(try await MetricAPI.create(api, ["archive_policy_name": "low", "name": .string(name)]))
            }
            let byId = ids.sorted()
            let first = try await api.get("/v1/metric?limit=2")
            #expect(first.json?.arrayValue?.compactMap { $0["id"]?.stringValue } == Array(byId[0..<2]))
            let base = try #require(MetricAPI.link(first)?.components(separatedBy: "/v1/metric?").first)
            #expect(base.hasPrefix("<http://"))
            #expect(MetricAPI.link(first) == "\(base)/v1/metric?limit=2&marker=\(byId[1])&sort=id%3Aasc>; rel=\"next\"")
            let second = try await api.get("/v1/metric?limit=2&marker=" + byId[1])
            #expect(second.json?.arrayValue?.compactMap { $0["id"]?.stringValue } == Array(byId[2..<4]))
            let last = try await api.get("/v1/metric?limit=2&marker=" + byId[3])
            #expect(last.json?.arrayValue?.count == 1)
            #expect(MetricAPI.link(last) == nil)

            // Filters and the sort are kept, sorted by name, form-encoded.
            let named = try await api.get("/v1/metric?sort=name:desc&limit=2&archive_policy_name=low&color=a+b")
            #expect(named.json?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["e", "d"])
            #expect(MetricAPI.link(named) == "\(base)/v1/metric?archive_policy_name=low&color=a+b&limit=2"
                + "&marker=\(ids[1])&sort=name%3Adesc>; rel=\"next\"")
            let next = try await api.get("/v1/metric?sort=name:desc&limit=2&archive_policy_name=low&marker=" + ids[1])
            #expect(next.json?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["c", "b"])
            #expect(MetricAPI.link(try await api.get("/v1/metric?limit=100")) == nil)
        }
    }

    @Test func listLimitIsClampedToMaxLimit() async throws {
        try await withAPI(overrides: ["api.max_limit=2"]) { api, _ in
            for _ in 0..<3 { _ = try await MetricAPI.create(api, ["archive_policy_name": "low"]) }
            for query in ["", "?limit=100"] {
                let reply = try await api.get("/v1/metric" + query)
                #expect(reply.json?.arrayValue?.count == 2, "\(query)")
                #expect(MetricAPI.link(reply)?.contains("limit=2&marker=") == true, "\(query)")
            }
        }
    }

    @Test func keystoneListsOnlyTheProjectsMetricsToNonAdmins() async throws {
        try await withAPI(overrides: ["api.auth_mode=keystone"]) { api, _ in
            func create(_ user: String, _ project: String) async throws -> String {
                let reply = try await api.request(
                    .post, "/v1/metric", json: ["archive_policy_name": "low"], user: nil,
                    headers: MetricAPI.keystone(user: user, project: project))
                return try #require(reply.json?["id"]?.stringValue)
            }
            let mine = try await create("u1", "p1")
            let colleagues = try await create("u2", "p1")
            let others = try await create("u3", "p2")
            func ids(_ headers: HTTPFields, _ query: String = "") async throws -> [String] {
                let reply = try await api.request(.get, "/v1/metric" + query, user: nil, headers: headers)
                #expect(reply.status == .ok)
                return reply.json?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            }
            #expect(try await ids(MetricAPI.keystone(user: "u1", project: "p1")) == [mine, colleagues].sorted())
            #expect(try await ids(MetricAPI.keystone(user: "u1", project: "p1"), "?limit=1") == [[mine, colleagues].min()!])
            #expect(try await ids(MetricAPI.keystone(user: "u9", project: "p2")) == [others])
            #expect(try await ids(MetricAPI.keystone(user: "root", project: "p3", roles: "admin")).count == 3)
            // Same project, other user: allowed to read it (project_id:%(created_by_project_id)s).
            let read = try await api.request(
                .get, "/v1/metric/" + colleagues, user: nil, headers: MetricAPI.keystone(user: "u1", project: "p1"))
            #expect(read.status == .ok)
            let denied = try await api.request(
                .get, "/v1/metric/" + others, user: nil, headers: MetricAPI.keystone(user: "u1", project: "p1"))
            #expect(denied.status == .forbidden)
        }
    }

    @Test func aMetricCreatedOnAResourceBelongsToTheResourcesProject() async throws {
        try await withAPI(overrides: ["api.auth_mode=keystone"]) { api, _ in
            let admin = MetricAPI.keystone(user: "root", project: "admin", roles: "admin")
            let resource = try await api.request(
                .post, "/v1/resource/generic", json: ["id": "vm-1", "project_id": "p1"], user: nil, headers: admin)
            #expect(resource.status == .created, "\(resource.text)")
            let resourceId = try #require(resource.json?["id"]?.stringValue)
            // By its original (string) id: converted as Gnocchi converts resource ids, for the same creator.
            let created = try await api.request(
                .post, "/v1/metric", json: ["archive_policy_name": "low", "name": "cpu", "resource_id": "vm-1"],
                user: nil, headers: admin)
            #expect(created.status == .created, "\(created.text)")
            #expect(created.json?["resource_id"]?.stringValue == resourceId)
            let id = try #require(created.json?["id"]?.stringValue)
            let shown = try await api.request(.get, "/v1/resource/generic/" + resourceId, user: nil, headers: admin)
            #expect(shown.json?["metrics"]?["cpu"]?.stringValue == id, "\(shown.text)")

            let owner = MetricAPI.keystone(user: "u1", project: "p1")
            let stranger = MetricAPI.keystone(user: "u2", project: "p2")
            #expect(try await api.request(.get, "/v1/metric/" + id, user: nil, headers: owner).status == .ok)
            #expect(try await api.request(.get, "/v1/metric/\(id)/measures", user: nil, headers: owner).status == .ok)
            #expect(try await api.request(.get, "/v1/metric/" + id, user: nil, headers: stranger).status == .forbidden)
            let batch = try await api.request(
                .post, "/v1/batch/metrics/measures", json: [id: [["timestamp": "2024-01-01T00:00:00", "value": 1]]],
                user: nil, headers: stranger)
            #expect(batch.status == .forbidden)
            // Attaching a metric needs the right to update the resource.
            let foreign = try await api.request(
                .post, "/v1/metric", json: ["archive_policy_name": "low", "name": "mem", "resource_id": .string(resourceId)],
                user: nil, headers: stranger)
            #expect(foreign.status == .forbidden)
        }
    }
}
