import Carbonara
import Foundation
import StratusIndex

extension IndexConformance {
    /// Policies come back exactly as created (nanosecond granularities, nil points, resolved methods), by name.
    public func archivePoliciesRoundTrip(_ indexer: any Indexer) async throws {
        let custom = try ArchivePolicy(
            name: "custom", backWindow: 3,
            definition: [
                ArchivePolicyItem(granularity: 3_600 * Self.second, points: nil),
                ArchivePolicyItem(granularity: 500_000_000, points: 7_200),
            ],
            aggregationMethods: ["rate:mean", "95pct", "last"])
        var empty = try policy("empty")
        empty.aggregationMethods = []
        for policy in ArchivePolicy.defaultPolicies + [custom, empty] {
            try await indexer.createArchivePolicy(policy)
        }
        for policy in ArchivePolicy.defaultPolicies + [custom, empty] {
            try expectEqual(try await indexer.archivePolicy(named: policy.name), policy, "policy \(policy.name)")
        }
        let names = try await indexer.archivePolicies().map(\.name)
        try expectEqual(names, ["bool", "custom", "empty", "high", "low", "medium"], "archivePolicies() order")
        try expectEqual(try await indexer.archivePolicies().first { $0.name == "custom" }, custom, "listed custom policy")
        try expect(try await indexer.archivePolicy(named: "nope") == nil, "unknown policy must be nil")
    }

