import Foundation
import StratusTesting
import Testing

/// Drives `stratus archive-policy|archive-policy-rule|metric|measures`, the built binary's Gnocchi API
/// client commands, against a real `stratus all-in-one`.
@Suite("stratus client commands against stratus all-in-one")
struct ClientCommandTests {
    /// What one client command did.
    struct Run: CustomStringConvertible {
        var status: Int32
        var output: String
        var error: String

        var description: String { "exit \(status)\nstdout:\n\(output)\nstderr:\n\(error)" }

        /// Standard output parsed as JSON.
        func json() throws -> Any {
            try JSONSerialization.jsonObject(with: Data(output.utf8))
        }
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Starts `stratus all-in-one` on port 0 in a fresh directory and runs `body` with its endpoint.
    static func withServer(_ body: (String) async throws -> Void) async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-client") { directory in
            let arguments = ["all-in-one", "--roles", "api,metricd", "--data-dir", directory.path + "/data", "--port", "0",
                             "--set", "metricd.metric_processing_delay=1"]
            try await StratusProcess.with(arguments) { process in
                let endpoint = try await process.apiEndpoint()
                let url = try #require(endpoint, "all-in-one did not start:\n\(process.standardError)")
                try await body(url)
            }
        }
    }

    /// Runs the built `stratus` with `arguments` and `--endpoint endpoint`, with standard output and error apart.
    static func stratus(_ endpoint: String, _ arguments: [String]) async throws -> Run {
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("STRATUS_") && !$0.key.hasPrefix("GNOCCHI_") }
        let result = try await ChildProcess.run(
            try StratusProcess.binaryURL().path, arguments + ["--endpoint", endpoint], environment: environment, timeout: .seconds(60))
        return Run(status: result.exit.signaled ? 128 + result.exit.status : result.exit.status, output: result.output, error: result.error)
    }

    /// Runs a client command that must succeed.
    static func succeeding(_ endpoint: String, _ arguments: [String],
                           sourceLocation: SourceLocation = #_sourceLocation) async throws -> Run {
        let run = try await stratus(endpoint, arguments)
        guard run.status == 0 else {
            Issue.record("stratus \(arguments.joined(separator: " ")) failed: \(run)", sourceLocation: sourceLocation)
            throw Failure(description: "stratus \(arguments.joined(separator: " ")) failed")
        }
        return run
    }

    @Test(.timeLimit(.minutes(3)))
    func createsShowsUpdatesAndDeletesArchivePoliciesAndRules() async throws {
        try await Self.withServer { url in
            let policies = try #require(try await Self.succeeding(url, ["archive-policy", "list", "-f", "json"]).json() as? [[String: Any]])
            #expect(Set(policies.compactMap { $0["name"] as? String }).isSuperset(of: ["bool", "low", "medium", "high"]))

            let created = try #require(try await Self.succeeding(url, [
                "archive-policy", "create", "client", "-d", "granularity:1m,points:60", "-d", "granularity:1h,timespan:1d",
                "-m", "mean", "-m", "max", "-b", "0", "--format", "json",
            ]).json() as? [String: Any])
            #expect(created["name"] as? String == "client")
            #expect((created["definition"] as? [Any])?.count == 2)
            #expect(Set(created["aggregation_methods"] as? [String] ?? []) == ["mean", "max"])

            let shown = try await Self.succeeding(url, ["archive-policy", "show", "client"]).output
            #expect(shown.hasPrefix("+-"), "\(shown)")
            #expect(shown.contains("| Field "))
            #expect(shown.range(of: #"\| name +\| client +\|"#, options: .regularExpression) != nil, "\(shown)")
            #expect(shown.contains("- granularity: 0:01:00, points: 60, timespan: 1:00:00"), "\(shown)")
            #expect(shown.contains("- granularity: 1:00:00, points: 24, timespan: 1 day, 0:00:00"), "\(shown)")
            #expect(shown.contains("max, mean"), "\(shown)")

            let listed = try await Self.succeeding(url, ["archive-policy", "list"]).output
            #expect(listed.contains("| name ") && listed.contains("| back_window |"), "\(listed)")
            #expect(listed.range(of: #"\| client +\|"#, options: .regularExpression) != nil, "\(listed)")

            let updated = try #require(try await Self.succeeding(url, [
                "archive-policy", "update", "client", "-d", "granularity:1m,points:120", "-d", "granularity:1h,points:24", "-f", "json",
            ]).json() as? [String: Any])
            let points = (updated["definition"] as? [[String: Any]])?.compactMap { $0["points"] as? Int }
            #expect(Set(points ?? []) == [120, 24], "\(updated)")

            let rule = try #require(try await Self.succeeding(url, [
                "archive-policy-rule", "create", "client-rule", "-a", "client", "-m", "client.*", "-f", "json",
            ]).json() as? [String: Any])
            #expect(rule["archive_policy_name"] as? String == "client")
            #expect(rule["metric_pattern"] as? String == "client.*")
            let ruleTable = try await Self.succeeding(url, ["archive-policy-rule", "show", "client-rule"]).output
            #expect(ruleTable.range(of: #"\| metric_pattern +\| client\.\* +\|"#, options: .regularExpression) != nil, "\(ruleTable)")

            let renamed = try #require(try await Self.succeeding(url, [
                "archive-policy-rule", "update", "client-rule", "--name", "client-renamed", "-f", "json",
            ]).json() as? [String: Any])
            #expect(renamed["name"] as? String == "client-renamed")
            let rules = try #require(try await Self.succeeding(url, ["archive-policy-rule", "list", "-f", "json"]).json() as? [[String: Any]])
            let names = rules.compactMap { $0["name"] as? String }
            #expect(names.contains("client-renamed") && !names.contains("client-rule"), "\(rules)")
            #expect(rules.allSatisfy { Set($0.keys) == ["name", "archive_policy_name", "metric_pattern"] }, "\(rules)")

            // The policy is in use by the rule.
            let inUse = try await Self.stratus(url, ["archive-policy", "delete", "client"])
            #expect(inUse.status != 0 && inUse.error.contains("(HTTP 400)"), "\(inUse)")

            #expect(try await Self.succeeding(url, ["archive-policy-rule", "delete", "client-renamed"]).output.isEmpty)
            let goneRule = try await Self.stratus(url, ["archive-policy-rule", "show", "client-renamed"])
            #expect(goneRule.status == 1 && goneRule.error.contains("client-renamed") && goneRule.error.contains("(HTTP 404)"), "\(goneRule)")

            _ = try await Self.succeeding(url, ["archive-policy", "delete", "client"])
            let gonePolicy = try await Self.stratus(url, ["archive-policy", "show", "client"])
            #expect(gonePolicy.status == 1 && gonePolicy.error.contains("client") && gonePolicy.output.isEmpty, "\(gonePolicy)")
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func createsMetricsAddsMeasuresAndPlotsThemPerGranularity() async throws {
        try await Self.withServer { url in
            _ = try await Self.succeeding(url, [
                "archive-policy", "create", "plots", "-d", "granularity:1m,points:60", "-d", "granularity:1h,points:24", "-m", "mean", "-m", "max",
            ])
            let metric = try #require(try await Self.succeeding(url, [
                "metric", "create", "client.cpu", "-a", "plots", "-u", "%", "-f", "json",
            ]).json() as? [String: Any])
            let id = try #require(metric["id"] as? String)
            #expect(metric["archive_policy/name"] as? String == "plots", "\(metric)")
            #expect(metric["unit"] as? String == "%")
            #expect(metric["created_by_user_id"] == nil)
            _ = try await Self.succeeding(url, ["metric", "create", "client.other", "-a", "plots"])

            let shown = try await Self.succeeding(url, ["metric", "show", id]).output
            #expect(shown.range(of: #"\| id +\| \#(id) +\|"#, options: .regularExpression) != nil, "\(shown)")
            #expect(shown.range(of: #"\| archive_policy/name +\| plots +\|"#, options: .regularExpression) != nil, "\(shown)")

            let listed = try #require(try await Self.succeeding(url, ["metric", "list", "-f", "json"]).json() as? [[String: Any]])
            #expect(listed.count == 2)
            #expect(listed.contains { $0["id"] as? String == id && $0["name"] as? String == "client.cpu" && $0["archive_policy/name"] as? String == "plots" })
            let first = try #require(try await Self.succeeding(url, ["metric", "list", "--limit", "1", "--sort", "name:desc", "-f", "json"]).json() as? [[String: Any]])
            #expect(first.map { $0["name"] as? String } == ["client.other"])
            let table = try await Self.succeeding(url, ["metric", "list"]).output
            #expect(table.contains("| archive_policy/name |") && table.contains(id), "\(table)")

            let added = try await Self.succeeding(url, [
                "measures", "add", id, "-m", "2024-01-01T00:00:00@10", "-m", "2024-01-01T00:00:30@20", "-m", "2024-01-01T00:01:10@40",
            ])
            #expect(added.output.isEmpty && added.error.isEmpty)

            // `--refresh` aggregates what was received; metricd may also have done it already.
            var minutes = [[String: Any]]()
            let deadline = ContinuousClock.now + .seconds(60)
            while minutes.count != 2, ContinuousClock.now < deadline {
                minutes = try #require(try await Self.succeeding(url, [
                    "measures", "show", id, "--refresh", "--granularity", "60", "-f", "json",
                ]).json() as? [[String: Any]])
                if minutes.count != 2 { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(minutes.map { $0["value"] as? Double } == [15, 40], "\(minutes)")
            #expect(minutes.first?["timestamp"] as? String == "2024-01-01T00:00:00+00:00")
            #expect(Set(minutes.first?.keys.map { $0 } ?? []) == ["timestamp", "granularity", "value"])
            let maxima = try #require(try await Self.succeeding(url, [
                "measures", "show", id, "--aggregation", "max", "--granularity", "60", "-f", "json",
            ]).json() as? [[String: Any]])
            #expect(maxima.map { $0["value"] as? Double } == [20, 40])

            let plotted = try await Self.succeeding(url, ["measures", "show", id]).output
            #expect(plotted.range(of: #"\| timestamp +\| granularity \| +value \|"#, options: .regularExpression) != nil, "\(plotted)")
            #expect(plotted.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) }, "no braille plot:\n\(plotted)")
            let hourly = try #require(plotted.range(of: "mean at granularity 1:00:00 (1 point)"), "\(plotted)")
            let minutely = try #require(plotted.range(of: "mean at granularity 0:01:00 (2 points)"), "\(plotted)")
            #expect(hourly.lowerBound < minutely.lowerBound, "coarsest first:\n\(plotted)")
            let minutePlot = plotted[minutely.upperBound...]
            #expect(minutePlot.range(of: #"(?m)^40 ┤"#, options: .regularExpression) != nil, "\(minutePlot)")
            #expect(minutePlot.range(of: #"(?m)^15 ┤"#, options: .regularExpression) != nil, "\(minutePlot)")
            #expect(minutePlot.range(of: #"2024-01-01T00:00:00\+00:00 +2024-01-01T00:01:00\+00:00"#, options: .regularExpression) != nil, "\(minutePlot)")
            let plotLines = minutePlot.split(separator: "\n").drop { !$0.contains("┤") }.prefix(12)
            // 12 rows of 60 characters after the "40 ┤" or "   │" margin.
            #expect(plotLines.count == 12 && plotLines.allSatisfy { $0.count == 64 }, "\(minutePlot)")

            let unplotted = try await Self.succeeding(url, ["measures", "show", id, "--no-plot"]).output
            #expect(!unplotted.contains("┤") && unplotted.contains("| 2024-01-01T00:01:00+00:00 |"), "\(unplotted)")
            let json = try await Self.succeeding(url, ["measures", "show", id, "-f", "json"]).output
            #expect(!json.contains("┤"))

            _ = try await Self.succeeding(url, ["metric", "delete", id])
            let remaining = try #require(try await Self.succeeding(url, ["metric", "list", "-f", "json"]).json() as? [[String: Any]])
            #expect(!remaining.contains { $0["id"] as? String == id })
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func unknownMetricsAndUnreachableEndpointsAreClearErrors() async throws {
        try await Self.withServer { url in
            let unknown = UUID().uuidString.lowercased()
            for command in [["metric", "show", unknown], ["measures", "show", unknown], ["measures", "add", unknown, "-m", "2024-01-01@1"],
                            ["metric", "delete", unknown]] {
                let run = try await Self.stratus(url, command)
                #expect(run.status == 1, "\(command): \(run)")
                #expect(run.output.isEmpty, "\(command): \(run)")
                #expect(run.error.contains("Metric \(unknown) does not exist") && run.error.contains("(HTTP 404)"), "\(command): \(run)")
            }
            let unknownPolicy = try await Self.stratus(url, ["metric", "create", "x", "-a", "no-such-policy"])
            #expect(unknownPolicy.status == 1 && unknownPolicy.error.contains("no-such-policy"), "\(unknownPolicy)")
        }
        let unreachable = try await Self.stratus("http://127.0.0.1:1", ["archive-policy", "list"])
        #expect(unreachable.status == 1 && unreachable.error.contains("Unable to reach http://127.0.0.1:1"), "\(unreachable)")
        let badDefinition = try await Self.stratus("http://127.0.0.1:1", ["archive-policy", "create", "x", "-d", "granularity:1m"])
        #expect(badDefinition.status != 0 && badDefinition.error.contains("-d"), "\(badDefinition)")
    }
}
