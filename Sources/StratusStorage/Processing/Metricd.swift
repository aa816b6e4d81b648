import Foundation
import Logging
import ServiceLifecycle
import StratusCore
import Synchronization

/// Wakes metricd early when measures arrive in the same process (greedy processing), instead of waiting
/// for `metric_processing_delay`.
public final class MetricdWakeup: Sendable {
    private let pending = Atomic<Bool>(false)

    public init() {}

    /// Asks metricd to look at the sacks now.
    public func signal() { pending.store(true, ordering: .releasing) }

    /// Whether a signal arrived since the last call, clearing it.
    func take() -> Bool { pending.exchange(false, ordering: .acquiringAndReleasing) }
}

/// Gnocchi's metricd as a Service: a scheduler handing sacks with measures to `workers` concurrent
/// processors, a janitor expunging deleted metrics, and a reporter logging the backlog.
public struct Metricd: Service {
    public let processor: SackProcessor
    public let configuration: MetricdConfiguration
    public let wakeup: MetricdWakeup?
    private let statistics: MetricdStatistics

    public init(processor: SackProcessor, configuration: MetricdConfiguration, wakeup: MetricdWakeup? = nil, statistics: MetricdStatistics = MetricdStatistics()) {
        self.processor = processor
        self.configuration = configuration
        self.wakeup = wakeup
        self.statistics = statistics
    }

    public func run() async throws {
        let logger = processor.logger
        logger.info("metricd started", metadata: ["workers": "\(configuration.workers)"])
        // Sleeping loops end promptly on SIGTERM: graceful shutdown cancels them between rounds.
        try await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.processingLoop() }
                group.addTask { await self.periodic(every: self.configuration.metricCleanupDelay, name: "janitor") { try await self.cleanup() } }
                if self.configuration.metricReportingDelay > 0 {
                    group.addTask { await self.periodic(every: self.configuration.metricReportingDelay, name: "reporter") { try await self.report() } }
                }
                await group.waitForAll()
            }
        }
        logger.info("metricd stopped")
    }

    /// Processes every sack with measures until none is left, `workers` sacks at a time.
    /// - Returns: what was processed.
    @discardableResult
    public func drain() async throws -> ProcessingReport {
        var total = ProcessingReport()
        let sacks = try await processor.incoming.sacksWithMeasures()
        let workers = max(1, configuration.workers)
        // A sack that fails is logged and left for the next round; the other sacks go on being processed.
        await withTaskGroup(of: ProcessingReport?.self) { group in
            var next = 0
            func start(_ sack: Int) {
                group.addTask {
                    do {
                        return try await self.processor.process(sack: sack)
                    } catch {
                        self.processor.logger.error("Processing of a sack failed, will retry", metadata: ["sack": "\(sack)", "error": "\(error)"])
                        return nil
                    }
                }
            }
            while next < min(workers, sacks.count) { start(sacks[next]); next += 1 }
            while let result = await group.next() {
                if let report = result { total.add(report) }
                if next < sacks.count { start(sacks[next]); next += 1 }
            }
        }
        statistics.record(total)
        return total
    }

    /// The shortest time between the starts of two processing rounds while measures keep arriving.
    ///
    /// Every round pays a fixed cost per sack it touches (catching up with the incoming log, loading and
    /// replacing the sack's pack, the index lookups, the consumption marks and their fsync), whatever the
    /// number of measures. Back to back during a burst of writes, rounds are small and that cost dominates:
    /// measured on `bench/api_load.py`'s ingest, metricd then took about a third of the all-in-one process's
    /// CPU. Spacing rounds lets each one take what arrived meanwhile, at the price of at most this much
    /// extra delay before new measures are aggregated.
    public static let minimumRoundSpacing: Duration = .milliseconds(500)

    private func processingLoop() async {
        let logger = processor.logger
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let started = ContinuousClock.now
                let report = try await drain()
                if report.measures > 0 {
                    try? await Task.sleep(until: started + Self.minimumRoundSpacing, clock: .continuous)
                    continue
                }
            } catch {
                logger.error("Processing failed, will retry", metadata: ["error": "\(error)"])
            }
            await waitForWork()
        }
    }

    /// Sleeps until the processing delay has passed or a writer in this process signalled new measures.
    private func waitForWork() async {
        let deadline = ContinuousClock.now + .nanoseconds(configuration.metricProcessingDelay)
        while ContinuousClock.now < deadline && !Task.isCancelled && !Task.isShuttingDownGracefully {
            if wakeup?.take() == true { return }
            try? await Task.sleep(for: .milliseconds(min(100, max(1, configuration.metricProcessingDelay / 1_000_000))))
        }
    }

    private func periodic(every delay: Int64, name: String, _ body: () async throws -> Void) async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do { try await body() } catch {
                processor.logger.error("Periodic task failed", metadata: ["task": "\(name)", "error": "\(error)"])
            }
            try? await Task.sleep(for: .nanoseconds(max(delay, 1_000_000)))
        }
    }

    private func cleanup() async throws {
        while try await processor.expungeDeletedMetrics(batchSize: configuration.cleanupBatchSize) >= configuration.cleanupBatchSize {}
    }

    private func report() async throws {
        let backlog = try await processor.incoming.backlog()
        processor.logger.info("Backlog", metadata: [
            "backlog.metrics": "\(backlog.metrics)", "backlog.measures": "\(backlog.measures)",
        ])
    }
}

extension ProcessingReport {
    mutating func add(_ other: ProcessingReport) {
        metrics += other.metrics
        measures += other.measures
        dropped += other.dropped
        discarded += other.discarded
    }
}

/// Counters of what metricd processed, for the status endpoint and `/metrics`.
public final class MetricdStatistics: Sendable {
    private let state = Mutex(ProcessingReport())

    public init() {}

    func record(_ report: ProcessingReport) {
        state.withLock { $0.add(report) }
    }

    /// Totals since start.
    public var totals: ProcessingReport { state.withLock { $0 } }
}