    /// Creating a policy twice fails with Gnocchi's message.
    public func duplicateArchivePolicyIsRejected(_ indexer: any Indexer) async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        try await expectError(
            .archivePolicyAlreadyExists, message: "Archive policy low already exists", "second create"
        ) {
            try await indexer.createArchivePolicy(try policy("low", granularities: [1]))
        }
        try expectEqual(try await indexer.archivePolicy(named: "low")?.definition.first?.granularity, 60 * Self.second, "kept policy")
    }

    /// An update may change points (in any item order) and the back window; methods are kept.
    public func archivePolicyUpdateChangesPointsAndBackWindow(_ indexer: any Indexer) async throws {
        let original = try policy("p", granularities: [60, 3_600], backWindow: 2, methods: ["max", "rate:sum"])
        try await indexer.createArchivePolicy(original)
        let newItems = [
            ArchivePolicyItem(granularity: 3_600 * Self.second, points: 24),
            ArchivePolicyItem(granularity: 60 * Self.second, points: nil),
        ]
        let updated = try await indexer.updateArchivePolicy(named: "p", definition: newItems, backWindow: nil)
        try expectEqual(updated.definition, newItems, "returned definition")
        try expectEqual(updated.backWindow, 2, "back window kept when not given")
        try expectEqual(updated.aggregationMethods, original.aggregationMethods, "methods kept")
        try expectEqual(try await indexer.archivePolicy(named: "p"), updated, "stored policy after update")

        let again = try await indexer.updateArchivePolicy(named: "p", definition: newItems, backWindow: 5)
        try expectEqual(again.backWindow, 5, "returned back window")
        try expectEqual(try await indexer.archivePolicy(named: "p")?.backWindow, 5, "stored back window")
    }

    /// Adding, dropping or changing a granularity is refused with Gnocchi's messages; unknown policies are not found.
    public func archivePolicyUpdateRejectsGranularityChanges(_ indexer: any Indexer) async throws {
        try await indexer.createArchivePolicy(try policy("p", granularities: [60, 3_600]))
        let minute = ArchivePolicyItem(granularity: 60 * Self.second, points: 5)
        try await expectError(
            .invalidArchivePolicyUpdate,
            message: "Archive policy p does not support change: Cannot add or drop granularities", "dropping"
        ) {
            _ = try await indexer.updateArchivePolicy(named: "p", definition: [minute], backWindow: nil)
        }
        try await expectError(
            .invalidArchivePolicyUpdate,
            message: "Archive policy p does not support change: 60.0 granularity interval was changed", "changing"
        ) {
            _ = try await indexer.updateArchivePolicy(
                named: "p",
                definition: [
                    ArchivePolicyItem(granularity: 30 * Self.second, points: 5),
                    ArchivePolicyItem(granularity: 3_600 * Self.second, points: 5),
                ],
                backWindow: nil)
        }
        try await expectError(.archivePolicyNotFound, message: "Archive policy q does not exist", "unknown policy") {
            _ = try await indexer.updateArchivePolicy(named: "q", definition: [minute], backWindow: nil)
        }
        try expectEqual(try await indexer.archivePolicy(named: "p"), try policy("p", granularities: [60, 3_600]), "unchanged")
    }

    /// Lowering the back window (and only lowering) marks every metric of that policy for raw truncation.
    public func loweringBackWindowMarksMetricsForTruncation(_ indexer: any Indexer) async throws {
        try await indexer.createArchivePolicy(try policy("p", backWindow: 2))
        try await indexer.createArchivePolicy(try policy("other", backWindow: 2))
        try await indexer.createMetric(metric(1, policy: "p"))
        try await indexer.createMetric(metric(2, policy: "other"))
        try await indexer.createMetric(metric(3, policy: "p"))
        let definition = try policy("p").definition

        _ = try await indexer.updateArchivePolicy(named: "p", definition: definition, backWindow: 4)
        try expectEqual(try await indexer.metrics(ids: [Self.id(1), Self.id(3)]).map(\.needsRawDataTruncation), [false, false], "after raising")
        _ = try await indexer.updateArchivePolicy(named: "p", definition: definition, backWindow: nil)
        try expectEqual(try await indexer.metric(id: Self.id(1))?.needsRawDataTruncation, false, "after keeping")

        _ = try await indexer.updateArchivePolicy(named: "p", definition: definition, backWindow: 0)
        try expectEqual(
            try await indexer.metrics(ids: [Self.id(1), Self.id(2), Self.id(3)]).map(\.needsRawDataTruncation),
            [true, false, true], "after lowering to 0")
    }

    /// A policy used by a rule or by any metric (even deleted) cannot be deleted; an unused one can.
    public func archivePolicyInUseCannotBeDeleted(_ indexer: any Indexer) async throws {
        try await expectError(.archivePolicyNotFound, message: "Archive policy low does not exist", "unknown") {
            try await indexer.deleteArchivePolicy(named: "low")
        }
        for name in ["low", "ruled", "unused"] { try await indexer.createArchivePolicy(try policy(name)) }
        try await indexer.createArchivePolicyRule(ArchivePolicyRule(name: "r", metricPattern: "*", archivePolicyName: "ruled"))
        try await indexer.createMetric(metric(1, policy: "low"))
        try await indexer.markMetricDeleted(id: Self.id(1))

        try await expectError(.archivePolicyInUse, message: "Archive policy ruled is still in use", "used by a rule") {
            try await indexer.deleteArchivePolicy(named: "ruled")
        }
        try await expectError(.archivePolicyInUse, message: "Archive policy low is still in use", "used by a deleted metric") {
            try await indexer.deleteArchivePolicy(named: "low")
        }
        try await indexer.deleteArchivePolicy(named: "unused")
        try expect(try await indexer.archivePolicy(named: "unused") == nil, "deleted policy must be gone")

        try await indexer.expungeMetric(id: Self.id(1))
        try await indexer.deleteArchivePolicy(named: "low")
        try await indexer.deleteArchivePolicyRule(named: "r")
        try await indexer.deleteArchivePolicy(named: "ruled")
        try expectEqual(try await indexer.archivePolicies().count, 0, "policies left")
    }

    /// `hasArchivePoliciesOrRules` is false only on an empty index.
    public func hasArchivePoliciesOrRulesReflectsContent(_ indexer: any Indexer) async throws {
        try expectEqual(try await indexer.hasArchivePoliciesOrRules(), false, "fresh index")
        try await indexer.createArchivePolicy(try policy("low"))
        try expectEqual(try await indexer.hasArchivePoliciesOrRules(), true, "with a policy")
        try await indexer.deleteArchivePolicy(named: "low")
        try expectEqual(try await indexer.hasArchivePoliciesOrRules(), false, "after deleting it")
    }

    /// Running the migrations again changes nothing and keeps the data.
    public func upgradeIsIdempotent(_ indexer: any Indexer) async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        try await indexer.createMetric(metric(1))
        try await indexer.upgrade()
        try await indexer.upgrade()
        try expectEqual(try await indexer.archivePolicy(named: "low"), try policy("low"), "policy after upgrades")
        try expectEqual(try await indexer.metric(id: Self.id(1)), metric(1), "metric after upgrades")
    }
}

extension IndexConformance {
    /// Stores what `gnocchi-upgrade` creates: the default policies and the `default` rule (`*` → `low`).
    public func seedDefaults(_ indexer: any Indexer) async throws {
        for policy in ArchivePolicy.defaultPolicies { try await indexer.createArchivePolicy(policy) }
        try await indexer.createArchivePolicyRule(ArchivePolicyRule(name: "default", metricPattern: "*", archivePolicyName: "low"))
    }

    /// Checks that `seedDefaults` data is present and intact (for example after reopening or upgrading).
    public func expectDefaultsSeeded(_ indexer: any Indexer) async throws {
        try expectEqual(try await indexer.archivePolicies(), ArchivePolicy.defaultPolicies.sorted { $0.name < $1.name }, "policies")
        try expectEqual(
            try await indexer.archivePolicyRules(),
            [ArchivePolicyRule(name: "default", metricPattern: "*", archivePolicyName: "low")], "rules")
    }
}
