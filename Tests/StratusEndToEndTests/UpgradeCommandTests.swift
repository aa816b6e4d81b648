import Carbonara
import Foundation
import StratusIndex
import StratusTesting
import Testing

@Suite("stratus upgrade")
struct UpgradeCommandTests {
    private func openIndex(_ directory: TemporaryDirectory) throws -> any Indexer {
        try makeIndexer(url: "sqlite://\(directory.path)/index.sqlite")
    }

    private func sackCount(_ directory: TemporaryDirectory) throws -> String {
        try String(contentsOfFile: directory.path + "/incoming/sacks", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(.timeLimit(.minutes(2)))
    func createsTheDefaultPoliciesAndRuleAndIsIdempotent() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-upgrade") { directory in
            let first = try await StratusProcess.run(["upgrade", "--data-dir", directory.path])
            #expect(first.exit == .exited(0), "\(first.output)")

            let indexer = try openIndex(directory)
            let policies = try await indexer.archivePolicies()
            #expect(policies.map(\.name) == ["bool", "high", "low", "medium"])
            for expected in ArchivePolicy.defaultPolicies {
                #expect(policies.first { $0.name == expected.name } == expected, "policy \(expected.name)")
            }
            let bool = try #require(policies.first { $0.name == "bool" })
            #expect(bool.backWindow == 3_600 && bool.aggregationMethods == [AggregationMethod("last")!])
            #expect(bool.definition == [ArchivePolicyItem(granularity: 1_000_000_000, points: 31_536_000)])
            let high = try #require(policies.first { $0.name == "high" })
            #expect(high.definition.map(\.points) == [3_600, 10_080, 8_760])
            #expect(try await indexer.archivePolicyRules() == [ArchivePolicyRule(name: "default", metricPattern: "*", archivePolicyName: "low")])
            #expect(try sackCount(directory) == "128")
            #expect(FileManager.default.fileExists(atPath: directory.path + "/incoming/incoming128-127"))
            #expect(FileManager.default.fileExists(atPath: directory.path + "/storage"))

            // Data created meanwhile survives; a deleted default policy is not re-created on a non-empty index.
            let metric = Metric(id: UUID(), name: "cpu", archivePolicyName: "medium", creator: "admin:admin")
            try await indexer.createMetric(metric)
            try await indexer.deleteArchivePolicy(named: "high")
            try await indexer.close()

            let second = try await StratusProcess.run(["upgrade", "--data-dir", directory.path])
            #expect(second.exit == .exited(0), "\(second.output)")
            let reopened = try openIndex(directory)
            #expect(try await reopened.archivePolicies().map(\.name) == ["bool", "low", "medium"])
            #expect(try await reopened.archivePolicyRules().map(\.name) == ["default"])
            #expect(try await reopened.metric(id: metric.id) == metric)
            try await reopened.close()
            #expect(try sackCount(directory) == "128")
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func changesTheNumberOfSacksOnlyWhenAsked() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-upgrade") { directory in
            let small = try await StratusProcess.run(["upgrade", "--data-dir", directory.path, "--sacks-number", "4"])
            #expect(small.exit.status == 0, "\(small.output)")
            #expect(try sackCount(directory) == "4")
            let again = try await StratusProcess.run(["upgrade", "--data-dir", directory.path])
            #expect(again.exit.status == 0, "\(again.output)")
            #expect(try sackCount(directory) == "4", "upgrade without --sacks-number keeps the number")
            let entries = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/incoming").filter { $0.hasPrefix("incoming") }
            #expect(entries.sorted() == (0..<4).map { "incoming4-\($0)" })
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: ["0", "65536", "-3"])
    func refusesAnInvalidNumberOfSacks(_ sacks: String) async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-upgrade") { directory in
            let data = directory.path + "/data"
            let result = try await StratusProcess.run(["upgrade", "--data-dir", data, "--sacks-number=\(sacks)"])
            #expect(result.exit.status != 0)
            #expect(!result.exit.signaled)
            #expect(result.output.contains("--sacks-number must be between 1 and 65535"), "\(result.output)")
            #expect(!FileManager.default.fileExists(atPath: data + "/index.sqlite"), "nothing is created")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func skipsTheDefaultPoliciesWhenAsked() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-e2e-upgrade") { directory in
            let result = try await StratusProcess.run(["upgrade", "--data-dir", directory.path, "--skip-archive-policies-creation"])
            #expect(result.exit.status == 0, "\(result.output)")
            let indexer = try openIndex(directory)
            #expect(try await indexer.archivePolicies().isEmpty)
            #expect(try await indexer.archivePolicyRules().isEmpty)
            try await indexer.close()
        }
    }
}
