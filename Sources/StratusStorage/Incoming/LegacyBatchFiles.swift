import Foundation
import Logging

/// The batch files that versions before the incoming log wrote into the sack directories, one per
/// sack per flush: still read, in arrival order before the log, and consumed, but never written.
/// Every method blocks: call them on a thread pool.
struct LegacyBatchFiles: Sendable {
    /// Temporary files older than this (in seconds) are left by a crash and removed.
    static let staleTemporaryAge: Double = 60

    let basePath: String
    let sackCount: Int
    let logger: Logger

    func sackPath(_ sack: Int) -> String {
        self.basePath + "/" + IncomingSacks.name(of: sack, sackCount: self.sackCount)
    }

    /// The complete batch files of a sack in arrival order; stale temporary files are removed when
    /// `cleanUp` is set.
    func batchFiles(of sack: Int, cleanUp: Bool = false) throws -> [String] {
        let directory = self.sackPath(sack)
        guard let names = try IncomingFileSystem.listDirectory(directory) else { return [] }
        var files: [String] = []
        for name in names {
            if BatchFileNamer.isBatchFile(name) {
                files.append(name)
            } else if cleanUp && BatchFileNamer.isTemporary(name) {
                try self.removeIfStale(directory + "/" + name, sack: sack)
            }
        }
        return files.sorted()
    }

    private func removeIfStale(_ path: String, sack: Int) throws {
        guard let modified = try IncomingFileSystem.modificationTime(path) else { return }
        let now = Double(IncomingFileSystem.nowNanoseconds()) / 1e9
        guard now - modified > Self.staleTemporaryAge else { return }
        if try IncomingFileSystem.removeFile(path) {
            self.logger.info(
                "Removed a stale temporary incoming file",
                metadata: ["incoming.path": "\(path)", "sack": "\(sack)"]
            )
        }
    }

    /// Reads the durable measures of a sack, or only those of `metric`.
    func read(sack: Int, only metric: UUID? = nil) throws -> SackBatch {
        var batch = SackBatch(sack: sack)
        let directory = self.sackPath(sack)
        for name in try self.batchFiles(of: sack, cleanUp: metric == nil) {
            let path = directory + "/" + name
            guard let bytes = try IncomingFileSystem.readFile(path) else { continue }  // deleted meanwhile
            var found = false
            let damage = bytes.withUnsafeBytes { raw in
                IncomingBatchFormat.walk(raw, only: metric) { id, payload in
                    // Take the series out of the dictionary so that appending does not copy it.
                    var series = batch.measures.removeValue(forKey: id) ?? PendingMeasures()
                    IncomingBatchFormat.append(payload, to: &series)
                    batch.measures[id] = series
                    found = true
                }
            }
            if let damage {
                self.logger.info(
                    "Damaged incoming file: using the intact records before the damage",
                    metadata: ["incoming.path": "\(path)", "sack": "\(sack)", "incoming.damage": "\(damage)"]
                )
            }
            if metric == nil {
                batch.handles.append(IncomingHandle(sack: sack, key: name))
            } else if found {
                batch.handles.append(IncomingHandle(sack: sack, key: name, metric: metric))
            }
        }
        return batch
    }

    /// Removes the data covered by the handles: whole files, or some metrics' records of a file
    /// (the file is then rewritten without them, under the same name).
    func delete(_ handles: [IncomingHandle]) throws {
        var perSack: [Int: [String: Set<UUID>?]] = [:]
        for handle in handles {
            guard (0..<self.sackCount).contains(handle.sack) else {
                throw IncomingError(code: .invalidSack, message: "No sack \(handle.sack) among \(self.sackCount) sacks", path: self.basePath)
            }
            guard BatchFileNamer.isBatchFile(handle.key) else {
                throw IncomingError(code: .io, message: "Not an incoming batch file name: \(handle.key)", path: self.sackPath(handle.sack))
            }
            var files = perSack[handle.sack, default: [:]]
            switch (files[handle.key], handle.metric) {
            case (.none, let metric?): files[handle.key] = .some([metric])
            case (.some(.some(var metrics)), let metric?): metrics.insert(metric); files[handle.key] = .some(metrics)
            default: files[handle.key] = .some(nil)  // the whole file
            }
            perSack[handle.sack] = files
        }
        for (sack, files) in perSack {
            let directory = self.sackPath(sack)
            var changed = false
            for (name, metrics) in files {
                let path = directory + "/" + name
                if let metrics {
                    changed = try self.rewrite(path, removing: metrics) || changed
                } else {
                    changed = try IncomingFileSystem.removeFile(path) || changed
                }
            }
            if changed { try IncomingFileSystem.syncDirectory(directory) }
        }
    }

    private func rewrite(_ path: String, removing metrics: Set<UUID>) throws -> Bool {
        guard let bytes = try IncomingFileSystem.readFile(path) else { return false }
        var kept: [(metric: UUID, measures: PendingMeasures)] = []
        var removed = false
        _ = bytes.withUnsafeBytes { raw in
            IncomingBatchFormat.walk(raw) { id, payload in
                if metrics.contains(id) {
                    removed = true
                } else {
                    var measures = PendingMeasures()
                    IncomingBatchFormat.append(payload, to: &measures)
                    kept.append((id, measures))
                }
            }
        }
        guard removed else { return false }
        if kept.isEmpty { return try IncomingFileSystem.removeFile(path) }
        let directory = String(path[..<path.lastIndex(of: "/")!])
        let name = String(path[path.index(after: path.lastIndex(of: "/")!)...])
        let temporary = directory + "/" + BatchFileNamer.temporaryName(for: name)
        do {
            try IncomingFileSystem.writeSynced(temporary, IncomingBatchFormat.encode(kept))
            try IncomingFileSystem.move(temporary, to: path)
        } catch {
            _ = try? IncomingFileSystem.removeFile(temporary)
            throw error
        }
        return true
    }

    /// Counts the measures waiting in every sack (checksums are not verified).
    func backlog() throws -> Backlog {
        var perMetric: [UUID: Int] = [:]
        for sack in 0..<self.sackCount {
            let directory = self.sackPath(sack)
            for name in try self.batchFiles(of: sack) {
                guard let bytes = try IncomingFileSystem.readFile(directory + "/" + name) else { continue }
                _ = bytes.withUnsafeBytes { raw in
                    IncomingBatchFormat.walk(raw, verify: false) { id, payload in
                        perMetric[id, default: 0] += payload.count / IncomingBatchFormat.measureSize
                    }
                }
            }
        }
        return Backlog(metrics: perMetric.count, measures: perMetric.values.reduce(0, +), perMetric: perMetric)
    }

    /// The sacks holding at least one batch file.
    func sacksWithMeasures() throws -> [Int] {
        try (0..<self.sackCount).filter { try !self.batchFiles(of: $0).isEmpty }
    }
}
