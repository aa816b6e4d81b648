import Foundation
import HTTPTypes
import StratusAlarms
import StratusCore
import Testing

/// Listing filters, sort and pagination, the complex queries, and project scoping (RBAC).
@Suite struct AlarmQueryAPITests {
    static let alice = AlarmTestCaller.keystone(user: "alice", project: "pa")
    static let bob = AlarmTestCaller.keystone(user: "bob", project: "pb")
    static let root = AlarmTestCaller.keystone(user: "root", project: "pa", roles: "admin,member")

    @Test func listFiltersSortsAndPaginates() async throws {
        try await withAlarmAPI { client, _ in
            for (index, severity) in ["low", "critical", "moderate", "low"].enumerated() {
                let reply = try await client.post(
                    "/v2/alarms",
                    AlarmBodies.resourcesThreshold("a\(index)", extra: ["severity": .string(severity), "enabled": .bool(index != 3)]))
                #expect(reply.status == .created)
            }
            func names(_ query: String) async throws -> [String] {
                try await client.get("/v2/alarms?" + query).list.compactMap { $0.apiField("name")?.stringValue }
            }
            #expect(try await names("q.field=severity&q.op=eq&q.value=low&sort=name:asc") == ["a0", "a3"])
            #expect(try await names("q.field=enabled&q.value=false") == ["a3"])
            #expect(try await names("q.field=name&q.field=severity&q.value=a1&q.value=critical") == ["a1"])
            #expect(try await names("sort=severity:desc&sort=name:asc") == ["a1", "a2", "a0", "a3"])
            #expect(try await names("sort=name:desc&limit=2") == ["a3", "a2"])
            let page = try await client.get("/v2/alarms?sort=name:desc&limit=2")
            let marker = try #require(page.list.last?.apiField("alarm_id")?.stringValue)
            #expect(try await names("sort=name:desc&limit=2&marker=\(marker)") == ["a1", "a0"])
            let badOp = try await client.get("/v2/alarms?q.field=name&q.op=lt&q.value=a")
            #expect(badOp.status == .badRequest)
            let badField = try await client.get("/v2/alarms?q.field=rule&q.op=eq&q.value=a")
            #expect(badField.status == .badRequest)
            #expect(badField.faultstring?.hasPrefix("Unknown argument: \"rule\"") == true)
            let badSort = try await client.get("/v2/alarms?sort=name:sideways")
            #expect(badSort.status == .badRequest)
            let badKey = try await client.get("/v2/alarms?sort=rule:asc")
            #expect(badKey.status == .badRequest)
        }
    }

