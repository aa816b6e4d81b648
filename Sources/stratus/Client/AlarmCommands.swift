import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StratusAPI

/// `stratus alarm list|show|create|delete|state|history`, as aodhclient's `aodh alarm`, against the `/v2` API.
struct AlarmCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alarm",
        abstract: "Manage alarms through the Aodh v2 API.",
        subcommands: [List.self, Show.self, Create.self, Delete.self, State.self, History.self]
    )

    /// An alarm as aodhclient shows it: the rule's fields inlined beside the alarm's.
    static func displayed(_ alarm: JSONValue?) -> [String: JSONValue] {
        var fields = alarm?.objectValue ?? [:]
        for key in fields.keys where key.hasSuffix("_rule") {
            if let rule = fields.removeValue(forKey: key)?.objectValue {
                for (name, value) in rule where fields[name] == nil { fields[name] = value }
            } else if key == "composite_rule" {
                fields["composite_rule"] = alarm?[key]
            }
        }
        return fields
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List alarms.")
        @OptionGroup var client: ClientOptions
        @Option(help: "Number of alarms to return.") var limit: Int?
        @Option(help: "The last alarm id of the previous page; list the ones after it.") var marker: String?
        @Option(help: "Sort key and direction, e.g. name:asc (repeatable).") var sort: [String] = []
        @Option(help: "Filter field=value, e.g. state=alarm (repeatable; all_projects=true for an admin).")
        var filter: [String] = []

        func validate() throws {
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
            for item in filter where !item.contains("=") { throw ValidationError("--filter takes field=value, not \(item)") }
        }

        func run() async throws {
            try await AodhHTTPClient.perform(client) { api in
                var query = [(String, String)]()
                for item in filter {
                    let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
                    query += [("q.field", parts[0]), ("q.op", "eq"), ("q.value", parts.count > 1 ? parts[1] : "")]
                }
                if let limit { query.append(("limit", String(limit))) }
                if let marker { query.append(("marker", marker)) }
                query += sort.map { ("sort", $0) }
                let alarms = try await api.send("GET", "alarms", query: query)?.arrayValue ?? []
                let columns = ["alarm_id", "type", "name", "state", "severity", "enabled"]
                return .list(columns: columns, rows: alarms.map { alarm in columns.map { alarm[$0] ?? .null } })
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an alarm.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "ID of the alarm.") var alarm: String

        func run() async throws {
            try await AodhHTTPClient.perform(client) { api in
                .record(AlarmCommand.displayed(try await api.send("GET", "alarms/" + alarm)))
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an alarm.",
            discussion: """
                The rule is built from --metric, --resource-id, --threshold, … for a gnocchi_resources_threshold alarm,
                or given whole with --rule (a JSON object) for any type.
                """)
        @OptionGroup var client: ClientOptions
        @Option(name: [.customShort("n"), .long], help: "Name of the alarm.") var name: String
        @Option(name: [.customShort("t"), .long], help: "Type of the alarm.") var type = "gnocchi_resources_threshold"
        @Option(help: "The whole rule, as a JSON object (instead of the rule options below).") var rule: String?
        @Option(help: "Metric name (gnocchi_resources_threshold).") var metric: String?
        @Option(name: .customLong("resource-id"), help: "Resource id (gnocchi_resources_threshold).") var resourceID: String?
        @Option(name: .customLong("resource-type"), help: "Resource type.") var resourceType = "generic"
        @Option(name: .customLong("aggregation-method"), help: "Aggregation method.") var aggregationMethod = "mean"
        @Option(help: "Threshold.") var threshold: Double?
        @Option(name: .customLong("comparison-operator"), help: "lt, le, eq, ne, ge or gt.") var comparisonOperator: String?
        @Option(help: "Granularity in seconds.") var granularity: Int?
        @Option(name: .customLong("evaluation-periods"), help: "Number of periods to evaluate.") var evaluationPeriods: Int?
        @Option(help: "Description.") var description: String?
        @Option(help: "low, moderate or critical.") var severity: String?
        @Option(name: .customLong("alarm-action"), help: "URL called on entering alarm (repeatable).") var alarmActions: [String] = []
        @Option(name: .customLong("ok-action"), help: "URL called on entering ok (repeatable).") var okActions: [String] = []
        @Option(name: .customLong("insufficient-data-action"), help: "URL called on entering insufficient data (repeatable).")
        var insufficientDataActions: [String] = []
        @Flag(name: .customLong("repeat-actions"), help: "Call the actions on every evaluation, not only on transitions.")
        var repeatActions = false

        func validate() throws {
            if rule == nil && (metric == nil || resourceID == nil || threshold == nil) {
                throw ValidationError("Give --rule, or --metric, --resource-id and --threshold")
            }
        }

        func run() async throws {
            try await AodhHTTPClient.perform(client) { api in
                let ruleValue: JSONValue
                if let rule {
                    do { ruleValue = try JSONValue.parse(Array(rule.utf8)) } catch {
                        throw ClientError(message: "--rule is not JSON: \(error)")
                    }
                } else {
                    var fields: [String: JSONValue] = [
                        "metric": .string(metric ?? ""), "resource_id": .string(resourceID ?? ""),
                        "resource_type": .string(resourceType), "aggregation_method": .string(aggregationMethod),
                        "threshold": .number(threshold ?? 0),
                    ]
                    if let comparisonOperator { fields["comparison_operator"] = .string(comparisonOperator) }
                    if let granularity { fields["granularity"] = .integer(Int64(granularity)) }
                    if let evaluationPeriods { fields["evaluation_periods"] = .integer(Int64(evaluationPeriods)) }
                    ruleValue = .object(fields)
                }
                var body: [String: JSONValue] = [
                    "name": .string(name), "type": .string(type), type + "_rule": ruleValue,
                    "alarm_actions": .array(alarmActions.map { .string($0) }),
                    "ok_actions": .array(okActions.map { .string($0) }),
                    "insufficient_data_actions": .array(insufficientDataActions.map { .string($0) }),
                    "repeat_actions": .bool(repeatActions),
                ]
                if let description { body["description"] = .string(description) }
                if let severity { body["severity"] = .string(severity) }
                return .record(AlarmCommand.displayed(try await api.send("POST", "alarms", body: .object(body))))
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete alarms.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "IDs of the alarms.") var alarms: [String]

        func validate() throws {
            if alarms.isEmpty { throw ValidationError("Missing expected argument '<alarms> ...'") }
        }

        func run() async throws {
            try await AodhHTTPClient.perform(client) { api in
                for alarm in alarms { _ = try await api.send("DELETE", "alarms/" + alarm) }
                return nil
            }
        }
    }

    struct State: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or set an alarm's state.",
            discussion: "With --state, sets it (reason \"Manually set via API\"; no action is called).")
        @OptionGroup var client: ClientOptions
        @Argument(help: "ID of the alarm.") var alarm: String
        @Option(help: "The new state: ok, alarm or \"insufficient data\".") var state: String?

        func run() async throws {
            try await AodhHTTPClient.perform(client) { api in
                let path = "alarms/\(alarm)/state"
                let answer: JSONValue?
                if let state {
                    answer = try await api.send("PUT", path, body: .string(state))
                } else {
                    answer = try await api.send("GET", path)
                }
                return .record(["state": answer ?? .null])
            }
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an alarm's history, newest first.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "ID of the alarm.") var alarm: String
        @Option(help: "Number of entries to return.") var limit: Int?

        func run() async throws {
            try await AodhHTTPClient.perform(client) { api in
                let query = limit.map { [("limit", String($0))] } ?? []
                let entries = try await api.send("GET", "alarms/\(alarm)/history", query: query)?.arrayValue ?? []
                let columns = ["timestamp", "type", "detail", "event_id"]
                return .list(columns: columns, rows: entries.map { entry in columns.map { entry[$0] ?? .null } })
            }
        }
    }
}

/// A small client for the Aodh `/v2` API on the `ClientOptions` endpoint, authenticating as the client
/// commands do (HTTP Basic, the user name); error answers become a `ClientError` with Aodh's `faultstring`.
struct AodhHTTPClient: Sendable {
    let endpoint: URL
    let user: String

    /// Runs `body` as `ClientOptions.perform` does, with this client.
    static func perform(_ options: ClientOptions, _ body: (AodhHTTPClient) async throws -> ClientOutput?) async throws {
        try await options.perform { gnocchi in
            try await body(AodhHTTPClient(endpoint: gnocchi.endpoint, user: gnocchi.user))
        }
    }

    /// `METHOD /v2/<path>?query` with an optional JSON body; the JSON answer (nil when empty).
    func send(_ method: String, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil) async throws
        -> JSONValue?
    {
        let client = GnocchiHTTPClient(endpoint: endpoint, user: user)
        return try await client.send(method, client.url(path, query: query, version: "v2"), body: body).body
    }
}
