import Foundation
import StratusTesting
import Testing

/// Drives the real gnocchiclient CLI (PyPI `gnocchiclient`, installed by `scripts/install-test-clients`)
/// against a real `stratus all-in-one`.
@Suite("gnocchiclient against stratus all-in-one", .serialized)
struct GnocchiClientTests {
    /// The `gnocchi` command: `STRATUS_GNOCCHI_CLIENT`, or the virtualenv `scripts/install-test-clients` makes.
    static let client: String? = {
        let candidates = [ProcessInfo.processInfo.environment["STRATUS_GNOCCHI_CLIENT"], "/tmp/stratus-clients/bin/gnocchi"]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    struct CommandFailure: Error, CustomStringConvertible { var description: String }

    /// Runs `gnocchi` with basic auth as `user` against `endpoint`; returns stdout, throws with stderr on failure.
    static func gnocchi(_ endpoint: String, _ arguments: [String], user: String = "admin") async throws -> String {
        let result = try await ChildProcess.run(client!, ["--os-auth-type", "gnocchi-basic", "--user", user, "--endpoint", endpoint] + arguments, environment: ProcessInfo.processInfo.environment)
        guard result.exit == .exited(0) else {
            throw CommandFailure(description: "gnocchi \(arguments.joined(separator: " ")) failed (\(result.exit)): \(result.error)")
        }
        return result.output
    }

    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    @Test(.enabled(if: client != nil, "gnocchiclient is not installed: run scripts/install-test-clients"), .timeLimit(.minutes(3)))
    func archivePoliciesRulesMetricsAndMeasures() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-gnocchiclient") { directory in
            let arguments = ["all-in-one", "--roles", "api,metricd", "--data-dir", directory.path + "/data", "--port", "0",
                             "--set", "metricd.metric_processing_delay=1"]
            try await StratusProcess.with(arguments) { process in
                let endpoint = try await process.apiEndpoint()
                let url = try #require(endpoint, "all-in-one did not start:\n\(process.standardError)")

                let policies = try await #require(try await Self.json(Self.gnocchi(url, ["archive-policy", "list", "-f", "json"])) as? [[String: Any]])
                #expect(Set(policies.compactMap { $0["name"] as? String }) == ["bool", "low", "medium", "high"])

                _ = try await Self.gnocchi(url, ["archive-policy", "create", "-d", "granularity:1m,points:60", "-d", "granularity:1h,timespan:1d",
                                           "-m", "mean", "-m", "max", "-b", "0", "e2e"])
                let shown = try await #require(try await Self.json(Self.gnocchi(url, ["archive-policy", "show", "e2e", "-f", "json"])) as? [String: Any])
                #expect(shown["name"] as? String == "e2e")
                #expect((shown["definition"] as? String)?.contains("0:01:00") ?? (shown["definition"] != nil))

                _ = try await Self.gnocchi(url, ["archive-policy-rule", "create", "-a", "e2e", "-m", "e2e.*", "e2e-rule"])
                let rule = try await #require(try await Self.json(Self.gnocchi(url, ["archive-policy-rule", "show", "e2e-rule", "-f", "json"])) as? [String: Any])
                #expect(rule["archive_policy_name"] as? String == "e2e")

                let metric = try await #require(try await Self.json(Self.gnocchi(url, ["metric", "create", "e2e.cpu", "-u", "%", "-f", "json"])) as? [String: Any])
                let id = try #require(metric["id"] as? String)
                // Gnocchi's POST answers `archive_policy_name`, which gnocchiclient prints as is.
                #expect(metric["archive_policy_name"] as? String == "e2e")

                _ = try await Self.gnocchi(url, ["measures", "add", "-m", "2024-01-01T00:00:00@10", "-m", "2024-01-01T00:00:30@20",
                                           "-m", "2024-01-01T00:01:10@40", id])
                let measures = try await #require(try await Self.json(Self.gnocchi(url, ["measures", "show", "--refresh", "--granularity", "60", id, "-f", "json"])) as? [[String: Any]])
                #expect(measures.count == 2)
                #expect(measures.first?["value"] as? Double == 15)
                #expect(measures.last?["value"] as? Double == 40)
                let maxima = try await #require(try await Self.json(Self.gnocchi(url, ["measures", "show", "--aggregation", "max", "--granularity", "60", id, "-f", "json"])) as? [[String: Any]])
                #expect(maxima.map { $0["value"] as? Double } == [20, 40])

                let listed = try await #require(try await Self.json(Self.gnocchi(url, ["metric", "list", "-f", "json"])) as? [[String: Any]])
                #expect(listed.contains { $0["id"] as? String == id })

                _ = try await Self.gnocchi(url, ["metric", "delete", id])
                _ = try await Self.gnocchi(url, ["archive-policy-rule", "delete", "e2e-rule"])
                await #expect(throws: CommandFailure.self) { try await Self.gnocchi(url, ["archive-policy", "delete", "low"], user: "alice") }

                process.terminate()
                let exit = await process.waitUntilExit(timeout: .seconds(20))
                #expect(exit == .exited(0))
            }
        }
    }
}
