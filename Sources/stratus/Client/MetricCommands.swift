import ArgumentParser
import StratusAPI

/// `stratus metric list|show|create|delete`, as gnocchiclient's `gnocchi metric`.
struct MetricCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metric",
        abstract: "Manage metrics through the Gnocchi API.",
        subcommands: [List.self, Show.self, Create.self, Delete.self]
    )

    /// The API path of a metric: `metric/<id>`, or `resource/generic/<resource>/metric/<name>`.
    static func path(_ metric: String, resource: String?) -> String {
        resource.map { "resource/generic/\($0)/metric/\(metric)" } ?? "metric/" + metric
    }

    /// A metric as gnocchiclient shows it: the policy's name as `archive_policy/name`, the resource's
    /// attributes as `resource/<attribute>`, without the creator's split `created_by_*` fields.
    static func displayed(_ metric: JSONValue?) -> [String: JSONValue] {
        var metric = metric?.objectValue ?? [:]
        if let policy = metric.removeValue(forKey: "archive_policy") {
            metric["archive_policy/name"] = policy["name"] ?? policy
        } else if let name = metric.removeValue(forKey: "archive_policy_name") {
            metric["archive_policy/name"] = name
        }
        if let resource = metric.removeValue(forKey: "resource") {
            for (key, value) in resource.objectValue ?? ["id": .null] { metric["resource/" + key] = value }
        }
        metric["created_by_user_id"] = nil
        metric["created_by_project_id"] = nil
        return metric
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List metrics.")
        @OptionGroup var client: ClientOptions
        @Option(help: "Number of metrics to return (default: all, page by page).") var limit: Int?
        @Option(help: "The last metric id of the previous page; list the ones after it.") var marker: String?
        @Option(help: "Sort key and direction, e.g. name:asc (repeatable).") var sort: [String] = []

        func validate() throws {
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        }

        func run() async throws {
            try await client.perform { api in
                var query = [(String, String)]()
                if let limit { query.append(("limit", String(limit))) }
                if let marker { query.append(("marker", marker)) }
                query += sort.map { ("sort", $0) }
                let metrics = try await api.getAllPages("metric", query: query, limit: limit)
                let columns = ["id", "archive_policy/name", "name", "unit", "resource_id"]
                let rows = metrics.map { metric in
                    var shown = MetricCommand.displayed(metric)
                    if shown["resource_id"] == nil { shown["resource_id"] = shown["resource/id"] }
                    return columns.map { shown[$0] ?? .null }
                }
                return .list(columns: columns, rows: rows)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a metric.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "ID of the metric, or its name with --resource-id.") var metric: String
        @Option(name: [.customShort("r"), .customLong("resource-id")], help: "ID of the resource the named metric belongs to.")
        var resourceID: String?

        func run() async throws {
            try await client.perform { api in
                .record(MetricCommand.displayed(try await api.get(MetricCommand.path(metric, resource: resourceID)).body))
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a metric.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Name of the metric.") var name: String?
        @Option(name: [.customShort("a"), .customLong("archive-policy-name")], help: "Its archive policy (default: the rule matching its name).")
        var archivePolicyName: String?
        @Option(name: [.customShort("u"), .long], help: "Its unit.") var unit: String?
        @Option(name: [.customShort("r"), .customLong("resource-id")], help: "ID of the resource to attach it to (needs a name).")
        var resourceID: String?

        func validate() throws {
            if resourceID != nil && name == nil { throw ValidationError("A metric name is required with --resource-id") }
        }

        func run() async throws {
            try await client.perform { api in
                var body = [String: JSONValue]()
                if let name { body["name"] = .string(name) }
                if let archivePolicyName { body["archive_policy_name"] = .string(archivePolicyName) }
                if let unit { body["unit"] = .string(unit) }
                if let resourceID { body["resource_id"] = .string(resourceID) }
                return .record(MetricCommand.displayed(try await api.post("metric", .object(body)).body))
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete metrics.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "IDs of the metrics, or their names with --resource-id.") var metrics: [String]
        @Option(name: [.customShort("r"), .customLong("resource-id")], help: "ID of the resource the named metrics belong to.")
        var resourceID: String?

        func validate() throws {
            if metrics.isEmpty { throw ValidationError("Missing expected argument '<metrics> ...'") }
        }

        func run() async throws {
            try await client.perform { api in
                for metric in metrics { _ = try await api.delete(MetricCommand.path(metric, resource: resourceID)) }
                return nil
            }
        }
    }
}
