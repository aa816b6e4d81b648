/// The `[metricd]` section: the metric processing daemon.
public struct MetricdConfiguration: Sendable, Hashable {
    /// The options of `[metricd]`.
    public static let keys: Set<String> = [
        "workers", "metric_processing_delay", "metric_reporting_delay", "metric_cleanup_delay",
        "cleanup_batch_size", "greedy",
    ]

    /// Number of processing workers (≥ 1); default: the number of CPUs.
    public var workers: Int
    /// Time between two scheduling passes over the sacks, in nanoseconds (default 60 s).
    public var metricProcessingDelay: Int64
    /// Time between two reports of the backlog size, in nanoseconds (default 120 s); negative
    /// disables reporting (Gnocchi's `-1`).
    public var metricReportingDelay: Int64
    /// Time between two janitor passes deleting metrics marked for deletion, in nanoseconds
    /// (default 300 s).
    public var metricCleanupDelay: Int64
    /// Number of metrics one janitor pass deletes at most (≥ 1, default 10 000).
    public var cleanupBatchSize: Int
    /// Whether new measures wake processing before `metricProcessingDelay` elapses (default true).
    public var greedy: Bool

    /// Creates a configuration with Gnocchi's defaults.
    public init(
        workers: Int = SystemInfo.processorCount,
        metricProcessingDelay: Int64 = 60 * Timestamps.nanosecondsPerSecond,
        metricReportingDelay: Int64 = 120 * Timestamps.nanosecondsPerSecond,
        metricCleanupDelay: Int64 = 300 * Timestamps.nanosecondsPerSecond,
        cleanupBatchSize: Int = 10_000,
        greedy: Bool = true
    ) {
        self.workers = workers
        self.metricProcessingDelay = metricProcessingDelay
        self.metricReportingDelay = metricReportingDelay
        self.metricCleanupDelay = metricCleanupDelay
        self.cleanupBatchSize = cleanupBatchSize
        self.greedy = greedy
    }

    /// Reads `[metricd]`.
    /// - Throws: `ConfigurationError` for unknown options, values of the wrong type or out of range.
    public init(_ section: ConfigurationSection) throws(ConfigurationError) {
        try section.checkKnownKeys(Self.keys)
        let workers = try section.int("workers", default: SystemInfo.processorCount)
        guard workers >= 1 else {
            throw section.error("workers", "metricd.workers must be at least 1, got \(workers)")
        }
        let processingDelay = try section.duration("metric_processing_delay", default: 60)
        guard processingDelay > 0 else {
            throw section.error("metric_processing_delay", "metricd.metric_processing_delay must be positive")
        }
        let reportingDelay = try section.duration("metric_reporting_delay", default: 120)
        guard reportingDelay != 0 else {
            throw section.error(
                "metric_reporting_delay", "metricd.metric_reporting_delay must be positive, or negative to disable reporting")
        }
        let cleanupDelay = try section.duration("metric_cleanup_delay", default: 300)
        guard cleanupDelay > 0 else {
            throw section.error("metric_cleanup_delay", "metricd.metric_cleanup_delay must be positive")
        }
        let batchSize = try section.int("cleanup_batch_size", default: 10_000)
        guard batchSize >= 1 else {
            throw section.error("cleanup_batch_size", "metricd.cleanup_batch_size must be at least 1, got \(batchSize)")
        }
        self.init(
            workers: workers,
            metricProcessingDelay: processingDelay,
            metricReportingDelay: reportingDelay,
            metricCleanupDelay: cleanupDelay,
            cleanupBatchSize: batchSize,
            greedy: try section.bool("greedy", default: true))
    }
}
