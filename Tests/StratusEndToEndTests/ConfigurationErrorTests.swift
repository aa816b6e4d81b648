import Foundation
import StratusTesting
import Testing

@Suite("Bad configuration files stop the roles")
struct ConfigurationErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var yaml: String
        /// The line the error must name.
        var line: Int
        /// What stderr must say after `file:line: `.
        var reason: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "unknown option", yaml: "metricd:\n  workers: 2\n  bogus_option: 5\n", line: 3,
            reason: "unknown option 'metricd.bogus_option'"),
        Case(
            name: "wrong type", yaml: "# metricd tuning\nmetricd:\n  workers: many\n", line: 3,
            reason: "metricd.workers must be an integer, got 'many'"),
        Case(
            name: "out of range", yaml: "metricd:\n  metric_processing_delay: 5\n  workers: 0\n", line: 3,
            reason: "metricd.workers must be at least 1, got 0"),
        Case(
            name: "unknown section", yaml: "metricd:\n  workers: 1\nmetricdd:\n  workers: 2\n", line: 3,
            reason: "unknown section 'metricdd'"),
    ]

    @Test(.timeLimit(.minutes(2)), arguments: cases, ["metricd", "all-in-one"])
    func theRoleExitsWithTheFileLineAndReason(_ bad: Case, _ role: String) async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-config") { directory in
            let data = directory.path + "/data"
            let upgrade = try await StratusProcess.run(["upgrade", "--data-dir", data, "--sacks-number", "2"])
            try #require(upgrade.exit.status == 0, "\(upgrade.output)")
            let file = directory.path + "/stratus.yaml"
            try bad.yaml.write(toFile: file, atomically: true, encoding: .utf8)

            let result = try await StratusProcess.run([role, "--data-dir", data, "--config-file", file], timeout: .seconds(30))
            #expect(result.exit.status != 0 && !result.exit.signaled, "\(result.exit)")
            #expect(result.output.contains("\(file):\(bad.line): \(bad.reason)"), "\(result.output)")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aMissingConfigurationFileIsNamed() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-config") { directory in
            let file = directory.path + "/absent.yaml"
            let result = try await StratusProcess.run(["metricd", "--data-dir", directory.path, "--config-file", file], timeout: .seconds(30))
            #expect(result.exit.status != 0 && !result.exit.signaled)
            #expect(result.output.contains("\(file): cannot read configuration file"), "\(result.output)")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aBadOverrideIsNamed() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-config") { directory in
            let data = directory.path + "/data"
            let upgrade = try await StratusProcess.run(["upgrade", "--data-dir", data, "--sacks-number", "2"])
            try #require(upgrade.exit.status == 0, "\(upgrade.output)")
            let result = try await StratusProcess.run(["metricd", "--data-dir", data, "--set", "metricd.workers=lots"], timeout: .seconds(30))
            #expect(result.exit.status != 0 && !result.exit.signaled)
            #expect(result.output.contains("metricd.workers must be an integer, got 'lots'"), "\(result.output)")
            #expect(result.output.contains("metricd.workers=lots"), "the override is quoted")
        }
    }
}
