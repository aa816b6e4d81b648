import StratusAPI
import Testing

@Suite("Archive policy rules: /v1/archive_policy_rule")
struct ArchivePolicyRuleRoutesTests {
    static let defaultRule: JSONValue = ["name": "default", "metric_pattern": "*", "archive_policy_name": "low"]

    static func create(_ api: TestAPIClient, _ name: String, _ pattern: String, _ policy: String = "low") async throws -> TestAPIClient.Reply {
        try await api.post("/v1/archive_policy_rule", ["name": .string(name), "metric_pattern": .string(pattern), "archive_policy_name": .string(policy)])
    }

    static func rename(_ api: TestAPIClient, _ name: String, _ body: JSONValue, user: String = "admin") async throws -> TestAPIClient.Reply {
        try await api.request(.patch, "/v1/archive_policy_rule/\(name)", json: body, user: user)
    }

    @Test func listHoldsTheDefaultRuleForAnyUser() async throws {
        try await withAPI { api, _ in
            let reply = try await api.get("/v1/archive_policy_rule", user: "alice")
            #expect(reply.status == .ok)
            #expect(reply.json == [Self.defaultRule])
        }
    }

    @Test func createAnswers201WithLocationAndTheRule() async throws {
        try await withAPI { api, fixture in
            let reply = try await Self.create(api, "cpu", "cap.cpu.*", "medium")
            #expect(reply.status == .created)
            #expect(reply.headers[.location] == "http://localhost/v1/archive_policy_rule/cpu")
            let expected: JSONValue = ["name": "cpu", "metric_pattern": "cap.cpu.*", "archive_policy_name": "medium"]
            #expect(reply.json == expected)
            #expect(try await api.get("/v1/archive_policy_rule/cpu", user: "alice").json == expected)
            #expect(try await fixture.indexer.archivePolicyRule(matchingMetricName: "cap.cpu.util")?.name == "cpu")
        }
    }

    @Test func listIsOrderedByPatternDescendingThenName() async throws {
        try await withAPI { api, _ in
            _ = try await Self.create(api, "test_rule2", "disk.foo.*")
            _ = try await Self.create(api, "test_rule3", "disk.*")
            _ = try await Self.create(api, "b-rule", "disk.*")
            _ = try await Self.create(api, "a-rule", "zzz*", "medium")
            let names = try await api.get("/v1/archive_policy_rule").json?.arrayValue?.map { $0["name"] }
            #expect(names == ["a-rule", "test_rule2", "b-rule", "test_rule3", "default"])
        }
    }

