import ArgumentParser
import StratusAPI
import StratusCore

/// `stratus measures add|show`, as gnocchiclient's `gnocchi measures`, plus a terminal plot.
struct MeasuresCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "measures",
        abstract: "Add and show the measures of a metric through the Gnocchi API.",
        subcommands: [Add.self, Show.self]
    )

    /// One `-m TIMESTAMP@VALUE`; the timestamp is sent as written (ISO 8601, epoch seconds, `now`, `-5 minutes`).
    struct Measure: ExpressibleByArgument, Sendable {
        var timestamp: String
        var value: Double

        init?(argument: String) {
            guard let at = argument.lastIndex(of: "@"), let value = Double(argument[argument.index(after: at)...]) else { return nil }
            timestamp = String(argument[..<at])
            self.value = value
        }

        static var defaultValueDescription: String { "2024-01-01T00:00:00@42" }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add measures to a metric.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "ID of the metric, or its name with --resource-id.") var metric: String
        @Option(name: [.customShort("m"), .long], help: "A measure as TIMESTAMP@VALUE (repeatable).") var measure: [Measure] = []
        @Option(name: [.customShort("r"), .customLong("resource-id")], help: "ID of the resource the named metric belongs to.")
        var resourceID: String?

        func validate() throws {
            guard !measure.isEmpty else { throw ValidationError("Missing expected argument '-m <measure>'") }
        }

        func run() async throws {
            try await client.perform { api in
                let body = JSONValue.array(measure.map { .object(["timestamp": .string($0.timestamp), "value": .number($0.value)]) })
                _ = try await api.post(MetricCommand.path(metric, resource: resourceID) + "/measures", body)
                return nil
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the measures of a metric, with a plot per granularity.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "ID of the metric, or its name with --resource-id.") var metric: String
        @Option(name: [.customShort("r"), .customLong("resource-id")], help: "ID of the resource the named metric belongs to.")
        var resourceID: String?
        @Option(help: "The aggregation method (default: mean).") var aggregation: String?
        @Option(help: "The granularity to show (default: all of the policy's).") var granularity: String?
        @Option(help: "Beginning of the period.") var start: String?
        @Option(help: "End of the period.") var stop: String?
        @Option(help: "Granularity to resample to (needs --granularity).") var resample: String?
        @Flag(help: "Aggregate every measure received before answering.") var refresh = false
        @Flag(name: .customLong("no-plot"), help: "Print the table without the plots.") var noPlot = false

        func run() async throws {
            try await client.perform { api in
                var query = [(String, String)]()
                for (name, value) in [("aggregation", aggregation), ("granularity", granularity), ("start", start),
                                      ("stop", stop), ("resample", resample)] {
                    if let value { query.append((name, value)) }
                }
                if refresh { query.append(("refresh", "true")) }
                let path = MetricCommand.path(metric, resource: resourceID) + "/measures"
                let measures = (try await api.get(path, query: query).body?.arrayValue ?? []).compactMap(\.arrayValue)
                let rows = measures.map { Array($0.prefix(3)) + Array(repeating: JSONValue.null, count: max(0, 3 - $0.count)) }
                let plots = client.format == .table && !noPlot ? MeasuresCommand.plots(rows, aggregation: aggregation ?? "mean") : ""
                return .list(columns: ["timestamp", "granularity", "value"], rows: rows, footer: plots)
            }
        }
    }

    /// One plot per granularity, coarsest first, each under a title line and after a blank line.
    static func plots(_ rows: [[JSONValue]], aggregation: String) -> String {
        var order = [Double](), series = [Double: [(timestamp: String, value: Double)]]()
        for row in rows {
            guard let timestamp = row[0].stringValue, let granularity = row[1].numberValue else { continue }
            if series[granularity] == nil { order.append(granularity) }
            series[granularity, default: []].append((timestamp, row[2].numberValue ?? .nan))
        }
        var text = ""
        for granularity in order.sorted(by: >) {
            let points = series[granularity]!
            let parsed = points.map { try? Timestamps.parse($0.timestamp, now: 0) }
            // Unparsable timestamps: place the points evenly instead.
            let times = parsed.contains(nil) ? points.indices.map(Int64.init) : parsed.map { $0! }
            let lines = TerminalPlot().render(times: times, values: points.map(\.value),
                                              firstLabel: points.first!.timestamp, lastLabel: points.last!.timestamp)
            let count = points.count == 1 ? "1 point" : "\(points.count) points"
            text += "\n\(aggregation) at granularity \(durationText(granularity)) (\(count))\n"
            text += lines.isEmpty ? "(no finite value to plot)\n" : lines.joined(separator: "\n") + "\n"
        }
        return text
    }

    /// Seconds as Python prints a `timedelta`, as Gnocchi shows granularities: `0:01:00`, `1 day, 0:00:00`.
    static func durationText(_ seconds: Double) -> String {
        let microseconds = Int64((seconds * 1_000_000).rounded())
        let days = microseconds / 86_400_000_000, rest = microseconds % 86_400_000_000
        let whole = rest / 1_000_000, fraction = rest % 1_000_000
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var text = "\(whole / 3600):\(two(whole / 60 % 60)):\(two(whole % 60))"
        if fraction != 0 { text += "." + String(String(fraction + 1_000_000).dropFirst()) }
        return days == 0 ? text : "\(days) day\(days == 1 ? "" : "s"), " + text
    }
}