    @Test func complexQueryOverAlarms() async throws {
        try await withAlarmAPI { client, _ in
            for (index, severity) in ["low", "critical", "moderate"].enumerated() {
                _ = try await client.post("/v2/alarms", AlarmBodies.resourcesThreshold("c\(index)", extra: ["severity": .string(severity)]))
            }
            func names(_ body: TelemetryValue) async throws -> [String] {
                let reply = try await client.post("/v2/query/alarms", body)
                #expect(reply.status == .ok, "\(reply.text)")
                return reply.list.compactMap { $0.apiField("name")?.stringValue }
            }
            #expect(try await names([
                "filter": #"{"or": [{"=": {"severity": "critical"}}, {"in": {"name": ["c0"]}}]}"#,
                "orderby": #"[{"name": "desc"}]"#,
            ]) == ["c1", "c0"])
            #expect(try await names([
                "filter": #"{"and": [{"!=": {"severity": "low"}}, {"not": {"=": {"name": "c2"}}}]}"#,
            ]) == ["c1"])
            #expect(try await names(["orderby": [["NAME": "ASC"]], "limit": 2]) == ["c0", "c1"])
            #expect(try await names(["filter": #"{"=": {"state": "insufficient data"}}"#]).count == 3)
            for bad: TelemetryValue in [
                ["filter": #"{"=": {"rule; DROP TABLE alarm": 1}}"#],
                ["filter": #"{"like": {"name": "c%"}}"#],
                ["filter": #"{"and": []}"#],
                ["filter": "{not json"],
                ["orderby": #"[{"name": "up"}]"#],
                ["limit": 0],
                ["filter": #"{"=": {"timestamp": "not a time"}}"#],
            ] {
                let reply = try await client.post("/v2/query/alarms", bad)
                #expect(reply.status == .badRequest, "\(bad)")
                #expect(reply.faultstring != nil)
            }
            #expect(try await client.get("/v2/alarms").list.count == 3)
        }
    }

    @Test func complexQueryOverHistory() async throws {
        try await withAlarmAPI { client, _ in
            let created = try await client.post("/v2/alarms", AlarmBodies.resourcesThreshold())
            let id = try #require(created["alarm_id"]?.stringValue)
            _ = try await client.request(.put, "/v2/alarms/\(id)/state", body: #""ok""#)
            let reply = try await client.post(
                "/v2/query/alarms/history",
                ["filter": .string(#"{"and": [{"=": {"alarm_id": "\#(id)"}}, {"=": {"type": "state transition"}}]}"#)])
            #expect(reply.status == .ok)
            #expect(reply.list.count == 1)
            let all = try await client.post("/v2/query/alarms/history", ["orderby": #"[{"timestamp": "asc"}]"#])
            #expect(all.list.map { $0.apiField("type") } == ["creation", "state transition"])
        }
    }

    @Test func projectsAreIsolated() async throws {
        try await withAlarmAPI(overrides: ["api.auth_mode=keystone"]) { client, _ in
            let mine = try await client.post("/v2/alarms", AlarmBodies.resourcesThreshold("mine"), as: Self.alice)
            #expect(mine.status == .created)
            #expect(mine["project_id"] == "pa")
            #expect(mine["user_id"] == "alice")
            let theirs = try await client.post("/v2/alarms", AlarmBodies.resourcesThreshold("theirs"), as: Self.bob)
            let mineID = try #require(mine["alarm_id"]?.stringValue)
            let theirsID = try #require(theirs["alarm_id"]?.stringValue)
            // Another project's alarm does not exist for alice.
            for reply in [
                try await client.get("/v2/alarms/\(theirsID)", as: Self.alice),
                try await client.delete("/v2/alarms/\(theirsID)", as: Self.alice),
                try await client.get("/v2/alarms/\(theirsID)/history", as: Self.alice),
                try await client.request(.put, "/v2/alarms/\(theirsID)/state", body: #""ok""#, as: Self.alice),
            ] {
                #expect(reply.status == .notFound)
                #expect(reply.faultstring == "Alarm \(theirsID) not found")
            }
            func names(_ uri: String, as caller: AlarmTestCaller) async throws -> [String] {
                try await client.get(uri, as: caller).list.compactMap { $0.apiField("name")?.stringValue }.sorted()
            }
            #expect(try await names("/v2/alarms", as: Self.alice) == ["mine"])
            #expect(try await names("/v2/alarms", as: Self.bob) == ["theirs"])
            #expect(try await names("/v2/alarms", as: Self.root) == ["mine"])
            #expect(try await names("/v2/alarms?q.field=all_projects&q.op=eq&q.value=true", as: Self.root) == ["mine", "theirs"])
            let forbidden = try await client.get("/v2/alarms?q.field=all_projects&q.op=eq&q.value=true", as: Self.alice)
            #expect(forbidden.status == .forbidden)
            let query = try await client.post("/v2/query/alarms", [:], as: Self.bob)
            #expect(query.list.compactMap { $0.apiField("name")?.stringValue } == ["theirs"])
            let history = try await client.post("/v2/query/alarms/history", [:], as: Self.bob)
            #expect(history.list.compactMap { $0.apiField("alarm_id")?.stringValue } == [theirsID])
            // The admin reaches any alarm by id.
            #expect(try await client.get("/v2/alarms/\(theirsID)", as: Self.root).status == .ok)
            // Only an admin creates alarms for another project.
            let other = try await client.post(
                "/v2/alarms", AlarmBodies.resourcesThreshold(extra: ["project_id": "pb"]), as: Self.alice)
            #expect(other.status == .unauthorized)
            #expect(other.faultstring == "Not Authorized to access project pb")
            let delegated = try await client.post(
                "/v2/alarms", AlarmBodies.resourcesThreshold("for-bob", extra: ["project_id": "pb", "user_id": "bob"]),
                as: Self.root)
            #expect(delegated.status == .created)
            #expect(try await names("/v2/alarms", as: Self.bob) == ["for-bob", "theirs"])
            #expect(try await client.delete("/v2/alarms/\(mineID)", as: Self.alice).status == .noContent)
            // A combination may only name alarms the caller can see.
            let combination = try await client.post(
                "/v2/alarms", ["name": "k", "type": "combination", "combination_rule": ["alarm_ids": [.string(theirsID)]]],
                as: Self.alice)
            #expect(combination.status == .notFound)
            #expect(combination.faultstring == "Alarm \(theirsID) not found in project pa")
            // A keystone identity with a project and no user owns alarms without a user.
            let projectOnly = try await client.request(
                .post, "/v2/alarms", json: AlarmBodies.resourcesThreshold("service"),
                as: .keystone(user: "", project: "pa"))
            #expect(projectOnly.status == .created)
            #expect(projectOnly["user_id"] == .null)
            #expect(projectOnly["project_id"] == "pa")
        }
    }

    @Test func basicUsersSeeTheirOwnAlarms() async throws {
        try await withAlarmAPI { client, store in
            _ = try await client.post("/v2/alarms", AlarmBodies.resourcesThreshold("carol's"), as: .basic("carol"))
            _ = try await client.post("/v2/alarms", AlarmBodies.resourcesThreshold("dave's"), as: .basic("dave"))
            let carol = try await client.get("/v2/alarms", as: .basic("carol"))
            #expect(carol.list.compactMap { $0.apiField("name")?.stringValue } == ["carol's"])
            #expect(try await client.get("/v2/alarms").list.count == 2)
            // Evaluator transitions (no user) of carol's alarm are in her history query; dave's are not.
            let carols = try #require(carol.list.first?.apiField("alarm_id")?.stringValue.flatMap(UUID.init(uuidString:)))
            try await store.recordEvaluation(carols, state: .alarm, reason: "r", reasonData: nil, at: Date())
            let history = try await client.post("/v2/query/alarms/history", [:], as: .basic("carol"))
            #expect(history.list.map { $0.apiField("type") } .sorted { "\($0!)" < "\($1!)" } == ["creation", "state transition"])
            #expect(try await client.post("/v2/query/alarms/history", [:], as: .basic("dave")).list.count == 1)
            let unauthenticated = try await client.request(.get, "/v2/alarms", as: .keystone(user: "x", project: "y"))
            #expect(unauthenticated.status == .unauthorized)
        }
    }
}
