import Carbonara
import Foundation
import Logging
import StratusIndex

/// What one processing round did.
public struct ProcessingReport: Sendable {
    /// Metrics whose measures were aggregated.
    public var metrics = 0
    /// Measures read from incoming.
    public var measures = 0
    /// Measures dropped because they were older than the back window allows.
    public var dropped = 0
    /// Measures discarded because their metric is unknown or deleted.
    public var discarded = 0

    public init() {}
}

/// Aggregates incoming measures into storage, one sack at a time (Gnocchi's `chef`, A9.2–A9.3): under the
/// sack lock it reads the pending measures, merges them into each metric's raw series, recomputes the
/// affected buckets, stores the sack atomically, and only then deletes the consumed incoming data.
public struct SackProcessor: Sendable {
    public let incoming: any IncomingDriver
    public let storage: any StorageDriver
    public let indexer: any Indexer
    public let logger: Logger

    public init(incoming: any IncomingDriver, storage: any StorageDriver, indexer: any Indexer, logger: Logger) {
        self.incoming = incoming
        self.storage = storage
        self.indexer = indexer
        self.logger = logger
    }

    /// Processes everything waiting in a sack.
    /// - Returns: nil when another processor holds the sack's lock.
    public func process(sack: Int) async throws -> ProcessingReport? {
        guard let lock = try storage.tryLock(sack: sack) else { return nil }
        defer { lock.unlock() }
        return try await processLocked(sack: sack) { try await incoming.read(sack: sack) }
    }

    /// Processes one metric's waiting measures now (`refresh=true`), waiting up to `timeout` ns for its sack.
    /// - Throws: `StorageError.lockTimeout` when the sack stays locked.
    public func process(metric: UUID, timeout: Int64) async throws {
        let sack = incoming.sack(of: metric)
        let lock = try await storage.lock(sack: sack, timeout: timeout)
        defer { lock.unlock() }
        _ = try await processLocked(sack: sack) { try await incoming.read(metric: metric) }
    }

    private func processLocked(sack: Int, read: () async throws -> SackBatch) async throws -> ProcessingReport {
        var contents = try await storage.load(sack: sack)
        if !contents.consumed.isEmpty {
            // A previous round stored its aggregates but stopped before deleting what it consumed.
            try await incoming.delete(contents.consumed)
            contents.consumed = []
        }
        let batch = try await read()
        var report = ProcessingReport()
        guard !batch.handles.isEmpty else { return report }

        let known = try await indexer.metrics(ids: Array(batch.measures.keys))
        let metrics = Dictionary(known.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let policies = Dictionary(try await indexer.archivePolicies().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var lastMeasures = [UUID: Int64]()
        var truncated = [UUID]()
        let path = storage.location(sack: sack)

        for (id, pending) in batch.measures {
            report.measures += pending.count
            guard let metric = metrics[id], metric.status == .active, let policy = policies[metric.archivePolicyName] else {
                report.discarded += pending.count
                continue
            }
            let name = id.uuidString.lowercased()
            var stored = StoredMetric()
            if let blob = contents.metrics[id] {
                let (decoded, damage) = StoredMetric.decode(blob, path: path)
                if let damage {
                    logger.error("Damaged metric blob, repairing from what can be read", metadata: [
                        "metric.id": "\(name)", "storage.path": "\(path)", "error": "\(damage)",
                    ])
                }
                stored = decoded
            }
            let processed = MetricProcessor.process(
                policy: policy,
                raw: stored.rawSeries(metric: name, logger: logger),
                measures: Measures(timestamps: pending.timestamps, values: pending.values))
            // One merge for every aggregate of the metric; only the changed splits are re-encoded.
            let derivesMean = StoredMetric.derivesMean(policy.aggregationMethods)
            var splits = MetricSplits()
            for key in processed.updates.keys {
                splits.splits[key] = stored.decodedSplits(key, metric: name, logger: logger)
            }
            for (key, changed) in splits.apply(processed) {
                if derivesMean && key.method == StoredMetric.mean {
                    stored.splits[key] = nil  // read back as sum / count, bit for bit (docs/storage-format.md)
                    continue
                }
                var encoded = stored.splits[key] ?? [:]
                for splitKey in changed {
                    if let series = splits.splits[key]?[splitKey], !series.isEmpty {
                        encoded[splitKey] = StoredMetric.encodeSplit(series, key: splitKey, granularity: key.granularity)
                    } else {
                        encoded[splitKey] = nil
                    }
                }
                stored.splits[key] = encoded
            }
            let raw = processed.raw.series
            stored.raw = SeriesCodec.encode(timestamps: raw.timestamps, values: raw.values)
            contents.metrics[id] = stored.encoded()
            report.metrics += 1
            report.dropped += processed.dropped
            if let newest = pending.timestamps.max() { lastMeasures[id] = newest }
            if metric.needsRawDataTruncation { truncated.append(id) }
        }

        contents.consumed = batch.handles
        try await storage.store(sack: sack, contents)
        try await incoming.delete(batch.handles)
        if !lastMeasures.isEmpty { try await indexer.setLastMeasureTimestamps(lastMeasures) }
        if !truncated.isEmpty { try await indexer.clearNeedsRawDataTruncation(ids: truncated) }
        logger.debug("Processed sack", metadata: [
            "sack": "\(sack)", "metrics": "\(report.metrics)", "measures": "\(report.measures)",
        ])
        return report
    }

    /// Removes the stored data and waiting measures of metrics marked deleted, then the metrics themselves
    /// (Gnocchi's janitor).
    /// - Returns: the number of metrics expunged.
    public func expungeDeletedMetrics(batchSize: Int) async throws -> Int {
        var query = MetricQuery()
        query.status = .delete
        query.limit = batchSize
        let doomed = try await indexer.listMetrics(query)
        var expunged = 0
        for (sack, metrics) in Dictionary(grouping: doomed, by: { incoming.sack(of: $0.id) }) {
            guard let lock = try storage.tryLock(sack: sack) else { continue }
            defer { lock.unlock() }
            var contents = try await storage.load(sack: sack)
            for metric in metrics {
                contents.metrics[metric.id] = nil
                let waiting = try await incoming.read(metric: metric.id)
                try await incoming.delete(waiting.handles)
            }
            try await storage.store(sack: sack, contents)
            for metric in metrics {
                try await indexer.expungeMetric(id: metric.id)
                expunged += 1
            }
        }
        return expunged
    }
}
