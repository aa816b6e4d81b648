import ArgumentParser
import StratusAPI

/// `stratus archive-policy list|show|create|update|delete`, as gnocchiclient's `gnocchi archive-policy`.
struct ArchivePolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive-policy",
        abstract: "Manage archive policies through the Gnocchi API.",
        subcommands: [List.self, Show.self, Create.self, Update.self, Delete.self]
    )

    /// One `-d` option: two or three of `granularity`, `points` and `timespan`, as `attribute:value` pairs
    /// separated by commas (`granularity:1m,points:60`, `granularity:1h,timespan:1d`).
    struct Definition: ExpressibleByArgument, Sendable {
        var value: JSONValue

        init?(argument: String) {
            var item = [String: JSONValue]()
            for part in argument.split(separator: ",", omittingEmptySubsequences: false) {
                guard let colon = part.firstIndex(of: ":") else { return nil }
                let attribute = String(part[..<colon]), text = String(part[part.index(after: colon)...])
                guard ["granularity", "points", "timespan"].contains(attribute), !text.isEmpty, item[attribute] == nil else { return nil }
                item[attribute] = attribute == "points" ? Int64(text).map(JSONValue.integer) ?? .string(text) : .string(text)
            }
            guard item.count >= 2 else { return nil }
            value = .object(item)
        }

        static var defaultValueDescription: String { "granularity:1m,points:60" }
    }

    static let listColumns = ["name", "back_window", "definition", "aggregation_methods"]

    /// A policy as printed: in a table, one line per definition item and the methods comma-separated.
    static func displayed(_ policy: JSONValue?, format: ClientOutputFormat) -> [String: JSONValue] {
        var policy = policy?.objectValue ?? [:]
        guard format == .table else { return policy }
        if let items = policy["definition"]?.arrayValue {
            policy["definition"] = .string(items.map { item in
                "- " + ["granularity", "points", "timespan"].map { "\($0): " + ClientOutput.cell(item[$0] ?? .null) }.joined(separator: ", ")
            }.joined(separator: "\n"))
        }
        if let methods = policy["aggregation_methods"]?.arrayValue {
            policy["aggregation_methods"] = .string(methods.map(ClientOutput.cell).sorted().joined(separator: ", "))
        }
        return policy
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List archive policies.")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await client.perform { api in
                let policies = try await api.get("archive_policy").body?.arrayValue ?? []
                let rows = policies.map { policy in
                    let shown = ArchivePolicyCommand.displayed(policy, format: client.format)
                    return ArchivePolicyCommand.listColumns.map { shown[$0] ?? .null }
                }
                return .list(columns: ArchivePolicyCommand.listColumns, rows: rows)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an archive policy.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Name of the archive policy.") var name: String

        func run() async throws {
            try await client.perform { api in
                .record(ArchivePolicyCommand.displayed(try await api.get("archive_policy/" + name).body, format: client.format))
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an archive policy.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Name of the archive policy.") var name: String
        @Option(name: [.customShort("d"), .long], help: "A definition item, e.g. granularity:1m,points:60 (repeatable).")
        var definition: [Definition] = []
        @Option(name: [.customShort("b"), .customLong("back-window")], help: "Back window of the archive policy.")
        var backWindow: Int?
        @Option(name: [.customShort("m"), .customLong("aggregation-method")], help: "An aggregation method (repeatable).")
        var aggregationMethods: [String] = []

        func validate() throws {
            guard !definition.isEmpty else { throw ValidationError("Missing expected argument '-d <definition>'") }
            if let backWindow, backWindow < 0 { throw ValidationError("--back-window must not be negative") }
        }

        func run() async throws {
            try await client.perform { api in
                var body: [String: JSONValue] = ["name": .string(name), "definition": .array(definition.map(\.value))]
                if let backWindow { body["back_window"] = .integer(Int64(backWindow)) }
                if !aggregationMethods.isEmpty { body["aggregation_methods"] = .array(aggregationMethods.map(JSONValue.string)) }
                let created = try await api.post("archive_policy", .object(body)).body
                return .record(ArchivePolicyCommand.displayed(created, format: client.format))
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Update an archive policy's definition (points and timespans only).")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Name of the archive policy.") var name: String
        @Option(name: [.customShort("d"), .long], help: "A definition item, e.g. granularity:1m,points:120 (repeatable).")
        var definition: [Definition] = []
        @Option(name: [.customShort("b"), .customLong("back-window")], help: "New back window of the archive policy.")
        var backWindow: Int?

        func validate() throws {
            guard !definition.isEmpty else { throw ValidationError("Missing expected argument '-d <definition>'") }
            if let backWindow, backWindow < 0 { throw ValidationError("--back-window must not be negative") }
        }

        func run() async throws {
            try await client.perform { api in
                var body: [String: JSONValue] = ["definition": .array(definition.map(\.value))]
                if let backWindow { body["back_window"] = .integer(Int64(backWindow)) }
                let updated = try await api.patch("archive_policy/" + name, .object(body)).body
                return .record(ArchivePolicyCommand.displayed(updated, format: client.format))
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an archive policy.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Name of the archive policy.") var name: String

        func run() async throws {
            try await client.perform { api in
                _ = try await api.delete("archive_policy/" + name)
                return nil
            }
        }
    }
}
