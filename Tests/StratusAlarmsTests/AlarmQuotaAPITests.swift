import Foundation
import HTTPTypes
import StratusAlarms
import StratusCore
import Testing

/// `/v2/quotas` and its enforcement on create.
@Suite struct AlarmQuotaAPITests {
    static let alice = AlarmTestCaller.keystone(user: "alice", project: "pa")
    static let root = AlarmTestCaller.keystone(user: "root", project: "admin-project", roles: "admin")

    @Test func quotasAreSetShownEnforcedAndDeleted() async throws {
        try await withAlarmAPI(overrides: ["api.auth_mode=keystone"]) { client, _ in
            let initial = try await client.get("/v2/quotas", as: Self.alice)
            #expect(initial.status == .ok)
            #expect(initial.json == ["project_id": "pa", "quotas": [["resource": "alarms", "limit": -1]]])
            let forbidden = try await client.post(
                "/v2/quotas", ["project_id": "pa", "quotas": [["resource": "alarms", "limit": 1]]], as: Self.alice)
            #expect(forbidden.status == .forbidden)
            let set = try await client.post(
                "/v2/quotas", ["project_id": "pa", "quotas": [["resource": "alarms", "limit": 1]]], as: Self.root)
            #expect(set.status == .created)
            #expect(set.json == ["project_id": "pa", "quotas": [["resource": "alarms", "limit": 1]]])
            #expect(try await client.get("/v2/quotas?project_id=pa", as: Self.root).json == set.json)
            #expect(try await client.get("/v2/quotas?project_id=pb", as: Self.alice).status == .unauthorized)
            #expect(try await client.post("/v2/alarms", AlarmBodies.resourcesThreshold("one"), as: Self.alice).status == .created)
            let over = try await client.post("/v2/alarms", AlarmBodies.resourcesThreshold("two"), as: Self.alice)
            #expect(over.status == .forbidden)
            #expect(over.faultstring == "Alarm quota exceeded for user alice on project pa")
            for bad: TelemetryValue in [
                ["project_id": "pa", "quotas": [["resource": "cpus", "limit": 1]]],
                ["project_id": "pa", "quotas": [["resource": "alarms", "limit": -2]]],
                ["quotas": [["resource": "alarms", "limit": 1]]],
            ] {
                #expect(try await client.post("/v2/quotas", bad, as: Self.root).status == .badRequest)
            }
            #expect(try await client.delete("/v2/quotas/pa", as: Self.alice).status == .forbidden)
            #expect(try await client.delete("/v2/quotas/pa", as: Self.root).status == .noContent)
            #expect(try await client.post("/v2/alarms", AlarmBodies.resourcesThreshold("two"), as: Self.alice).status == .created)
        }
    }
}
