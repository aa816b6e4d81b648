import Foundation
import HTTPTypes
import StratusAlarms
import StratusCore
import Testing

/// `/v2/alarms` in-process: create, show, list, replace, delete, defaults and validation errors.
@Suite struct AlarmAPITests {
    @Test func createFillsAodhDefaults() async throws {
        try await withAlarmAPI { client, _ in
            let before = Date()
            let reply = try await client.post("/v2/alarms", AlarmBodies.resourcesThreshold())
            #expect(reply.status == .created)
            let alarm = try #require(reply.json)
            #expect(alarm.apiField("name") == "cpu-high")
            #expect(alarm.apiField("type") == "gnocchi_resources_threshold")
            #expect(alarm.apiField("description") == "gnocchi_resources_threshold alarm rule")
            #expect(alarm.apiField("enabled") == true)
            #expect(alarm.apiField("repeat_actions") == false)
            #expect(alarm.apiField("severity") == "low")
            #expect(alarm.apiField("state") == "insufficient data")
            #expect(alarm.apiField("state_reason") == "Not evaluated yet")
            #expect(alarm.apiField("ok_actions") == [])
            #expect(alarm.apiField("time_constraints") == [])
            #expect(alarm.apiField("user_id") == "admin")
            #expect(alarm.apiField("project_id") == .null)
            let rule = try #require(alarm.apiField("gnocchi_resources_threshold_rule"))
            #expect(rule.apiField("comparison_operator") == "eq")
            #expect(rule.apiField("evaluation_periods") == 1)
            #expect(rule.apiField("granularity") == 60)
            let timestamp = try #require(alarm.apiField("timestamp")?.stringValue.flatMap(AlarmTimestamp.parse))
            let evaluated = try #require(alarm.apiField("evaluate_timestamp")?.stringValue.flatMap(AlarmTimestamp.parse))
            #expect(timestamp >= before.addingTimeInterval(-0.001))
            #expect(evaluated >= timestamp)
            #expect(alarm.apiField("state_timestamp") == alarm.apiField("timestamp"))
            let id = try #require(alarm.apiField("alarm_id")?.stringValue)
            let shown = try await client.get("/v2/alarms/\(id)")
            #expect(shown.status == .ok)
            #expect(shown.json == alarm)
            let listed = try await client.get("/v2/alarms")
            #expect(listed.list == [alarm])
        }
    }

    @Test func actionsAreValidatedAndDeduplicatedInOrder() async throws {
        try await withAlarmAPI { client, _ in
            let actions: TelemetryValue = ["http://localhost:9/b", "log://", "http://localhost:9/b", "https://x/a", "log://"]
            let reply = try await client.post(
                "/v2/alarms", AlarmBodies.resourcesThreshold(extra: ["alarm_actions": actions, "severity": "critical"]))
            #expect(reply.status == .created)
            #expect(reply["alarm_actions"] == ["http://localhost:9/b", "log://", "https://x/a"])
            #expect(reply["severity"] == "critical")
            let ftp = try await client.post(
                "/v2/alarms", AlarmBodies.resourcesThreshold(extra: ["ok_actions": ["ftp://example.com/x"]]))
            #expect(ftp.status == .badRequest)
            #expect(ftp.faultstring == "Unsupported action ftp://example.com/x")
        }
    }

