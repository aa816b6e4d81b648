import Carbonara
import Foundation
import StratusIndex

/// The behaviour every `Indexer` must have, as checks runnable against any backend.
///
/// Each check takes a fresh, upgraded, empty indexer, exercises one area and throws a
/// `ConformanceFailure` describing the first mismatch. Backend test targets run every entry of `checks`.
public struct IndexConformance: Sendable {
    /// One named check.
    public struct Check: Sendable, CustomStringConvertible {
        /// The check's name (the method's).
        public let name: String
        /// Runs the check against a fresh, upgraded indexer.
        public let run: @Sendable (any Indexer) async throws -> Void

        public var description: String { name }
    }

    /// Creates the suite.
    public init() {}

    /// Every check, in a stable order.
    public static let checks: [Check] = {
        let suite = IndexConformance()
        return [
            Check(name: "archivePoliciesRoundTrip", run: suite.archivePoliciesRoundTrip),
            Check(name: "duplicateArchivePolicyIsRejected", run: suite.duplicateArchivePolicyIsRejected),
            Check(name: "archivePolicyUpdateChangesPointsAndBackWindow", run: suite.archivePolicyUpdateChangesPointsAndBackWindow),
            Check(name: "archivePolicyUpdateRejectsGranularityChanges", run: suite.archivePolicyUpdateRejectsGranularityChanges),
            Check(name: "loweringBackWindowMarksMetricsForTruncation", run: suite.loweringBackWindowMarksMetricsForTruncation),
            Check(name: "archivePolicyInUseCannotBeDeleted", run: suite.archivePolicyInUseCannotBeDeleted),
            Check(name: "hasArchivePoliciesOrRulesReflectsContent", run: suite.hasArchivePoliciesOrRulesReflectsContent),
            Check(name: "archivePolicyRulesRoundTrip", run: suite.archivePolicyRulesRoundTrip),
            Check(name: "archivePolicyRulesAreOrderedByPatternDescending", run: suite.archivePolicyRulesAreOrderedByPatternDescending),
            Check(name: "archivePolicyRuleRename", run: suite.archivePolicyRuleRename),
            Check(name: "archivePolicyRuleMatchingTakesFirstHit", run: suite.archivePolicyRuleMatchingTakesFirstHit),
            Check(name: "metricsRoundTrip", run: suite.metricsRoundTrip),
            Check(name: "metricUniquenessIsEnforced", run: suite.metricUniquenessIsEnforced),
            Check(name: "metricsByIdsIncludeEveryStatus", run: suite.metricsByIdsIncludeEveryStatus),
            Check(name: "listMetricsFilters", run: suite.listMetricsFilters),
            Check(name: "listMetricsSortsWithNullsFirst", run: suite.listMetricsSortsWithNullsFirst),
            Check(name: "listMetricsPaginatesWithMarker", run: suite.listMetricsPaginatesWithMarker),
            Check(name: "listMetricsRejectsInvalidQueries", run: suite.listMetricsRejectsInvalidQueries),
            Check(name: "markMetricDeletedDetachesAndHides", run: suite.markMetricDeletedDetachesAndHides),
            Check(name: "expungeMetricRemovesTheRow", run: suite.expungeMetricRemovesTheRow),
            Check(name: "metricdBookkeepingUpdates", run: suite.metricdBookkeepingUpdates),
            Check(name: "concurrentWritesAllLand", run: suite.concurrentWritesAllLand),
            Check(name: "upgradeIsIdempotent", run: suite.upgradeIsIdempotent),
        ]
    }()
}

/// A conformance check's mismatch: which check, what differed, and where.
public struct ConformanceFailure: Error, CustomStringConvertible {
    /// The check that failed.
    public var check: String
    /// What was expected and what happened.
    public var message: String
    /// Source location of the failed expectation.
    public var file: String
    /// Line of the failed expectation.
    public var line: Int

    public var description: String { "\(check): \(message) (\(file):\(line))" }
}

// MARK: - Expectations

extension IndexConformance {
    func fail(_ message: String, check: String, file: String, line: Int) -> ConformanceFailure {
        ConformanceFailure(check: check, message: message, file: file, line: line)
    }

    func expect(
        _ condition: Bool, _ message: @autoclosure () -> String,
        check: String = #function, file: String = #fileID, line: Int = #line
    ) throws {
        if !condition { throw fail(message(), check: check, file: file, line: line) }
    }

    func expectEqual<T: Equatable>(
        _ actual: T, _ expected: T, _ what: String,
        check: String = #function, file: String = #fileID, line: Int = #line
    ) throws {
        if actual != expected {
            throw fail("\(what): expected \(expected), got \(actual)", check: check, file: file, line: line)
        }
    }

    /// Expects `body` to throw an `IndexError` with `code` (and `message`, when given).
    func expectError(
        _ code: IndexError.Code, message: String? = nil, _ what: String,
        check: String = #function, file: String = #fileID, line: Int = #line,
        _ body: () async throws -> Void
    ) async throws {
        do {
            try await body()
        } catch let error as IndexError {
            if error.code != code {
                throw fail("\(what): expected \(code), got \(error.code) (\(error.message))", check: check, file: file, line: line)
            }
            if let message, error.message != message {
                throw fail("\(what): expected message \"\(message)\", got \"\(error.message)\"", check: check, file: file, line: line)
            }
            return
        } catch {
            throw fail("\(what): expected IndexError \(code), got \(error)", check: check, file: file, line: line)
        }
        throw fail("\(what): expected IndexError \(code), nothing was thrown", check: check, file: file, line: line)
    }
}

// MARK: - Fixtures

extension IndexConformance {
    static let second: Int64 = 1_000_000_000

    /// A policy with the given granularities (seconds) and 10 points each.
    func policy(_ name: String, granularities: [Int64] = [60], backWindow: Int = 0, methods: [String]? = nil) throws -> ArchivePolicy {
        try ArchivePolicy(
            name: name, backWindow: backWindow,
            definition: granularities.map { ArchivePolicyItem(granularity: $0 * Self.second, points: 10) },
            aggregationMethods: methods)
    }

    /// A metric with a fixed id suffix, so that id order is the order of `n`.
    func metric(
        _ n: Int, name: String? = nil, unit: String? = nil, policy: String = "low", creator: String = "user:project",
        resource: UUID? = nil
    ) -> Metric {
        Metric(
            id: Self.id(n), name: name, unit: unit, archivePolicyName: policy, creator: creator, resourceId: resource)
    }

    /// `00000000-0000-0000-0000-<n, 12 hex digits>`.
    static func id(_ n: Int) -> UUID {
        let hex = String(n, radix: 16)
        return UUID(uuidString: "00000000-0000-0000-0000-" + String(repeating: "0", count: 12 - hex.count) + hex)!
    }
}
