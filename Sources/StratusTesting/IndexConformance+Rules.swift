import Carbonara
import Foundation
import StratusIndex

extension IndexConformance {
    /// Rules are created, read and deleted; unknown policies, duplicates and unknown names are refused.
    public func archivePolicyRulesRoundTrip(_ indexer: any Indexer) async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        let rule = ArchivePolicyRule(name: "default", metricPattern: "*", archivePolicyName: "low")
        try await indexer.createArchivePolicyRule(rule)
        try expectEqual(try await indexer.archivePolicyRule(named: "default"), rule, "rule read back")
        try expect(try await indexer.archivePolicyRule(named: "other") == nil, "unknown rule must be nil")

        try await expectError(.archivePolicyNotFound, message: "Archive policy nope does not exist", "unknown policy") {
            try await indexer.createArchivePolicyRule(
                ArchivePolicyRule(name: "r2", metricPattern: "x*", archivePolicyName: "nope"))
        }
        try await expectError(
            .archivePolicyRuleAlreadyExists, message: "Archive policy rule default already exists", "duplicate"
        ) {
            try await indexer.createArchivePolicyRule(
                ArchivePolicyRule(name: "default", metricPattern: "y*", archivePolicyName: "low"))
        }
        try expectEqual(try await indexer.archivePolicyRules(), [rule], "rules after refused creates")
        try expectEqual(try await indexer.hasArchivePoliciesOrRules(), true, "with a rule")

        try await indexer.deleteArchivePolicyRule(named: "default")
        try expectEqual(try await indexer.archivePolicyRules(), [], "rules after delete")
        try await expectError(
            .archivePolicyRuleNotFound, message: "Archive policy rule default does not exist", "second delete"
        ) {
            try await indexer.deleteArchivePolicyRule(named: "default")
        }
    }

    /// Rules list by metric pattern descending (bytewise), then name ascending, as Gnocchi's query.
    public func archivePolicyRulesAreOrderedByPatternDescending(_ indexer: any Indexer) async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        let patterns: [(String, String)] = [
            ("a", "*"), ("b", "disk.*"), ("c", "cpu*"), ("d", "Disk*"), ("e", "cpu*"), ("f", "cpu.util"), ("g", "é*"),
        ]
        for (name, pattern) in patterns {
            try await indexer.createArchivePolicyRule(ArchivePolicyRule(name: name, metricPattern: pattern, archivePolicyName: "low"))
        }
        let order = try await indexer.archivePolicyRules().map { "\($0.name):\($0.metricPattern)" }
        try expectEqual(
            order, ["g:é*", "b:disk.*", "f:cpu.util", "c:cpu*", "e:cpu*", "d:Disk*", "a:*"], "rule order")
    }

    /// A rule can only be renamed; renaming onto an existing rule or renaming an unknown rule fails.
    public func archivePolicyRuleRename(_ indexer: any Indexer) async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        try await indexer.createArchivePolicyRule(ArchivePolicyRule(name: "a", metricPattern: "a*", archivePolicyName: "low"))
        try await indexer.createArchivePolicyRule(ArchivePolicyRule(name: "b", metricPattern: "b*", archivePolicyName: "low"))

        let renamed = try await indexer.renameArchivePolicyRule(named: "a", to: "c")
        try expectEqual(renamed, ArchivePolicyRule(name: "c", metricPattern: "a*", archivePolicyName: "low"), "renamed rule")
        try expect(try await indexer.archivePolicyRule(named: "a") == nil, "old name must be gone")
        try expectEqual(try await indexer.archivePolicyRule(named: "c"), renamed, "new name")

        try await expectError(
            .archivePolicyRuleAlreadyExists,
            message: "Archive policy rule c does not support change: Archive policy rule b already exists.", "onto existing"
        ) {
            _ = try await indexer.renameArchivePolicyRule(named: "c", to: "b")
        }
        try await expectError(.archivePolicyRuleNotFound, message: "Archive policy rule a does not exist", "unknown") {
            _ = try await indexer.renameArchivePolicyRule(named: "a", to: "z")
        }
        try expectEqual(try await indexer.renameArchivePolicyRule(named: "b", to: "b"), try await indexer.archivePolicyRule(named: "b"), "same name")
        try expectEqual(try await indexer.archivePolicyRules().map(\.name), ["b", "c"], "rules after renames")
    }

    /// Matching walks the rules in list order and takes the first `fnmatch` hit (so `cpu*` beats `*`).
    public func archivePolicyRuleMatchingTakesFirstHit(_ indexer: any Indexer) async throws {
        for name in ["low", "medium", "high"] { try await indexer.createArchivePolicy(try policy(name)) }
        let rules = [
            ArchivePolicyRule(name: "default", metricPattern: "*", archivePolicyName: "low"),
            ArchivePolicyRule(name: "cpu", metricPattern: "cpu*", archivePolicyName: "high"),
            ArchivePolicyRule(name: "disk", metricPattern: "disk.[rw]?", archivePolicyName: "medium"),
        ]
        for rule in rules { try await indexer.createArchivePolicyRule(rule) }
        let cases: [(String, String?)] = [
            ("cpu", "cpu"), ("cpu.util", "cpu"), ("CPU", "default"), ("disk.rb", "disk"), ("disk.xb", "default"),
            ("disk.r", "default"), ("", "default"), ("a/b", "default"),
        ]
        for (name, expected) in cases {
            try expectEqual(try await indexer.archivePolicyRule(matchingMetricName: name)?.name, expected, "rule for \"\(name)\"")
        }
        try await indexer.deleteArchivePolicyRule(named: "default")
        try expectEqual(try await indexer.archivePolicyRule(matchingMetricName: "mem")?.name, nil, "no match")
        try expectEqual(try await indexer.archivePolicyRule(matchingMetricName: "cpu_l3")?.name, "cpu", "match after delete")
    }
}
