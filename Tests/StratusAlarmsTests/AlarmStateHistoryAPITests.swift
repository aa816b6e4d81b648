import Foundation
import HTTPTypes
import StratusAlarms
import StratusCore
import Testing

/// `/v2/alarms/{id}/state` and `/v2/alarms/{id}/history`.
@Suite struct AlarmStateHistoryAPITests {
    @Test func manualStateIsSetAndRecorded() async throws {
        try await withAlarmAPI { client, store in
            let created = try await client.post("/v2/alarms", AlarmBodies.resourcesThreshold())
            let id = try #require(created["alarm_id"]?.stringValue)
            #expect(try await client.get("/v2/alarms/\(id)/state").json == "insufficient data")
            let set = try await client.request(.put, "/v2/alarms/\(id)/state", body: #""alarm""#)
            #expect(set.status == .ok)
            #expect(set.json == "alarm")
            #expect(try await client.get("/v2/alarms/\(id)/state").json == "alarm")
            let shown = try await client.get("/v2/alarms/\(id)")
            #expect(shown["state_reason"] == "Manually set via API")
            #expect(shown["state_timestamp"] != created["state_timestamp"])
            let history = try await client.get("/v2/alarms/\(id)/history")
            let entry = try #require(history.list.first)
            #expect(entry.apiField("type") == "state transition")
            #expect(try TelemetryJSON.decode(try #require(entry.apiField("detail")?.stringValue))
                == ["state": "alarm", "state_reason": "Manually set via API"])
            #expect(entry.apiField("user_id") == "admin")
            // The evaluator's transitions carry another key and no user.
            let uuid = try #require(UUID(uuidString: id))
            try await store.recordEvaluation(uuid, state: .ok, reason: "Transition to ok due to 1 samples inside threshold, most recent: 1.0",
                                             reasonData: nil, at: Date().addingTimeInterval(1))
            let after = try await client.get("/v2/alarms/\(id)/history")
            #expect(after.list.count == 3)
            #expect(after.list.first?.apiField("user_id") == .null)
            #expect(after.list.first?.apiField("detail")?.stringValue?.contains("transition_reason") == true)
        }
    }

    @Test func invalidStatesAre400() async throws {
        try await withAlarmAPI { client, _ in
            let created = try await client.post("/v2/alarms", AlarmBodies.resourcesThreshold())
            let id = try #require(created["alarm_id"]?.stringValue)
            let bogus = try await client.request(.put, "/v2/alarms/\(id)/state", body: #""bogus""#)
            #expect(bogus.status == .badRequest)
            #expect(bogus.faultstring == "state invalid")
            let notJSON = try await client.request(.put, "/v2/alarms/\(id)/state", body: "alarm")
            #expect(notJSON.status == .badRequest)
            #expect(notJSON.faultstring == "Request is not in valid JSON format")
            #expect(try await client.get("/v2/alarms/\(id)/history").list.count == 1)
        }
    }

    @Test func historyFiltersSortsAndPaginates() async throws {
        try await withAlarmAPI { client, _ in
            let created = try await client.post("/v2/alarms", AlarmBodies.resourcesThreshold())
            let id = try #require(created["alarm_id"]?.stringValue)
            for state in ["alarm", "ok", "alarm"] {
                _ = try await client.request(.put, "/v2/alarms/\(id)/state", body: "\"\(state)\"")
            }
            let all = try await client.get("/v2/alarms/\(id)/history")
            #expect(all.list.count == 4)
            #expect(all.list.last?.apiField("type") == "creation")
            let transitions = try await client.get(
                "/v2/alarms/\(id)/history?q.field=type&q.op=eq&q.value=state%20transition")
            #expect(transitions.list.count == 3)
            let oldest = try await client.get("/v2/alarms/\(id)/history?sort=timestamp:asc&limit=1")
            #expect(oldest.list.map { $0.apiField("type") } == ["creation"])
            let first = try await client.get("/v2/alarms/\(id)/history?limit=2")
            let marker = try #require(first.list.last?.apiField("event_id")?.stringValue)
            let second = try await client.get("/v2/alarms/\(id)/history?limit=2&marker=\(marker)")
            #expect(second.list.count == 2)
            #expect(Set((first.list + second.list).compactMap { $0.apiField("event_id")?.stringValue }).count == 4)
            let badField = try await client.get("/v2/alarms/\(id)/history?q.field=rule&q.op=eq&q.value=x")
            #expect(badField.status == .badRequest)
            let badMarker = try await client.get("/v2/alarms/\(id)/history?marker=\(UUID().uuidString)")
            #expect(badMarker.status == .badRequest)
            #expect(badMarker.faultstring?.hasPrefix("Marker ") == true)
            let badLimit = try await client.get("/v2/alarms/\(id)/history?limit=0")
            #expect(badLimit.status == .badRequest)
        }
    }
}
