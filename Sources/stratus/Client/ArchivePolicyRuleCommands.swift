import ArgumentParser
import StratusAPI

/// `stratus archive-policy-rule list|show|create|update|delete`, as gnocchiclient's `gnocchi archive-policy-rule`.
struct ArchivePolicyRuleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive-policy-rule",
        abstract: "Manage archive policy rules through the Gnocchi API.",
        subcommands: [List.self, Show.self, Create.self, Update.self, Delete.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List archive policy rules.")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await client.perform { api in
                let columns = ["name", "archive_policy_name", "metric_pattern"]
                let rules = try await api.get("archive_policy_rule").body?.arrayValue ?? []
                return .list(columns: columns, rows: rules.map { rule in columns.map { rule[$0] ?? .null } })
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an archive policy rule.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Name of the archive policy rule.") var name: String

        func run() async throws {
            try await client.perform { api in
                .record(try await api.get("archive_policy_rule/" + name).body?.objectValue ?? [:])
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an archive policy rule.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Name of the rule.") var name: String
        @Option(name: [.customShort("a"), .customLong("archive-policy-name")], help: "The archive policy of the metrics it matches.")
        var archivePolicyName: String
        @Option(name: [.customShort("m"), .customLong("metric-pattern")], help: "Wildcard of the metric names it matches, e.g. 'disk.*'.")
        var metricPattern: String

        func run() async throws {
            try await client.perform { api in
                let body: JSONValue = .object([
                    "name": .string(name), "archive_policy_name": .string(archivePolicyName), "metric_pattern": .string(metricPattern),
                ])
                return .record(try await api.post("archive_policy_rule", body).body?.objectValue ?? [:])
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rename an archive policy rule.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Name of the rule.") var name: String
        @Option(name: [.customShort("n"), .customLong("name")], help: "The new name of the rule.")
        var newName: String

        func run() async throws {
            try await client.perform { api in
                .record(try await api.patch("archive_policy_rule/" + name, .object(["name": .string(newName)])).body?.objectValue ?? [:])
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an archive policy rule.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Name of the rule.") var name: String

        func run() async throws {
            try await client.perform { api in
                _ = try await api.delete("archive_policy_rule/" + name)
                return nil
            }
        }
    }
}
