import Foundation
import Logging
import NIOPosix

/// The `file` incoming driver: sacks are directories of immutable batch files.
///
/// Layout under `basePath`: the number of sacks in `sacks`, and one directory per sack named as
/// Gnocchi names it, `incoming<total>-<n>/`, holding batch files `<ns>-<instance>.batch` (format in
/// `docs/storage-format.md`, "Incoming batches") and, while they are written, `.tmp-*` files.
///
/// Writes are group-committed: concurrent ``add(_:)`` calls share one flush, which writes one new
/// file per sack touched, fsyncs it, renames it into place and fsyncs the sack directories. All
/// file I/O runs on `NIOThreadPool.singleton`.
public final class FileIncomingDriver: IncomingDriver {
    /// The directory holding the sacks.
    public let basePath: String
    /// The number of sacks, read from `<basePath>/sacks` when the driver was created.
    public let sackCount: Int

    private let store: FileIncomingStore
    private let committer: GroupCommitter<[UUID: PendingMeasures]>
    private let threadPool: NIOThreadPool

    /// Opens incoming storage that ``initialize(basePath:sacks:)`` prepared.
    /// - Parameters:
    ///   - basePath: the directory holding the sacks.
    ///   - logger: where damaged files and cleanups are reported.
    /// - Throws: ``IncomingError`` with code `notInitialized` if the storage was never initialized,
    ///   `invalidConfiguration` if its number of sacks is unreadable.
    public init(basePath: String, logger: Logger) throws {
        guard let sackCount = try Self.storedSackCount(basePath: basePath) else {
            throw IncomingError(
                code: .notInitialized,
                message: "Incoming storage is not initialized: run `stratus upgrade`",
                path: basePath
            )
        }
        let store = FileIncomingStore(basePath: basePath, sackCount: sackCount, logger: logger, namer: BatchFileNamer())
        let threadPool = NIOThreadPool.singleton
        self.basePath = basePath
        self.sackCount = sackCount
        self.store = store
        self.threadPool = threadPool
        self.committer = GroupCommitter { items in
            try await threadPool.runIfActive { try store.write(items) }
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
        let store = self.store
        return try await self.threadPool.runIfActive { try store.read(sack: sack) }
    }

    public func read(metric: UUID) async throws -> SackBatch {
        let store = self.store
        let sack = self.sack(of: metric)
        return try await self.threadPool.runIfActive { try store.read(sack: sack, only: metric) }
    }

    public func delete(_ handles: [IncomingHandle]) async throws {
        guard !handles.isEmpty else { return }
        let store = self.store
        try await self.threadPool.runIfActive { try store.delete(handles) }
    }

    public func backlog() async throws -> Backlog {
        let store = self.store
        return try await self.threadPool.runIfActive { try store.backlog() }
    }

    public func sacksWithMeasures() async throws -> [Int] {
        let store = self.store
        return try await self.threadPool.runIfActive { try store.sacksWithMeasures() }
    }

    private func checkSack(_ sack: Int) throws {
        guard (0..<self.sackCount).contains(sack) else {
            throw IncomingError(code: .invalidSack, message: "No sack \(sack) among \(self.sackCount) sacks", path: self.basePath)
        }
    }
}