    @Test func createWithAnUnknownPolicyIs400WithTheCauseObject() async throws {
        try await withAPI { api, _ in
            let reply = try await Self.create(api, "x", "x.*", "not-exists")
            #expect(reply.status == .badRequest)
            #expect(reply.json == [
                "code": 400, "title": "Bad Request",
                "description": ["cause": "Archive policy does not exist", "detail": "not-exists"],
            ])
        }
    }

    @Test func createWithAnExistingNameIs409() async throws {
        try await withAPI { api, _ in
            let reply = try await Self.create(api, "default", "other.*")
            #expect(reply.status == .conflict)
            #expect(reply.json == ["code": 409, "title": "Conflict", "description": "Archive policy rule default already exists"])
            let alsoUnknownPolicy = try await Self.create(api, "default", "other.*", "nope")
            #expect(alsoUnknownPolicy.status == .conflict)
        }
    }

    @Test func aPatternMayBeUsedByTwoRules() async throws {
        try await withAPI { api, _ in
            let reply = try await Self.create(api, "second", "*")
            #expect(reply.status == .created)
        }
    }

    static let invalidCreations: [InvalidBodyCase] = [
        .invalid("missing metric_pattern", ["name": "r", "archive_policy_name": "low"],
                 "required key not provided @ data['metric_pattern']", ["metric_pattern"]),
        .invalid("extra field", ["name": "r", "metric_pattern": "z", "archive_policy_name": "low", "priority": 1],
                 "extra keys not allowed @ data['priority']", ["priority"]),
        .invalid("only an extra field", ["whaa": "foobar"], "extra keys not allowed @ data['whaa']", ["whaa"]),
        .invalid("policy name not a string", ["name": "r", "metric_pattern": "a*", "archive_policy_name": 1],
                 "expected str for dictionary value @ data['archive_policy_name']", ["archive_policy_name"]),
        .invalid("body not an object", ["r"], "expected a dictionary", []),
        .invalid("NUL in the pattern (Stratus only)", ["name": "r", "metric_pattern": "a\u{0}", "archive_policy_name": "low"],
                 "NUL characters are not allowed for dictionary value @ data['metric_pattern']", ["metric_pattern"]),
    ]

    @Test(arguments: invalidCreations)
    func createRejectsInvalidBodies(_ invalid: InvalidBodyCase) async throws {
        try await withAPI { api, _ in
            let reply = try await api.post("/v1/archive_policy_rule", invalid.body)
            #expect(reply.status == .badRequest)
            #expect(reply.json == ["code": 400, "title": "Bad Request", "description": invalid.description])
        }
    }

    @Test func createIsForAdminsOnly() async throws {
        try await withAPI { api, _ in
            let body: JSONValue = ["name": "r", "metric_pattern": "a.*", "archive_policy_name": "low"]
            let reply = try await api.post("/v1/archive_policy_rule", body, user: "alice")
            #expect(reply.status == .forbidden)
            #expect(reply.json == ["code": 403, "title": "Forbidden", "description": ""])
            #expect(try await api.post("/v1/archive_policy_rule", ["whaa": 1], user: "alice").status == .forbidden)
            #expect(try await api.get("/v1/archive_policy_rule").json == [Self.defaultRule])
        }
    }

    @Test func createNeedsAJSONContentType() async throws {
        try await withAPI { api, _ in
            let reply = try await api.request(
                .post, "/v1/archive_policy_rule", body: #"{"name": "r", "metric_pattern": "a", "archive_policy_name": "low"}"#,
                headers: [.contentType: "text/plain"])
            #expect(reply.status == .unsupportedMediaType)
        }
    }

    @Test func showingAnUnknownRuleIs404() async throws {
        try await withAPI { api, _ in
            let reply = try await api.get("/v1/archive_policy_rule/foo")
            #expect(reply.status == .notFound)
            #expect(reply.json == ["code": 404, "title": "Not Found", "description": "Archive policy rule foo does not exist"])
        }
    }

    @Test func unsupportedMethodsAre405ButUnknownRulesAre404First() async throws {
        try await withAPI { api, _ in
            let collection = try await api.request(.put, "/v1/archive_policy_rule", json: [:])
            #expect(collection.status == .methodNotAllowed)
            #expect(collection.headers[.allow] == "GET, POST")
            let item = try await api.request(.put, "/v1/archive_policy_rule/default", json: [:])
            #expect(item.status == .methodNotAllowed)
            #expect(item.headers[.allow] == "DELETE, GET, PATCH")
            #expect(item.json == ["code": 405, "title": "Method Not Allowed", "description": ""])
            let unknown = try await api.request(.post, "/v1/archive_policy_rule/nope", json: [:])
            #expect(unknown.status == .notFound)
        }
    }

    // MARK: - Renaming

    @Test func patchRenamesTheRule() async throws {
        try await withAPI { api, _ in
            _ = try await Self.create(api, "test_rule3", "disk.*")
            let reply = try await Self.rename(api, "test_rule3", ["name": "test_rule3_renamed"])
            #expect(reply.status == .ok)
            let expected: JSONValue = ["name": "test_rule3_renamed", "metric_pattern": "disk.*", "archive_policy_name": "low"]
            #expect(reply.json == expected)
            #expect(try await api.get("/v1/archive_policy_rule/test_rule3_renamed").json == expected)
            #expect(try await api.get("/v1/archive_policy_rule/test_rule3").status == .notFound)
        }
    }

    @Test func renamingOntoAnExistingRuleIs400() async throws {
        try await withAPI { api, _ in
            _ = try await Self.create(api, "other", "o.*")
            let reply = try await Self.rename(api, "other", ["name": "default"])
            #expect(reply.status == .badRequest)
            #expect(reply.json == [
                "code": 400, "title": "Bad Request",
                "description": "Archive policy rule other does not support change: Archive policy rule default already exists.",
            ])
        }
    }

    @Test func renamingToTheSameNameKeepsTheRule() async throws {
        try await withAPI { api, _ in
            let reply = try await Self.rename(api, "default", ["name": "default"])
            #expect(reply.status == .ok)
            #expect(reply.json == Self.defaultRule)
        }
    }

    static let invalidRenames: [InvalidBodyCase] = [
        .invalid("missing name", [:], "required key not provided @ data['name']", ["name"]),
        .invalid("another field", ["metric_pattern": "q*"], "extra keys not allowed @ data['metric_pattern']", ["metric_pattern"]),
        .invalid("name not a string", ["name": 1], "expected str for dictionary value @ data['name']", ["name"]),
    ]

    @Test(arguments: invalidRenames)
    func patchRejectsAnythingButANewName(_ invalid: InvalidBodyCase) async throws {
        try await withAPI { api, _ in
            let reply = try await Self.rename(api, "default", invalid.body)
            #expect(reply.status == .badRequest)
            #expect(reply.json == ["code": 400, "title": "Bad Request", "description": invalid.description])
        }
    }

    @Test func patchChecksTheRuleThenTheBodyThenTheCaller() async throws {
        try await withAPI { api, _ in
            let unknown = try await Self.rename(api, "nope", ["name": "x"], user: "alice")
            #expect(unknown.status == .notFound)
            #expect(unknown.json?["description"] == "Archive policy rule nope does not exist")
            #expect(try await Self.rename(api, "default", ["bad": 1], user: "alice").status == .badRequest)
            #expect(try await Self.rename(api, "default", ["name": "x"], user: "alice").status == .forbidden)
            #expect(try await api.get("/v1/archive_policy_rule/default").status == .ok)
        }
    }

    // MARK: - Deleting

    @Test func deleteRemovesTheRule() async throws {
        try await withAPI { api, _ in
            let reply = try await api.delete("/v1/archive_policy_rule/default")
            #expect(reply.status == .noContent)
            #expect(reply.bytes.isEmpty)
            #expect(try await api.get("/v1/archive_policy_rule").json == [])
            let again = try await api.delete("/v1/archive_policy_rule/default")
            #expect(again.status == .notFound)
            #expect(again.json?["description"] == "Archive policy rule default does not exist")
        }
    }

    @Test func deleteIsForAdminsOnlyButUnknownRulesAre404First() async throws {
        try await withAPI { api, _ in
            #expect(try await api.delete("/v1/archive_policy_rule/default", user: "alice").status == .forbidden)
            let unknown = try await api.delete("/v1/archive_policy_rule/%E2%9C%94%C3%A9%C3%B1%E2%98%83", user: "alice")
            #expect(unknown.status == .notFound)
            #expect(unknown.json?["description"] == "Archive policy rule ✔éñ☃ does not exist")
        }
    }

    @Test func aPolicyCanBeDeletedOnceItsRulesAreGone() async throws {
        try await withAPI { api, _ in
            _ = try await api.post("/v1/archive_policy", ["name": "p", "definition": [["granularity": 60]]])
            _ = try await Self.create(api, "r", "p.*", "p")
            #expect(try await api.delete("/v1/archive_policy/p").status == .badRequest)
            _ = try await api.delete("/v1/archive_policy_rule/r")
            #expect(try await api.delete("/v1/archive_policy/p").status == .noContent)
        }
    }
}
