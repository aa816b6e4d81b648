import Carbonara
import Foundation
import StratusIndex
import StratusStorage
import StratusTesting
import Testing

/// The process "dies" here: a stand-in for a crash after the sack was stored but before incoming was deleted.
struct SimulatedCrash: Error {}

/// An incoming driver whose `delete` fails as a crash would, without deleting anything.
struct CrashBeforeDeleteIncoming: IncomingDriver {
    let base: any IncomingDriver

    var sackCount: Int { base.sackCount }
    func add(_ measures: [UUID: PendingMeasures]) async throws { try await base.add(measures) }
    func read(sack: Int) async throws -> SackBatch { try await base.read(sack: sack) }
    func read(metric: UUID) async throws -> SackBatch { try await base.read(metric: metric) }
    func delete(_ handles: [IncomingHandle]) async throws {
        if !handles.isEmpty { throw SimulatedCrash() }
    }
    func backlog() async throws -> Backlog { try await base.backlog() }
    func sacksWithMeasures() async throws -> [Int] { try await base.sacksWithMeasures() }
}

@Suite("Sack processing: crash between storing and deleting incoming")
struct SackProcessorCrashTests {
    typealias D = SackTestData

    private func crashingProcessor(_ fixture: TimeSeriesCoreFixture) -> SackProcessor {
        SackProcessor(
            incoming: CrashBeforeDeleteIncoming(base: fixture.incoming), storage: fixture.storage,
            indexer: fixture.indexer, logger: fixture.logs.logger)
    }

    @Test func theNextRoundDeletesWhatTheCrashedRoundConsumedWithoutCountingItAgain() async throws {
        try await TimeSeriesCoreFixture.with(sacks: 1) { fixture in
            let policy = try D.countingPolicy()
            let metric = try await fixture.createMetric(policy: policy)
            try await D.postSeconds(fixture, metric.id, from: 0, count: 30)

            await #expect(throws: SimulatedCrash.self) { _ = try await crashingProcessor(fixture).process(sack: 0) }
            // The aggregates are stored, the consumed data recorded with them, and incoming still holds it.
            let stored = try await fixture.storage.load(sack: 0)
            #expect(!stored.consumed.isEmpty)
            #expect(try await D.countTotal(fixture, metric, policy) == 30)
            #expect(try await fixture.incoming.backlog().measures == 30)

            try await D.postSeconds(fixture, metric.id, from: 30, count: 5)
            let report = try #require(try await fixture.processor.process(sack: 0))
            #expect(report.measures == 5, "the 30 measures of the crashed round must not be read again")
            #expect(report.metrics == 1)
            #expect(try await D.countTotal(fixture, metric, policy) == 35)
            let sum = try await fixture.aggregate(metric, policy: policy, method: "sum", granularity: 10 * D.second)
            #expect(sum.values.reduce(0, +) == 35)
            #expect(try await fixture.incoming.backlog() == Backlog())

            // A further round finds nothing and changes nothing.
            let idle = try #require(try await fixture.processor.process(sack: 0))
            #expect(idle.measures == 0)
            #expect(try await D.countTotal(fixture, metric, policy) == 35)
        }
    }

    @Test func aCrashedRoundWithNothingNewLeavesNothingToReprocess() async throws {
        try await TimeSeriesCoreFixture.with(sacks: 1) { fixture in
            let policy = try D.countingPolicy()
            let metric = try await fixture.createMetric(policy: policy)
            try await D.postSeconds(fixture, metric.id, from: 0, count: 12)
            await #expect(throws: SimulatedCrash.self) { _ = try await crashingProcessor(fixture).process(sack: 0) }

            let report = try #require(try await fixture.processor.process(sack: 0))
            #expect(report.measures == 0)
            #expect(try await fixture.incoming.backlog() == Backlog())
            #expect(try await fixture.incoming.sacksWithMeasures() == [])
            #expect(try await D.countTotal(fixture, metric, policy) == 12)
        }
    }

    @Test func aCrashedRefreshDeletesOnlyThatMetricsRecordsNextTime() async throws {
        try await TimeSeriesCoreFixture.with(sacks: 1) { fixture in
            let policy = try D.countingPolicy()
            let refreshed = try await fixture.createMetric(policy: policy)
            let other = try await fixture.createMetric(policy: policy)
            try await fixture.incoming.add([
                refreshed.id: PendingMeasures(timestamps: (0..<10).map { D.at($0) }, values: Array(repeating: 1, count: 10)),
                other.id: PendingMeasures(timestamps: (0..<7).map { D.at($0) }, values: Array(repeating: 1, count: 7)),
            ])
            await #expect(throws: SimulatedCrash.self) {
                try await crashingProcessor(fixture).process(metric: refreshed.id, timeout: D.second)
            }
            #expect(try await D.countTotal(fixture, refreshed, policy) == 10)
            #expect(try await fixture.incoming.backlog().perMetric == [refreshed.id: 10, other.id: 7])

            let report = try #require(try await fixture.processor.process(sack: 0))
            #expect(report.measures == 7, "only the other metric's measures are new")
            #expect(try await D.countTotal(fixture, refreshed, policy) == 10)
            #expect(try await D.countTotal(fixture, other, policy) == 7)
            #expect(try await fixture.incoming.backlog() == Backlog())
        }
    }

    @Test func consumedHandlesStoredByHandAreDeletedBeforeReading() async throws {
        try await TimeSeriesCoreFixture.with(sacks: 1) { fixture in
            let policy = try D.countingPolicy()
            let metric = try await fixture.createMetric(policy: policy)
            try await D.postSeconds(fixture, metric.id, from: 0, count: 8)
            // As if a round had aggregated (and stored) these measures, then died.
            let batch = try await fixture.incoming.read(sack: 0)
            var contents = try await fixture.storage.load(sack: 0)
            contents.consumed = batch.handles
            try await fixture.storage.store(sack: 0, contents)
            try await D.postSeconds(fixture, metric.id, from: 8, count: 3)

            let report = try #require(try await fixture.processor.process(sack: 0))
            #expect(report.measures == 3)
            #expect(try await D.countTotal(fixture, metric, policy) == 3)
            #expect(try await fixture.incoming.backlog() == Backlog())
        }
    }

    @Test func janitorKeepsTheConsumedListOfACrashedRound() async throws {
        try await TimeSeriesCoreFixture.with(sacks: 1) { fixture in
            let policy = try D.countingPolicy()
            let kept = try await fixture.createMetric(policy: policy)
            let doomed = try await fixture.createMetric(policy: policy)
            try await D.postSeconds(fixture, kept.id, from: 0, count: 6)
            await #expect(throws: SimulatedCrash.self) { _ = try await crashingProcessor(fixture).process(sack: 0) }
            try await fixture.indexer.markMetricDeleted(id: doomed.id)
            #expect(try await fixture.processor.expungeDeletedMetrics(batchSize: 10) == 1)

            let report = try #require(try await fixture.processor.process(sack: 0))
            #expect(report.measures == 0)
            #expect(try await D.countTotal(fixture, kept, policy) == 6)
            #expect(try await fixture.incoming.backlog() == Backlog())
        }
    }
}
