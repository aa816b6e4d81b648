import Logging
import StratusCore

/// Serialises everything that touches a ``PipelineManager``: batches from concurrent requests,
/// the retention-time flush and the reload check run one after another, never interleaved
/// (transformers keep per-resource state, and a publisher call suspends the manager).
///
/// Batches waiting while the pipeline is busy are merged, up to `batchSize` samples, into one
/// run: many small batches cost one pass. ``submit(_:)`` returns once its samples have been
/// handed to every sink's publishers — the moment the HTTP listener acknowledges the batch.
public actor PipelineQueue {
    private enum Job {
        case samples([Sample], CheckedContinuation<Void, Never>)
        case flush
        case reload
    }

    private let manager: PipelineManager
    private let batchSize: Int
    private let metrics: NotificationMetrics
    private let logger: Logger
    private var pending: [Job] = []
    private var wakeup: CheckedContinuation<Void, Never>?
    private var stopped = false

    /// Creates a queue in front of `manager`; nothing runs until ``run()``.
    public init(manager: PipelineManager, batchSize: Int = 10_000, metrics: NotificationMetrics = NotificationMetrics(), logger: Logger) {
        self.manager = manager
        self.batchSize = max(1, batchSize)
        self.metrics = metrics
        self.logger = logger
    }

    /// Runs `samples` through the pipeline; returns when every sink has handed them to its publishers.
    /// After ``run()`` has ended, the samples are processed at once by the caller.
    public func submit(_ samples: [Sample]) async {
        guard !samples.isEmpty else { return }
        if stopped {
            await process(samples)
            return
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            pending.append(.samples(samples, continuation))
            signal()
        }
    }

    /// Asks for a flush of transformers with a retention time (the timer's tick).
    public func requestFlush() {
        guard !pending.contains(where: { if case .flush = $0 { true } else { false } }) else { return }
        pending.append(.flush)
        signal()
    }

    /// Asks for a check of pipeline.yaml (the reload timer's tick).
    public func requestReload() {
        guard !pending.contains(where: { if case .reload = $0 { true } else { false } }) else { return }
        pending.append(.reload)
        signal()
    }

    private func signal() {
        if let wakeup {
            self.wakeup = nil
            wakeup.resume()
        }
    }

    /// Processes jobs until the task is cancelled; jobs already queued then are still processed.
    public func run() async {
        while true {
            if pending.isEmpty {
                if Task.isCancelled { break }
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        if pending.isEmpty && !Task.isCancelled { wakeup = continuation } else { continuation.resume() }
                    }
                } onCancel: {
                    Task { await self.signal() }
                }
                continue
            }
            let job = pending.removeFirst()
            switch job {
            case .flush:
                record(await manager.flush())
            case .reload:
                switch await manager.reloadIfChanged() {
                case .unchanged: break
                case .reloaded: metrics.update { $0.reloads += 1 }
                case .rejected: metrics.update { $0.rejectedReloads += 1 }
                }
            case .samples(let first, let continuation):
                var samples = first
                var waiting = [continuation]
                // Merge the batches queued behind this one, in arrival order, up to batchSize.
                while case .samples(let next, let other)? = pending.first, samples.count + next.count <= batchSize {
                    pending.removeFirst()
                    samples += next
                    waiting.append(other)
                }
                await process(samples)
                for continuation in waiting { continuation.resume() }
            }
        }
        stopped = true
        // Publishers that deliver in the background (gnocchi://) get a bounded time to empty their queues.
        if await !manager.drainAndClosePublishers(timeout: Self.drainTimeout) {
            logger.warning("Publishers still had samples queued at shutdown", metadata: ["timeout": .string("\(Self.drainTimeout)")])
        }
    }

    /// How long shutdown waits for background publishers.
    static let drainTimeout: Duration = .seconds(10)

    private func process(_ samples: [Sample]) async {
        record(await manager.process(samples))
    }

    private func record(_ report: PipelineManager.BatchReport) {
        guard report != PipelineManager.BatchReport() else { return }
        metrics.update {
            $0.invalidVolume += report.invalidVolume
            $0.published += report.published
            $0.publisherFailures += report.publisherFailures
        }
    }
}
