import Foundation
import HTTPTypes
import StratusCore
import StratusIndex
import StratusTesting
import Testing

@testable import StratusAPI

/// `POST /v1/search/resource/{type}` and `POST /v1/search/metric` in-process, after Gnocchi 4.7.1's functional
/// scenarios (gabbits/search.yaml, search-metric.yaml) plus typed attributes, history and keystone scoping.
@Suite("Search: /v1/search")
struct SearchRoutesTests {
    static let r1 = "faef212f-0bf4-4030-a461-2186fef79be0"
    static let r2 = "df7e5e75-6a1d-4ff7-85cb-38eb9d75da7e"

    static func search(
        _ api: TestAPIClient, _ path: String, _ json: JSONValue? = nil, user: String? = "foobar", headers: HTTPFields = [:]
    ) async throws -> TestAPIClient.Reply {
        try await api.request(.post, "/v1/search/resource/" + path, json: json, user: user, headers: headers)
    }

    static func count(_ reply: TestAPIClient.Reply) -> Int? { reply.json?.arrayValue?.count }

    static func ids(_ reply: TestAPIClient.Reply) -> Set<String> {
        Set(reply.json?.arrayValue?.compactMap { $0["original_resource_id"]?.stringValue } ?? [])
    }

    // MARK: - gabbits/search.yaml

    @Test func gnocchisSearchScenario() async throws {
        try await withAPI { api, _ in
            #expect(try await api.get("/v1/search/notexists", user: "foobar").status == .notFound)
            #expect(try await Self.search(api, "foobar", [:]).status == .notFound)
            #expect(try await Self.search(api, "generic", ["=": ["id": "cd9eef"]]).status == .ok)

            let andDict = try await Self.search(api, "generic", ["and": ["project_id": "foobar"]])
            #expect(andDict.status == .badRequest)
            #expect(andDict.json?["description"] == [
                "cause": "Invalid input", "reason": "expected a list for dictionary value @ data['and']", "detail": ["and"],
            ])
            for body: JSONValue in [["like": ["id": "fa%"]], ["like": ["id": ["fa%"]]]] {
                let like = try await Self.search(api, "generic", body)
                #expect(like.json?["description"]?["reason"] == "value must not be one of ['id'] @ data['like']['id']")
                #expect(like.json?["description"]?["detail"] == ["like", "id"])
            }
            let ne = try await Self.search(api, "generic", ["ne": ["project_id": ["foobar"]]])
            #expect(ne.json?["description"]?["reason"] == "expected str for dictionary value @ data['ne']['project_id']")
            let not = try await Self.search(api, "generic", ["not": [["project_id": "foobar"]]])
            #expect(not.json?["description"]?["reason"] == "expected a dictionary for dictionary value @ data['not']")

            for id in [Self.r1, Self.r2] {
                let created = try await api.post("/v1/resource/generic", [
                    "id": .string(id), "started_at": "2014-01-03T02:02:02.000000",
                    "user_id": "0fbb231484614b1a80131fc22f6afc9c", "project_id": "f3d41b770cc14f0bb94a1d5be9c0e3ea",
                ], user: "foobar")
                #expect(created.status == .created)
            }
            #expect(Self.count(try await Self.search(api, "generic", ["in": ["id": [.string(Self.r1), .string(Self.r2)]]])) == 2)
            #expect(Self.count(try await Self.search(api, "generic", ["eq": ["created_by_project_id": "f3d41b770cc14f0bb94a1d5be9c0e3ea"]])) == 0)
            #expect(Self.count(try await Self.search(api, "generic", ["eq": ["creator": "foobar"]])) == 2)
            #expect(Self.count(try await Self.search(api, "generic", ["like": ["creator": "foo%"]])) == 2)

            let invalid = try await Self.search(api, "generic?filter=id%20%3D%3D%20foobar")
            #expect(invalid.status == .badRequest)
            #expect(invalid.json?["description"]?.stringValue?.hasPrefix("Invalid filter: Expected") == true)
            let inList = "id%20in%20%5B\(Self.r1)%2C%20\(Self.r2)%5D"
            #expect(Self.count(try await Self.search(api, "generic?filter=" + inList)) == 2)
            #expect(Self.count(try await Self.search(api, "generic?filter=not%20" + inList)) == 0)
            let emptyIn = try await Self.search(api, "generic", ["in": ["id": []]])
            #expect(emptyIn.status == .badRequest)
            #expect(emptyIn.text.contains("length of value must be at least 1"))
            #expect(try await Self.search(api, "generic?filter=id%20in%20%5B%5D").text.contains("length of value must be at least 1"))

