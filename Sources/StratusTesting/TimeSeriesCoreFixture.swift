import Carbonara
import Foundation
import Logging
import StratusCore
import StratusIndex
import StratusStorage
import Synchronization

/// An upgraded time-series core (SQLite index, file incoming sacks, file storage) over a fresh temporary
/// data directory, wired exactly as the roles wire it (`TimeSeriesCore.upgrade` then `open`), for tests.
///
/// Every log entry of the core is kept in ``logs``. Call ``close()`` when done, or use
/// ``with(sacks:overrides:_:)``, which always cleans up.
public struct TimeSeriesCoreFixture: Sendable {
    /// The temporary data directory.
    public let directory: TemporaryDirectory
    /// The configuration the core was built from (embedded defaults plus the overrides).
    public let configuration: ConfigurationFile
    /// The core.
    public let core: TimeSeriesCore
    /// Everything the core logged.
    public let logs: LogRecorder

    /// The data directory path.
    public var dataDirectory: String { directory.path }
    /// The core's index.
    public var indexer: any Indexer { core.indexer }
    /// The core's incoming driver.
    public var incoming: any IncomingDriver { core.incoming }
    /// The core's storage driver.
    public var storage: any StorageDriver { core.storage }
    /// The core's sack processor.
    public var processor: SackProcessor { core.processor }
    /// A reader of the stored aggregates.
    public var reader: MeasuresReader { MeasuresReader(storage: core.storage, incoming: core.incoming, logger: logs.logger) }
    /// Where the storage keeps a sack (for the file driver, its pack file `<storage>/sack-<n>.pack`).
    public func packPath(sack: Int) -> String { core.storage.location(sack: sack) }

    /// Creates a temporary data directory and upgrades and opens a core in it.
    /// - Parameters:
    ///   - sacks: the number of incoming sacks.
    ///   - createDefaults: whether `upgrade` creates the default archive policies and rule.
    ///   - overrides: configuration overrides, `section.key=value`.
    /// - Throws: configuration, index or driver errors (the directory is removed then).
    public static func make(sacks: Int = 8, createDefaults: Bool = true, overrides: [String] = []) async throws -> TimeSeriesCoreFixture {
        let directory = try TemporaryDirectory(prefix: "stratus-core")
        do {
            let logs = LogRecorder()
            let configuration = try ConfigurationFile.load(path: nil, environment: [:], overrides: overrides)
            try await TimeSeriesCore.upgrade(
                configuration: configuration, dataDirectory: directory.path, sacks: sacks,
                createDefaults: createDefaults, logger: logs.logger)
            let core = try await TimeSeriesCore.open(configuration: configuration, dataDirectory: directory.path, logger: logs.logger)
            return TimeSeriesCoreFixture(directory: directory, configuration: configuration, core: core, logs: logs)
        } catch {
            directory.remove()
            throw error
        }
    }

    /// Runs `body` with a fresh fixture and cleans it up afterwards, even when `body` throws.
    public static func with<T>(
        sacks: Int = 8,
        createDefaults: Bool = true,
        overrides: [String] = [],
        isolation: isolated (any Actor)? = #isolation,
        _ body: (TimeSeriesCoreFixture) async throws -> T
    ) async throws -> T {
        let fixture = try await make(sacks: sacks, createDefaults: createDefaults, overrides: overrides)
        do {
            let result = try await body(fixture)
            await fixture.close()
            return result
        } catch {
            await fixture.close()
            throw error
        }
    }

    /// Opens a second core on the same data directory, as another process would see it; close its index when done.
    /// - Parameter logger: where the second core logs (by default into ``logs``).
    public func openAnother(logger: Logger? = nil) async throws -> TimeSeriesCore {
        try await TimeSeriesCore.open(configuration: configuration, dataDirectory: dataDirectory, logger: logger ?? logs.logger)
    }

    /// Creates an archive policy unless one of that name exists.
    public func ensurePolicy(_ policy: ArchivePolicy) async throws {
        if try await indexer.archivePolicy(named: policy.name) == nil {
            try await indexer.createArchivePolicy(policy)
        }
    }

    /// Creates an active metric with the named (existing) archive policy.
    /// - Parameter id: the metric id, random by default.
    @discardableResult
    public func createMetric(policy: String, id: UUID = UUID(), name: String? = nil) async throws -> Metric {
        let metric = Metric(id: id, name: name, archivePolicyName: policy, creator: "test:test")
        try await indexer.createMetric(metric)
        return metric
    }

    /// Creates an active metric with `policy`, creating the policy first if needed.
    @discardableResult
    public func createMetric(policy: ArchivePolicy, id: UUID = UUID()) async throws -> Metric {
        try await ensurePolicy(policy)
        return try await createMetric(policy: policy.name, id: id)
    }

    /// A random metric id that falls in `sack`.
    public func metricId(inSack sack: Int) -> UUID {
        while true {
            let id = UUID()
            if incoming.sack(of: id) == sack { return id }
        }
    }

    /// Posts measures of one metric (timestamps in nanoseconds).
    public func post(_ metric: UUID, timestamps: [Int64], values: [Double]) async throws {
        try await incoming.add([metric: PendingMeasures(timestamps: timestamps, values: values)])
    }

    /// Processes every sack with measures once, as one metricd pass does.
    @discardableResult
    public func drain(workers: Int = 2) async throws -> ProcessingReport {
        var configuration = core.metricd
        configuration.workers = workers
        return try await Metricd(processor: processor, configuration: configuration).drain()
    }

    /// The visible points of one aggregate of a metric (one granularity).
    public func aggregate(_ metric: Metric, policy: ArchivePolicy, method: String, granularity: Int64) async throws -> TimeSeries {
        guard let method = AggregationMethod(method) else { preconditionFailure("unknown aggregation method \(method)") }
        let result = try await reader.measures(of: metric, policy: policy, method: method, granularities: [granularity])
        return result.first?.series ?? TimeSeries()
    }

    /// Closes the index and removes the data directory.
    public func close() async {
        try? await core.indexer.close()
        directory.remove()
    }
}

extension TimeSeriesCoreFixture {
    /// A log handler keeping every entry (all levels), shared by every logger it makes.
    public final class LogRecorder: LogHandler, Sendable {
        /// One logged entry.
        public struct Entry: Sendable, CustomStringConvertible {
            public var level: Logger.Level
            public var message: String
            public var metadata: Logger.Metadata

            public var description: String {
                let data = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                return "\(level) \(message) \(data)"
            }
        }

        private let state = Mutex<(entries: [Entry], metadata: Logger.Metadata, level: Logger.Level)>(([], [:], .trace))

        public init() {}

        /// Every entry so far, in order.
        public var entries: [Entry] { state.withLock { $0.entries } }

        /// The entries whose message or metadata mention `text`.
        public func entries(mentioning text: String) -> [Entry] {
            entries.filter { $0.description.contains(text) }
        }

        /// A logger writing into this recorder.
        public var logger: Logger {
            var logger = Logger(label: "stratus.test", factory: { _ in self })
            logger.logLevel = .trace
            return logger
        }

        public var metadata: Logger.Metadata {
            get { state.withLock { $0.metadata } }
            set { state.withLock { $0.metadata = newValue } }
        }

        public var logLevel: Logger.Level {
            get { state.withLock { $0.level } }
            set { state.withLock { $0.level = newValue } }
        }

        public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        public func log(event: LogEvent) {
            state.withLock {
                $0.entries.append(Entry(level: event.level, message: "\(event.message)", metadata: $0.metadata.merging(event.metadata ?? [:]) { $1 }))
            }
        }
    }
}
