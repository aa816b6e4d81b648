import Foundation
import Logging
import NIOPosix

/// The `file` incoming driver: measures are appended to a write-ahead log shared by every sack,
/// and each sack's view is picked out of it when read.
///
/// Layout under `basePath` (format in `docs/storage-format.md`, "Incoming batches"): the number of
/// sacks in `sacks`; the log in `wal/`, one segment `<ns>-<instance>.log` per writer at a time and
/// beside each its marks file `<ns>-<instance>.marks` (the durable end published by the writer, and
/// what consumers consumed); and one directory per sack named as Gnocchi names it,
/// `incoming<total>-<n>/`, where earlier versions wrote batch files (still read and consumed).
///
/// Writes are group-committed: concurrent ``add(_:)`` calls share one flush, which appends one
/// frame to the writer's segment and `fdatasync`s it once, however many sacks it touches; up to
/// two flushes overlap. All file I/O runs on `NIOThreadPool.singleton`.
public final class FileIncomingDriver: IncomingDriver {
    /// The name of the log directory, under the base path.
    static let logDirectoryName = "wal"

    /// The directory holding the sacks.
    public let basePath: String
    /// The number of sacks, read from `<basePath>/sacks` when the driver was created.
    public let sackCount: Int

    private let legacy: LegacyBatchFiles
    private let log: IncomingLogReader
    private let committer: GroupCommitter<[UUID: PendingMeasures]>
    private let threadPool: NIOThreadPool

    /// Opens incoming storage that ``initialize(basePath:sacks:)`` prepared.
    /// - Parameters:
    ///   - basePath: the directory holding the sacks.
    ///   - logger: where damaged files and cleanups are reported.
    /// - Throws: ``IncomingError`` with code `notInitialized` if the storage was never initialized,
    ///   `invalidConfiguration` if its number of sacks is unreadable, `io` if the log directory
    ///   cannot be created.
    public convenience init(basePath: String, logger: Logger) throws {
        try self.init(basePath: basePath, logger: logger, limits: IncomingLogLimits())
    }

    init(basePath: String, logger: Logger, limits: IncomingLogLimits, maxConcurrentFlushes: Int = 2) throws {
        guard let sackCount = try Self.storedSackCount(basePath: basePath) else {
            throw IncomingError(
                code: .notInitialized,
                message: "Incoming storage is not initialized: run `stratus upgrade`",
                path: basePath
            )
        }
        let directory = basePath + "/" + Self.logDirectoryName
        try IncomingFileSystem.makeDirectory(directory)  // storage initialized before the log existed
        let writer = IncomingLogWriter(directory: directory, sackCount: sackCount, limits: limits, logger: logger)
        let threadPool = NIOThreadPool.singleton
        self.basePath = basePath
        self.sackCount = sackCount
        self.legacy = LegacyBatchFiles(basePath: basePath, sackCount: sackCount, logger: logger)
        self.log = IncomingLogReader(directory: directory, sackCount: sackCount, logger: logger)
        self.threadPool = threadPool
        self.committer = GroupCommitter(maxConcurrentFlushes: maxConcurrentFlushes) { items in
            try await threadPool.runIfActive { try writer.append(items) }
        }
    }

    public func add(_ measures: [UUID: PendingMeasures]) async throws {
        var nonEmpty: [UUID: PendingMeasures] = [:]
        for (metric, series) in measures {
            guard series.timestamps.count == series.values.count else {
                throw IncomingError(
                    code: .invalidMeasures,
                    message: "Metric \(metric.uuidString.lowercased()) has \(series.timestamps.count) timestamps but \(series.values.count) values"
                )
            }
            if !series.isEmpty { nonEmpty[metric] = series }
        }
        guard !nonEmpty.isEmpty else { return }
        try await self.committer.submit(nonEmpty)
    }

    public func read(sack: Int) async throws -> SackBatch {
        try self.checkSack(sack)
        let (legacy, log) = (self.legacy, self.log)
        return try await self.threadPool.runIfActive {
            Self.merge(try legacy.read(sack: sack), try log.read(sack: sack))
        }
    }

    public func read(metric: UUID) async throws -> SackBatch {
        let (legacy, log) = (self.legacy, self.log)
        let sack = self.sack(of: metric)
        return try await self.threadPool.runIfActive {
            Self.merge(try legacy.read(sack: sack, only: metric), try log.read(sack: sack, only: metric))
        }
    }

    /// Batch files came before the log: their measures go first.
    private static func merge(_ first: SackBatch, _ second: SackBatch) -> SackBatch {
        var batch = first
        for (metric, series) in second.measures {
            batch.measures[metric, default: PendingMeasures()].append(contentsOf: series)
        }
        batch.handles += second.handles
        return batch
    }

    public func delete(_ handles: [IncomingHandle]) async throws {
        guard !handles.isEmpty else { return }
        var files: [IncomingHandle] = []
        var marks: [(handle: IncomingHandle, segment: String, end: Int)] = []
        for handle in handles {
            try self.checkSack(handle.sack)
            if BatchFileNamer.isBatchFile(handle.key) {
                files.append(handle)
            } else if let (segment, end) = IncomingLogReader.parse(key: handle.key) {
                marks.append((handle, segment, end))
            } else {
                throw IncomingError(code: .io, message: "Not an incoming handle: \(handle.key)", path: self.basePath)
            }
        }
        let (legacy, log) = (self.legacy, self.log)
        try await self.threadPool.runIfActive { [files, marks] in
            if !files.isEmpty { try legacy.delete(files) }
            if !marks.isEmpty { try log.delete(marks) }
        }
    }

    public func backlog() async throws -> Backlog {
        let (legacy, log) = (self.legacy, self.log)
        return try await self.threadPool.runIfActive {
            var perMetric = try legacy.backlog().perMetric
            perMetric.merge(try log.backlog(), uniquingKeysWith: +)
            return Backlog(metrics: perMetric.count, measures: perMetric.values.reduce(0, +), perMetric: perMetric)
        }
    }

    /// Also the driver's housekeeping, as metricd calls it every round: deletes consumed segments
    /// whose writer is gone and stale files left by crashes.
    public func sacksWithMeasures() async throws -> [Int] {
        let (legacy, log) = (self.legacy, self.log)
        return try await self.threadPool.runIfActive {
            try log.removeStaleFiles()
            return Set(try legacy.sacksWithMeasures() + log.sacksWithRecords()).sorted()
        }
    }

    private func checkSack(_ sack: Int) throws {
        guard (0..<self.sackCount).contains(sack) else {
            throw IncomingError(code: .invalidSack, message: "No sack \(sack) among \(self.sackCount) sacks", path: self.basePath)
        }
    }
}