            #expect(Self.count(try await Self.search(api, "generic", [:])) == 2)
            let page = try await Self.search(api, "generic?limit=1", [:])
            #expect(Self.count(page) == 1)
            #expect(page.headers[HTTPField.Name("Link")!] == "<http://localhost/v1/search/resource/generic?limit=1&marker=\(Self.r1)"
                + "&sort=revision_start%3Aasc&sort=started_at%3Aasc>; rel=\"next\"")
            let last = try await Self.search(api, "generic?marker=\(Self.r1)&sort=revision_start:asc&sort=started_at:asc", [:])
            #expect(Self.count(last) == 1)
            #expect(last.headers[HTTPField.Name("Link")!] == nil)

            _ = try await api.post("/v1/resource/generic", [
                "id": "95573760-b085-4e69-9280-91f66fc3ed3c", "started_at": "2014-01-03T02:02:02.000000",
            ], user: "foobar")
            #expect(Self.count(try await Self.search(api, "generic", [:])) == 3)
            #expect(Self.count(try await Self.search(api, "generic", ["ne": ["project_id": "foobar"]])) == 3)
            let attrs = try await Self.search(api, "generic?attrs=id&attrs=started_at&attrs=user_id", [:])
            #expect(attrs.json?.arrayValue?.first?.objectValue?.count == 3)
            let unknownAttrs = try await Self.search(api, "generic?attrs=id&attrs=foo&attrs=bar", [:])
            #expect(unknownAttrs.json?.arrayValue?.first?.objectValue?.count == 1)
            #expect(try await Self.search(api, "generic", [:]).json?.arrayValue?.first?.objectValue?.count == 13)
        }
    }

    // MARK: - Typed attributes

    /// The image of vm-c: the id `base-image` becomes for the admin, which a search may name either way.
    static let baseImage = ResourceIdentifier.uuid5(namespace: ResourceIdentifier.namespace, name: "base-image\u{0}admin").lowercaseText

    /// A type with one attribute of each kind and four resources.
    static func seedTyped(_ api: TestAPIClient) async throws {
        let type = try await api.post("/v1/resource_type", [
            "name": "search_vm",
            "attributes": [
                "host": ["type": "string", "required": false],
                "flavor": ["type": "number", "required": false],
                "enabled": ["type": "bool", "required": false],
                "image": ["type": "uuid", "required": false],
                "launched": ["type": "datetime", "required": false],
            ],
        ])
        #expect(type.status == .created)
        let rows: [JSONValue] = [
            ["id": "vm-a", "host": "compute-1", "flavor": 1, "enabled": true, "image": "11111111-1111-4111-8111-111111111111",
             "launched": "2020-01-01T00:00:00", "started_at": "2020-01-01T00:00:00", "ended_at": "2020-01-01T01:00:00",
             "project_id": "p1"],
            ["id": "vm-b", "host": "compute-2", "flavor": 2.5, "enabled": false, "launched": "2021-06-01T00:00:00",
             "started_at": "2020-01-02T00:00:00", "project_id": "p2"],
            ["id": "vm-c", "host": "Compute-1", "flavor": 10, "started_at": "2020-01-03T00:00:00",
             "ended_at": "2020-01-03T02:00:00", "image": .string(baseImage)],
            ["id": "vm-d", "started_at": "2020-01-04T00:00:00"],
        ]
        for row in rows {
            let created = try await api.post("/v1/resource/search_vm", row)
            #expect(created.status == .created, "\(created.text)")
        }
    }

    @Test(arguments: [
        (JSONValue.object(["=": ["host": "compute-1"]]), Set(["vm-a"])),
        (["like": ["host": "compute-%"]], ["vm-a", "vm-b"]),
        (["like": ["host": "%ompute-1"]], ["vm-a", "vm-c"]),
        (["!=": ["host": "compute-1"]], ["vm-b", "vm-c", "vm-d"]),
        (["=": ["host": nil]], ["vm-d"]),
        (["≥": ["flavor": 2.5]], ["vm-b", "vm-c"]),
        (["lt": ["flavor": "3"]], ["vm-a", "vm-b"]),
        (["in": ["flavor": [1, 10, 99]]], ["vm-a", "vm-c"]),
        (["=": ["enabled": true]], ["vm-a"]),
        (["ne": ["enabled": true]], ["vm-b", "vm-c", "vm-d"]),
        (["=": ["image": "base-image"]], ["vm-c"]),
        (["=": ["image": "11111111111141118111111111111111"]], ["vm-a"]),
        ([">": ["launched": "2020-06-01"]], ["vm-b"]),
        (["<=": ["started_at": "2020-01-02T00:00:00+00:00"]], ["vm-a", "vm-b"]),
        (["=": ["ended_at": nil]], ["vm-b", "vm-d"]),
        ([">": ["lifespan": "1 hour"]], ["vm-c"]),
        (["≥": ["lifespan": 3600]], ["vm-a", "vm-c"]),
        (["=": ["id": "vm-b"]], ["vm-b"]),
        (["in": ["id": ["vm-a", "vm-d", "nothing"]]], ["vm-a", "vm-d"]),
        (["=": ["project_id": "p1"]], ["vm-a"]),
        (["and": [["=": ["enabled": true]], ["<": ["flavor": 5]]]], ["vm-a"]),
        (["∨": [["=": ["host": "compute-2"]], ["=": ["flavor": 10]]]], ["vm-b", "vm-c"]),
        // vm-d's NULLs make the OR unknown, and NOT unknown is not true (SQL, as Gnocchi).
        (["not": ["∨": [["=": ["host": "compute-2"]], ["=": ["flavor": 10]]]]], ["vm-a"]),
    ] as [(JSONValue, Set<String>)])
    func typedAttributesAreComparedAsTheirType(_ query: JSONValue, _ expected: Set<String>) async throws {
        try await withAPI { api, _ in
            try await Self.seedTyped(api)
            let reply = try await Self.search(api, "search_vm", query, user: "admin")
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(Self.ids(reply) == expected)
        }
    }

    @Test func filterStringsSearchTypedAttributes() async throws {
        try await withAPI { api, _ in
            try await Self.seedTyped(api)
            for (filter, expected) in [
                ("host = 'compute-1' or flavor >= 10", Set(["vm-a", "vm-c"])),
                ("not (enabled = true) and host != null", ["vm-b"]),
                ("lifespan > 3600 ∨ id = 'vm-d'", ["vm-c", "vm-d"]),
                ("flavor in [1, 2.5]", ["vm-a", "vm-b"]),
            ] {
                let escaped = filter.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                let reply = try await Self.search(api, "search_vm?filter=" + escaped, user: "admin")
                #expect(Self.ids(reply) == expected, "\(filter): \(reply.text)")
            }
        }
    }

    @Test func badQueriesAre400sWithGnocchisMessages() async throws {
        try await withAPI { api, _ in
            try await Self.seedTyped(api)
            for (query, message) in [
                (JSONValue.object(["=": ["foo": 1]]), "Resource type search_vm has no foo attribute"),
                (["=": ["flavor": "big"]], "Invalid value: `big' for field `flavor'"),
                (["=": ["launched": "someday"]], "Invalid value: `someday' for field `launched'"),
                (["=": ["enabled": "maybe"]], "Invalid value: `maybe' for field `enabled'"),
                (["and": [[:]]], "Unable to parse this query"),
                ([">": ["lifespan": "forever"]], "Invalid value: `forever' for field `lifespan'"),
            ] {
                let reply = try await Self.search(api, "search_vm", query, user: "admin")
                #expect(reply.status == .badRequest)
                #expect(reply.json?["description"]?.stringValue == message, "\(reply.text)")
            }
            var deep: JSONValue = ["=": ["host": "x"]]
            for level in 0..<25 {
                deep = level % 2 == 0 ? ["and": [deep, ["=": ["flavor": 1]]]] : ["or": [deep, ["=": ["flavor": 2]]]]
            }
            let tooDeep = try await Self.search(api, "search_vm", deep, user: "admin")
            #expect(tooDeep.status == .badRequest)
            #expect(tooDeep.json?["description"] == "Query too deeply nested: at most 20 levels of and, or and not")
            let wide = try await Self.search(
                api, "search_vm", ["in": ["flavor": .array((0...10_000).map { .integer(Int64($0)) })]], user: "admin")
            #expect(wide.json?["description"] == "Too many values in this query: at most 10000")
            let filter = try await Self.search(api, "search_vm?filter=host%20%3D", user: "admin")
            #expect(filter.json?["description"] == "Invalid filter: Expected a value, found end of text  (at char 6), (line:1, col:7)")
            let notJSON = try await api.request(.post, "/v1/search/resource/search_vm", body: "{", user: "admin")
            #expect(notJSON.status == .badRequest)
            let wrongType = try await api.request(
                .post, "/v1/search/resource/search_vm", body: "{}", user: "admin", headers: [.contentType: "text/plain"])
            #expect(wrongType.status == .unsupportedMediaType)
            let badSort = try await Self.search(api, "search_vm?sort=nope:asc", [:], user: "admin")
            #expect(badSort.json?["description"] == "Invalid pagination: `Sort key supplied is invalid: nope'")
            let badLimit = try await Self.search(api, "search_vm?limit=0", [:], user: "admin")
            #expect(badLimit.status == .badRequest)
            let badDetails = try await Self.search(api, "search_vm?details=perhaps", [:], user: "admin")
            #expect(badDetails.status == .badRequest)
        }
    }

    @Test func historySearchesEveryRevision() async throws {
        try await withAPI { api, _ in
            try await Self.seedTyped(api)
            let patched = try await api.request(.patch, "/v1/resource/search_vm/vm-a", json: ["host": "compute-9"], user: "admin")
            #expect(patched.status == .ok, "\(patched.text)")
            let query: JSONValue = ["=": ["host": "compute-1"]]
            #expect(Self.ids(try await Self.search(api, "search_vm", query, user: "admin")) == [])
            let history = try await Self.search(api, "search_vm?history=true", query, user: "admin")
            #expect(Self.ids(history) == ["vm-a"])
            #expect(history.json?.arrayValue?.first?["revision_end"]?.stringValue != nil)
            let all = try await Self.search(api, "search_vm?history=true&limit=1", ["=": ["id": "vm-a"]], user: "admin")
            #expect(Self.count(all) == 1)
            #expect(all.headers[HTTPField.Name("Link")!]?.contains("%40") == true || all.headers[HTTPField.Name("Link")!]?.contains("@") == true)
        }
    }

    @Test func keystoneUsersFindOnlyTheirProjectsResources() async throws {
        try await withAPI(overrides: ["api.auth_mode=keystone"]) { api, _ in
            func create(_ id: String, project: String) async throws {
                let reply = try await api.request(
                    .post, "/v1/resource/generic", json: ["id": .string(id), "project_id": .string(project)], user: nil,
                    headers: MetricAPI.keystone(user: "u-" + project, project: project))
                #expect(reply.status == .created, "\(reply.text)")
            }
            try await create("mine", project: "p1")
            try await create("theirs", project: "p2")
            let mine = try await Self.search(api, "generic", [:], user: nil, headers: MetricAPI.keystone(user: "x", project: "p1"))
            #expect(Self.ids(mine) == ["mine"])
            let admin = try await Self.search(
                api, "generic", ["like": ["original_resource_id": "%"]], user: nil,
                headers: MetricAPI.keystone(user: "x", project: "p3", roles: "admin"))
            #expect(Self.ids(admin) == ["mine", "theirs"])
        }
    }

    // MARK: - gabbits/search-metric.yaml

    @Test func metricValueSearch() async throws {
        try await withAPI { api, fixture in
            let policy = try await api.post("/v1/archive_policy", [
                "name": "high2", "definition": [["granularity": "1 second", "timespan": "1 hour"], ["granularity": "2 second", "timespan": "1 hour"]],
            ])
            #expect(policy.status == .created)
            let id = try await MetricAPI.create(api, ["archive_policy_name": "high2"], user: "foobar")
            var measures: [JSONValue] = []
            for (offset, value) in [12, 13, 12, 40, 12, 7].enumerated() {
                measures.append(["timestamp": .string("2014-10-06T14:34:\(12 + 2 * offset)"), "value": .integer(Int64(value))])
            }
            #expect(try await api.post("/v1/batch/metrics/measures", [id: .array(measures)], user: "foobar").status == .accepted)
            try await fixture.drain()

            let path = "/v1/search/metric?metric_id=\(id)"
            let one = try await api.request(.post, path + "&granularity=1s", json: ["=": 12], user: "foobar")
            #expect(one.status == .ok)
            #expect(one.text == "{\"\(id)\": [[\"2014-10-06T14:34:12+00:00\", 1.0, 12.0], [\"2014-10-06T14:34:16+00:00\", 1.0, 12.0], "
                + "[\"2014-10-06T14:34:20+00:00\", 1.0, 12.0]]}")
            let both = try await api.request(.post, path + "&granularity=1second&granularity=2s", json: ["=": 12], user: "foobar")
            #expect(both.json?[id]?.arrayValue?.count == 6)
            #expect(both.json?[id]?.arrayValue?.first?.arrayValue?[1] == .number(2))
            let all = try await api.request(.post, path, json: ["∧": [["≥": 10], ["<": [["-": 1], 20]]]], user: "foobar")
            #expect(all.json?[id]?.arrayValue?.map { $0.arrayValue?[2].numberValue ?? 0 } == [12, 13, 12, 12, 12, 13, 12, 12])
            let nested = try await api.request(.post, path + "&granularity=1", json: [">=": [["+": 23], 50]], user: "foobar")
            #expect(nested.json?[id]?.arrayValue?.map { $0.arrayValue?[2].numberValue ?? 0 } == [40])
            let window = try await api.request(
                .post, path + "&granularity=1&start=2014-10-06T14:34:14&stop=2014-10-06T14:34:20", json: [">": 0], user: "foobar")
            #expect(window.json?[id]?.arrayValue?.count == 3)

            let wrong = try await api.request(.post, path + "&granularity=1s&granularity=300", json: ["=": 12], user: "foobar")
            #expect(wrong.status == .badRequest)
            #expect(wrong.json?["description"] == [
                "cause": "Aggregation does not exist", "detail": ["granularity": 300.0, "aggregation_method": "mean"],
            ])
            let method = try await api.request(.post, path + "&aggregation=95pct", json: ["=": 12], user: "foobar")
            #expect(method.json?["description"]?["cause"] == "Aggregation does not exist")
            for (name, message) in [("start", "Invalid value for start"), ("stop", "Invalid value for stop")] {
                let reply = try await api.request(.post, path + "&\(name)=foobar", json: ["∧": [["≥": 1000]]], user: "foobar")
                #expect(reply.status == .badRequest)
                #expect(reply.json?["description"] == .string(message))
            }
            let schema = try await api.request(.post, path, json: [">=": "x"], user: "foobar")
            #expect(schema.json?["description"] == [
                "cause": "Invalid input", "reason": "expected float for dictionary value @ data['>=']", "detail": [">="],
            ])
            let noBody = try await api.request(.post, path, user: "foobar")
            #expect(noBody.json?["description"] == "No query specified in body")
            let noMetric = try await api.request(.post, "/v1/search/metric", json: ["=": 1], user: "foobar")
            #expect(noMetric.status == .badRequest)
            let notUUID = try await api.request(.post, "/v1/search/metric?metric_id=nope", json: ["=": 1], user: "foobar")
            #expect(notUUID.status == .badRequest)
            let unknown = try await api.request(.post, "/v1/search/metric?metric_id=\(UUID().uuidString)", json: ["=": 1], user: "foobar")
            #expect(unknown.text == "{}")
            let forbidden = try await api.request(.post, path, json: ["=": 12], user: "someone-else")
            #expect(forbidden.status == .forbidden)
            let badGranularity = try await api.request(.post, path + "&granularity=soon", json: ["=": 12], user: "foobar")
            #expect(badGranularity.status == .badRequest)
        }
    }
}