    @Test func errorsHaveAodhShape() async throws {
        try await withAlarmAPI { client, _ in
            var body = AlarmBodies.resourcesThreshold()
            if case .dictionary(var fields) = body {
                fields["name"] = nil
                body = .dictionary(fields)
            }
            let reply = try await client.post("/v2/alarms", body)
            #expect(reply.status == .badRequest)
            #expect(reply.json == [
                "error_message": [
                    "faultcode": "Client",
                    "faultstring": "Invalid input for field/attribute name. Value: 'Unset'. Mandatory field missing.",
                    "debuginfo": nil,
                ],
            ])
        }
    }

    @Test(arguments: [
        (["severity": "urgent"], "Invalid input for field/attribute severity. Value: 'urgent'. Value should be one of: critical, low, moderate"),
        (["type": "nonsense"], "Invalid input for field/attribute type. Value: 'nonsense'. Value should be one of: combination, composite, gnocchi_aggregation_by_metrics_threshold, gnocchi_aggregation_by_resources_threshold, gnocchi_resources_threshold, threshold"),
        (["bogus_field": 1], "Unknown attribute for argument data: bogus_field"),
        (["enabled": "perhaps"], "Invalid input for field/attribute enabled. Value: 'perhaps'. Wrong type. Expected 'bool'"),
        (["gnocchi_resources_threshold_rule": nil], "gnocchi_resources_threshold_rule must be set for gnocchi_resources_threshold type alarm"),
        (["time_constraints": [["name": "a", "start": "0 1 * * *", "duration": 10], ["name": "a", "start": "0 2 * * *", "duration": 10]]],
         "Time constraint names must be unique for a given alarm."),
    ] as [([String: TelemetryValue], String)])
    func invalidBodiesAre400(_ change: [String: TelemetryValue], _ message: String) async throws {
        try await withAlarmAPI { client, store in
            guard case .dictionary(var fields) = AlarmBodies.resourcesThreshold() else { return }
            for (key, value) in change { fields[key] = value == .null ? nil : value }
            let reply = try await client.post("/v2/alarms", .dictionary(fields))
            #expect(reply.status == .badRequest)
            #expect(reply.faultstring == message)
            #expect(try await store.listAlarms(AlarmQuery()).isEmpty)
        }
    }

    @Test func ruleValidationErrorsAre400() async throws {
        try await withAlarmAPI { client, _ in
            for rule: TelemetryValue in [
                ["metric": "m", "resource_id": "r", "resource_type": "generic", "aggregation_method": "mean", "threshold": 1, "granularity": 0],
                ["metric": "m", "resource_id": "r", "resource_type": "generic", "aggregation_method": "nope", "threshold": 1],
                ["metric": "m", "resource_id": "r", "resource_type": "generic", "aggregation_method": "mean"],
            ] {
                let reply = try await client.post(
                    "/v2/alarms", ["name": "x", "type": "gnocchi_resources_threshold", "gnocchi_resources_threshold_rule": rule])
                #expect(reply.status == .badRequest)
                #expect(reply.faultstring?.isEmpty == false)
            }
            let rate = try await client.post(
                "/v2/alarms",
                ["name": "x", "type": "gnocchi_resources_threshold", "gnocchi_resources_threshold_rule": [
                    "metric": "m", "resource_id": "r", "resource_type": "generic", "aggregation_method": "rate:mean",
                    "threshold": 1,
                ]])
            #expect(rate.status == .created)
        }
    }

    @Test func notJSONIs400() async throws {
        try await withAlarmAPI { client, _ in
            let reply = try await client.request(.post, "/v2/alarms", body: "{name: ")
            #expect(reply.status == .badRequest)
            #expect(reply.faultstring == "Request is not in valid JSON format")
        }
    }

    @Test func unknownAlarmIs404() async throws {
        try await withAlarmAPI { client, _ in
            let id = UUID().uuidString.lowercased()
            for reply in [
                try await client.get("/v2/alarms/\(id)"), try await client.delete("/v2/alarms/\(id)"),
                try await client.get("/v2/alarms/\(id)/state"), try await client.get("/v2/alarms/not-a-uuid"),
                try await client.put("/v2/alarms/\(id)", AlarmBodies.resourcesThreshold()),
            ] {
                #expect(reply.status == .notFound)
                #expect(reply.faultstring?.hasPrefix("Alarm ") == true)
                #expect(reply.faultstring?.hasSuffix(" not found") == true)
            }
            #expect(try await client.get("/v2/alarms/\(id)").faultstring == "Alarm \(id) not found")
        }
    }

    @Test func putReplacesAndRecordsTheChangedFields() async throws {
        try await withAlarmAPI { client, _ in
            let created = try await client.post(
                "/v2/alarms", AlarmBodies.resourcesThreshold(extra: ["severity": "moderate", "ok_actions": ["log://"]]))
            let id = try #require(created["alarm_id"]?.stringValue)
            let replaced = try await client.put("/v2/alarms/\(id)", AlarmBodies.resourcesThreshold("renamed", threshold: 90))
            #expect(replaced.status == .ok)
            #expect(replaced["name"] == "renamed")
            #expect(replaced["severity"] == "low")  // full replace: omitted fields take their defaults
            #expect(replaced["ok_actions"] == [])
            #expect(replaced["alarm_id"] == created["alarm_id"])
            #expect(replaced["evaluate_timestamp"] == created["evaluate_timestamp"])
            #expect(replaced["gnocchi_resources_threshold_rule"]?.apiField("threshold") == 90.0)
            let history = try await client.get("/v2/alarms/\(id)/history")
            #expect(history.list.map { $0.apiField("type") } == ["rule change", "creation"])
            let detail = try #require(history.list.first?.apiField("detail")?.stringValue)
            let changed = try TelemetryJSON.decode(detail)
            #expect(changed.apiField("name") == "renamed")
            #expect(changed.apiField("severity") == "low")
            #expect(changed.apiField("ok_actions") == [])
            #expect(changed.apiField("rule")?.apiField("threshold") == 90.0)
            #expect(changed.apiField("description") == nil)
            #expect(changed.apiField("timestamp") == nil)
            // The same body again changes nothing: no new entry.
            _ = try await client.put("/v2/alarms/\(id)", AlarmBodies.resourcesThreshold("renamed", threshold: 90))
            #expect(try await client.get("/v2/alarms/\(id)/history").list.count == 2)
            // GET-modify-PUT with every returned field works (aodhclient's update).
            guard case .dictionary(var fields) = replaced.json else { return }
            fields["description"] = "edited"
            let roundTrip = try await client.put("/v2/alarms/\(id)", .dictionary(fields))
            #expect(roundTrip.status == .ok)
            #expect(roundTrip["description"] == "edited")
        }
    }

    @Test func deleteIs204AndRecorded() async throws {
        try await withAlarmAPI { client, _ in
            let created = try await client.post("/v2/alarms", AlarmBodies.resourcesThreshold())
            let id = try #require(created["alarm_id"]?.stringValue)
            let deleted = try await client.delete("/v2/alarms/\(id)")
            #expect(deleted.status == .noContent)
            #expect(deleted.bytes.isEmpty)
            #expect(try await client.get("/v2/alarms/\(id)").status == .notFound)
            let history = try await client.get("/v2/alarms/\(id)/history")
            #expect(history.status == .ok)
            #expect(history.list.map { $0.apiField("type") } == ["deletion", "creation"])
            let creation = try #require(history.list.last)
            let detail = try TelemetryJSON.decode(try #require(creation.apiField("detail")?.stringValue))
            #expect(detail.apiField("rule")?.apiField("metric") == "cpu_util")
            #expect(detail.apiField("gnocchi_resources_threshold_rule") == nil)
            #expect(detail.apiField("evaluate_timestamp") == nil)
            #expect(detail.apiField("name") == "cpu-high")
            #expect(creation.apiField("user_id") == "admin")
        }
    }

    @Test func capabilities() async throws {
        try await withAlarmAPI { client, _ in
            let reply = try await client.get("/v2/capabilities")
            #expect(reply.status == .ok)
            #expect(reply["api"]?.apiField("alarms:query:complex") == true)
            #expect(reply["alarm_storage"]?.apiField("storage:production_ready") == true)
        }
    }

    @Test func compositeAndCombinationAlarms() async throws {
        try await withAlarmAPI { client, _ in
            let leaf: TelemetryValue = [
                "type": "gnocchi_resources_threshold", "metric": "cpu_util", "resource_id": "r1",
                "resource_type": "generic", "aggregation_method": "mean", "threshold": 1.0,
            ]
            let composite = try await client.post(
                "/v2/alarms", ["name": "c", "type": "composite", "composite_rule": ["or": [leaf, ["and": [leaf, leaf]]]]])
            #expect(composite.status == .created)
            #expect(composite["composite_rule"]?.apiField("or") != nil)
            let a = try #require(composite["alarm_id"]?.stringValue)
            let missing = UUID().uuidString.lowercased()
            let bad = try await client.post(
                "/v2/alarms", ["name": "k", "type": "combination", "combination_rule": ["alarm_ids": [.string(a), .string(missing)]]])
            #expect(bad.status == .notFound)
            #expect(bad.faultstring == "Alarm \(missing) not found")
            let combination = try await client.post(
                "/v2/alarms", ["name": "k", "type": "combination", "combination_rule": ["alarm_ids": [.string(a)], "operator": "or"]])
            #expect(combination.status == .created)
            #expect(combination["combination_rule"]?.apiField("operator") == "or")
            let id = try #require(combination["alarm_id"]?.stringValue)
            let itself = try await client.put(
                "/v2/alarms/\(id)",
                ["name": "k", "type": "combination", "combination_rule": ["alarm_ids": [.string(a), .string(id)]]])
            #expect(itself.status == .badRequest)
            #expect(itself.faultstring == "Cannot specify alarm \(id) itself in combination rule")
        }
    }

    @Test func byResourcesQueryIsValidatedLikeGnocchi() async throws {
        try await withAlarmAPI { client, _ in
            // Real Aodh answers 500 here ("string indices must be integers"); Stratus answers Gnocchi's reason.
            let unknown = try await client.post(
                "/v2/alarms", AlarmBodies.byResources(query: #"{"=": {"no_such_attribute": "x"}}"#))
            #expect(unknown.status == .badRequest)
            #expect(unknown.faultstring == "Resource type generic has no no_such_attribute attribute")
            let schema = try await client.post("/v2/alarms", AlarmBodies.byResources(query: #"{"~": {"id": "x"}}"#))
            #expect(schema.status == .badRequest)
            let good = try await client.post(
                "/v2/alarms", AlarmBodies.byResources(query: #"{"=": {"server_group": "g1"}}"#.replacingOccurrences(
                    of: "server_group", with: "project_id")))
            #expect(good.status == .created)
            #expect(good["gnocchi_aggregation_by_resources_threshold_rule"]?.apiField("query")
                == #"{"=": {"project_id": "g1"}}"#)
        }
    }

    @Test func byResourcesQueryIsScopedForNonAdmins() async throws {
        try await withAlarmAPI(overrides: ["api.auth_mode=keystone"]) { client, _ in
            let reply = try await client.post(
                "/v2/alarms", AlarmBodies.byResources(query: #"{"=": {"project_id": "p1"}}"#),
                as: .keystone(user: "u1", project: "p1"))
            #expect(reply.status == .created)
            let query = try #require(reply["gnocchi_aggregation_by_resources_threshold_rule"]?.apiField("query")?.stringValue)
            #expect(query.contains("created_by_project_id"))
            #expect(query.contains(#""project_id": "p1""#))
        }
    }
}
