import Carbonara
import Foundation
import StratusIndex
import StratusStorage
import StratusTesting
import Synchronization
import Testing

/// Counts the holders of every sack lock across storage drivers: a holder is counted from just after the
/// underlying lock was taken until just before it is released, so any overlap is a real one.
final class SackLockLedger: Sendable {
    private let state = Mutex<(holders: [Int: Int], maximum: Int, acquisitions: Int, refusals: Int)>(([:], 0, 0, 0))

    var maximumHolders: Int { state.withLock { $0.maximum } }
    var acquisitions: Int { state.withLock { $0.acquisitions } }
    var refusals: Int { state.withLock { $0.refusals } }

    func acquired(_ sack: Int) {
        state.withLock {
            $0.holders[sack, default: 0] += 1
            $0.maximum = max($0.maximum, $0.holders[sack]!)
            $0.acquisitions += 1
        }
    }

    func refused() { state.withLock { $0.refusals += 1 } }

    func released(_ sack: Int) { state.withLock { $0.holders[sack, default: 0] -= 1 } }
}

/// A storage driver recording every lock it hands out in a ledger.
struct LedgerStorage: StorageDriver {
    let base: any StorageDriver
    let ledger: SackLockLedger

    final class Lock: SackLock {
        let inner: any SackLock
        let sack: Int
        let ledger: SackLockLedger
        private let released = Atomic<Bool>(false)

        init(inner: any SackLock, sack: Int, ledger: SackLockLedger) {
            self.inner = inner
            self.sack = sack
            self.ledger = ledger
        }

        func unlock() {
            guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
            ledger.released(sack)
            inner.unlock()
        }
    }

    func load(sack: Int) async throws -> SackContents { try await base.load(sack: sack) }
    func store(sack: Int, _ contents: SackContents) async throws { try await base.store(sack: sack, contents) }
    func read(metric: UUID, sack: Int) async throws -> StoredMetric? { try await base.read(metric: metric, sack: sack) }
    func diskUsage() throws -> Int { try base.diskUsage() }
    func location(sack: Int) -> String { base.location(sack: sack) }

    func tryLock(sack: Int) throws -> (any SackLock)? {
        guard let lock = try base.tryLock(sack: sack) else {
            ledger.refused()
            return nil
        }
        ledger.acquired(sack)
        return Lock(inner: lock, sack: sack, ledger: ledger)
    }
}

@Suite("Sack processing: sack locks")
struct SackProcessorLockTests {
    typealias D = SackTestData

    @Test func aSackLockExcludesEveryOtherHolderUntilReleased() async throws {
        try await TimeSeriesCoreFixture.with(sacks: 2) { fixture in
            let other = try FileStorageDriver(basePath: fixture.dataDirectory + "/storage", logger: fixture.logs.logger)
            let held = try #require(try fixture.storage.tryLock(sack: 0))
            #expect(try other.tryLock(sack: 0) == nil, "another driver (another process) is refused")
            #expect(try fixture.storage.tryLock(sack: 0) == nil, "the same driver is refused too")
            let sackOne = try #require(try other.tryLock(sack: 1), "other sacks stay free")
            sackOne.unlock()
            held.unlock()
            held.unlock()  // releasing twice is harmless
            let taken = try #require(try other.tryLock(sack: 0))
            #expect(try fixture.storage.tryLock(sack: 0) == nil)
            taken.unlock()
        }
    }

    @Test func processingALockedSackIsSkippedAndRefreshTimesOut() async throws {
        try await TimeSeriesCoreFixture.with(sacks: 1) { fixture in
            let policy = try D.countingPolicy()
            let metric = try await fixture.createMetric(policy: policy)
            try await D.postSeconds(fixture, metric.id, from: 0, count: 3)
            let other = try FileStorageDriver(basePath: fixture.dataDirectory + "/storage", logger: fixture.logs.logger)
            let held = try #require(try other.tryLock(sack: 0))

            #expect(try await fixture.processor.process(sack: 0) == nil)
            let start = ContinuousClock.now
            await #expect {
                try await fixture.processor.process(metric: metric.id, timeout: 100_000_000)
            } throws: { error in
                (error as? StorageError)?.code == .lockTimeout
            }
            #expect(ContinuousClock.now - start >= .milliseconds(100))
            #expect(try await fixture.incoming.backlog().measures == 3)

            // Released while a refresh waits: the refresh proceeds.
            let waiter = Task { try await fixture.processor.process(metric: metric.id, timeout: 10 * D.second) }
            try await Task.sleep(for: .milliseconds(50))
            held.unlock()
            try await waiter.value
            #expect(try await D.countTotal(fixture, metric, policy) == 3)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func twoProcessorsOnTheSameSacksNeverHoldALockTogether() async throws {
        try await TimeSeriesCoreFixture.with(sacks: 2) { fixture in
            let policy = try D.countingPolicy()
            var created = [Metric]()
            for sack in [0, 0, 1] {
                created.append(try await fixture.createMetric(policy: policy, id: fixture.metricId(inSack: sack)))
            }
            let metrics = created
            // A second core on the same directory, as a second metricd process would open it.
            let second = try await fixture.openAnother()
            let ledger = SackLockLedger()
            let processors = [fixture.core, second].map { core in
                SackProcessor(
                    incoming: core.incoming, storage: LedgerStorage(base: core.storage, ledger: ledger),
                    indexer: core.indexer, logger: fixture.logs.logger)
            }
            let rounds = 40, perRound = 5
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for round in 0..<rounds {
                            var measures = [UUID: PendingMeasures]()
                            for metric in metrics {
                                let seconds = (round * perRound)..<((round + 1) * perRound)
                                measures[metric.id] = PendingMeasures(
                                    timestamps: seconds.map { D.at($0) }, values: Array(repeating: 1, count: perRound))
                            }
                            try await fixture.incoming.add(measures)
                        }
                    }
                    for (index, processor) in processors.enumerated() {
                        for worker in 0..<3 {
                            group.addTask {
                                for iteration in 0..<rounds {
                                    if (iteration + worker) % 4 == 0 {
                                        let metric = metrics[(iteration + index) % metrics.count]
                                        try await processor.process(metric: metric.id, timeout: 30 * D.second)
                                    } else {
                                        _ = try await processor.process(sack: (iteration + worker + index) % 2)
                                    }
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            } catch {
                try? await second.indexer.close()
                throw error
            }
            try? await second.indexer.close()
            try await fixture.drain()

            #expect(ledger.maximumHolders == 1)
            #expect(ledger.acquisitions > 0)
            for metric in metrics {
                #expect(try await D.countTotal(fixture, metric, policy) == rounds * perRound)
            }
            #expect(try await fixture.incoming.backlog() == Backlog())
        }
    }
}
