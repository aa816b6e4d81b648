import Foundation
import Logging
import Synchronization

/// Reads and consumes the incoming log for one number of sacks: picks each sack's records out of
/// every segment, appends consumption marks, deletes segments whose every record is consumed.
///
/// Each process keeps its own index of the segments and catches up with the directory, the
/// segments and their marks files on every call, so several processes (API, metricd, statsd) can
/// share the log; callers hold the sack lock around read → process → delete. Every method blocks:
/// call them on a thread pool.
final class IncomingLogReader: Sendable {
    static let segmentSuffix = ".log"
    static let marksSuffix = ".marks"
    /// Temporary files and marks files without a segment older than this (in seconds) are removed.
    static let staleAge: Double = 60

    let directory: String
    let sackCount: Int
    private let logger: Logger

    private struct State {
        var segments: [String: IncomingLogSegment] = [:]
        var buffer: [UInt8] = []
    }

    private let state = Mutex(State())

    init(directory: String, sackCount: Int, logger: Logger) {
        self.directory = directory
        self.sackCount = sackCount
        self.logger = logger
    }

    // MARK: handles

    /// The key of the handle covering a sack's (or a metric's) records in a segment that start before `end`.
    static func key(segment: String, end: Int) -> String {
        segment + self.segmentSuffix + "@" + String(end)
    }

    /// The segment name (without suffix) and end of a handle key; nil if `key` is not one.
    static func parse(key: String) -> (segment: String, end: Int)? {
        guard let at = key.lastIndex(of: "@"), let end = Int(key[key.index(after: at)...]), end >= 0 else { return nil }
        let file = String(key[..<at])
        guard BatchFileNamer.isGeneratedName(file, suffix: self.segmentSuffix) else { return nil }
        return (String(file.dropLast(self.segmentSuffix.count)), end)
    }

    // MARK: reading

    /// One run of a sack's records to read, with what is needed to order and filter it.
    private struct Piece {
        var time: Int64
        var segment: Int
        var run: IncomingLogSegment.Run
    }

    /// What to read for a sack: the runs of every segment in arrival order.
    private struct Plan {
        var segments: [(segment: IncomingLogSegment, consumed: [UUID: Int])] = []
        var pieces: [Piece] = []

        /// Reads each piece's bytes in turn, opening one segment at a time; the pieces of a segment
        /// deleted meanwhile are skipped.
        func forEachPiece(_ body: (Piece, IncomingFile, [UInt8]) throws -> Void) throws {
            var open: (index: Int, file: IncomingFile?)?
            var buffer: [UInt8] = []
            for piece in self.pieces {
                if open?.index != piece.segment {
                    open = (piece.segment, try self.segments[piece.segment].segment.openLog())
                }
                guard let file = open?.file else { continue }
                try file.read(piece.run.length, at: piece.run.offset, into: &buffer)
                try body(piece, file, buffer)
            }
        }
    }

    /// The measures of `sack` (or only of `metric`) not consumed yet, and the handles covering them.
    func read(sack: Int, only metric: UUID? = nil) throws -> SackBatch {
        let plan = self.plan(sack: sack, in: try self.refreshed())
        var batch = SackBatch(sack: sack)
        var found = Set<Int>()
        try plan.forEachPiece { piece, file, bytes in
            let consumed = plan.segments[piece.segment].consumed
            let damage = bytes.withUnsafeBytes { raw in
                IncomingBatchFormat.walkRecords(raw, from: 0, only: metric) { id, payload, offset in
                    if let end = consumed[id], piece.run.offset + offset < end { return }
                    var series = batch.measures.removeValue(forKey: id) ?? PendingMeasures()
                    IncomingBatchFormat.append(payload, to: &series)
                    batch.measures[id] = series
                    found.insert(piece.segment)
                }
            }
            if let damage {
                self.logger.info(
                    "Damaged incoming log segment: using the intact records",
                    metadata: ["incoming.path": "\(file.path)", "sack": "\(sack)", "incoming.damage": "\(damage)"]
                )
            }
        }
        for (index, (segment, _)) in plan.segments.enumerated() where metric == nil || found.contains(index) {
            batch.handles.append(IncomingHandle(sack: sack, key: Self.key(segment: segment.name, end: segment.indexed), metric: metric))
        }
        return batch
    }

    /// Counts the measures not consumed yet, per metric (checksums are checked when indexing only).
    func backlog() throws -> [UUID: Int] {
        try self.backlog(of: try self.refreshed())
    }

    private func backlog(of segments: [IncomingLogSegment]) throws -> [UUID: Int] {
        var perMetric: [UUID: Int] = [:]
        for sack in Self.sacksWithRecords(in: segments) {
            let plan = self.plan(sack: sack, in: segments)
            try plan.forEachPiece { piece, _, bytes in
                let consumed = plan.segments[piece.segment].consumed
                _ = bytes.withUnsafeBytes { raw in
                    IncomingBatchFormat.walkRecords(raw, from: 0, verify: false) { id, payload, offset in
                        if let end = consumed[id], piece.run.offset + offset < end { return }
                        perMetric[id, default: 0] += payload.count / IncomingBatchFormat.measureSize
                    }
                }
            }
        }
        return perMetric
    }

    /// The sacks with records not consumed as a whole (some of them may be consumed metric by
    /// metric: reading the sack then returns a handle that consumes the rest). Deletes the consumed
    /// segments whose writer is gone on the way.
    func sacksWithRecords() throws -> [Int] {
        Self.sacksWithRecords(in: try self.collect())
    }

    private static func sacksWithRecords(in segments: [IncomingLogSegment]) -> [Int] {
        var sacks = Set<Int>()
        for segment in segments {
            for sack in segment.runs.keys where !segment.pendingRuns(of: sack).isEmpty { sacks.insert(sack) }
        }
        return sacks.sorted()
    }

    private func plan(sack: Int, in segments: [IncomingLogSegment]) -> Plan {
        var plan = Plan()
        for segment in segments {
            let runs = segment.pendingRuns(of: sack)
            guard !runs.isEmpty else { continue }
            let index = plan.segments.count
            plan.segments.append((segment, segment.metricFrontier[sack] ?? [:]))
            plan.pieces += runs.map { Piece(time: segment.frameTimes[$0.frame], segment: index, run: $0) }
        }
        plan.pieces.sort { ($0.time, $0.segment, $0.run.offset) < ($1.time, $1.segment, $1.run.offset) }
        return plan
    }

    /// Every segment, caught up with the directory and the files, in name (creation) order.
    private func refreshed(only names: Set<String>? = nil) throws -> [IncomingLogSegment] {
        let listed = Set((try IncomingFileSystem.listDirectory(self.directory) ?? []).compactMap { name -> String? in
            guard BatchFileNamer.isGeneratedName(name, suffix: Self.segmentSuffix) else { return nil }
            return String(name.dropLast(Self.segmentSuffix.count))
        })
        return try self.state.withLock { state in
            for name in state.segments.keys where !listed.contains(name) { state.segments[name] = nil }
            var result: [IncomingLogSegment] = []
            for name in listed.sorted() where names?.contains(name) ?? true {
                var segment: IncomingLogSegment
                if let known = state.segments[name] {
                    segment = known
                    state.segments[name] = nil  // refresh a unique copy, without copying its index
                } else {
                    guard let opened = try IncomingLogSegment(name: name, directory: self.directory) else { continue }  // deleted meanwhile
                    segment = opened
                }
                do {
                    try segment.refresh(sackCount: self.sackCount, logger: self.logger, buffer: &state.buffer)
                } catch {
                    state.segments[name] = segment
                    throw error
                }
                state.segments[name] = segment
                result.append(segment)
            }
            if state.buffer.count > IncomingLogFormat.maxFrameBytes { state.buffer = [] }  // after a huge record
            return result
        }
    }

    // MARK: consuming

    /// Marks the records covered by the handles (WAL handles only) as consumed, then deletes the
    /// segments left with nothing to consume.
    func delete(_ handles: [(handle: IncomingHandle, segment: String, end: Int)]) throws {
        var perSegment: [String: [IncomingLogFormat.Mark]] = [:]
        for (handle, segment, end) in handles {
            let mark = IncomingLogFormat.Mark(
                kind: handle.metric == nil ? .sack : .metric, sackCount: self.sackCount, sack: handle.sack,
                end: end, metric: handle.metric
            )
            perSegment[segment, default: []].append(mark)
        }
        for (segment, marks) in perSegment {
            try IncomingLogSegment.append(marks, toMarksOf: segment, in: self.directory)  // nothing if already deleted
        }
        try self.collect(Set(perSegment.keys))
    }

    /// Deletes the given (or all) segments whose writer is gone and whose every record is consumed:
    /// the segment, then (once that is durable) its marks. Returns the segments left.
    @discardableResult
    func collect(_ names: Set<String>? = nil) throws -> [IncomingLogSegment] {
        var left: [IncomingLogSegment] = []
        for segment in try self.refreshed(only: names) {
            guard segment.isFullyConsumed else {
                left.append(segment)
                continue
            }
            let base = self.directory + "/" + segment.name
            _ = self.state.withLock { $0.segments.removeValue(forKey: segment.name) }
            guard try IncomingFileSystem.removeFile(base + Self.segmentSuffix) else { continue }
            try IncomingFileSystem.syncDirectory(self.directory)
            try IncomingFileSystem.removeFile(base + Self.marksSuffix)
            self.logger.debug("Removed a consumed incoming log segment", metadata: ["incoming.path": "\(base + Self.segmentSuffix)"])
        }
        return left
    }

    /// Removes temporary files and marks files without a segment left by crashes, once stale.
    func removeStaleFiles() throws {
        let names = try IncomingFileSystem.listDirectory(self.directory) ?? []
        let segments = Set(names.filter { BatchFileNamer.isGeneratedName($0, suffix: Self.segmentSuffix) }.map { $0.dropLast(Self.segmentSuffix.count) })
        let now = Double(IncomingFileSystem.nowNanoseconds()) / 1e9
        for name in names {
            let orphan = BatchFileNamer.isGeneratedName(name, suffix: Self.marksSuffix) && !segments.contains(name.dropLast(Self.marksSuffix.count))
            guard orphan || BatchFileNamer.isTemporary(name) else { continue }
            let path = self.directory + "/" + name
            guard let modified = try IncomingFileSystem.modificationTime(path), now - modified > Self.staleAge else { continue }
            if try IncomingFileSystem.removeFile(path) {
                self.logger.info("Removed a stale incoming log file", metadata: ["incoming.path": "\(path)"])
            }
        }
    }

    /// If nothing waits to be consumed, marks every segment consumed for any number of sacks (up to
    /// what is durable now) and deletes those whose writer is gone. Returns the measures waiting.
    func markAllConsumedIfEmpty() throws -> Int {
        let segments = try self.refreshed()
        let waiting = try self.backlog(of: segments).values.reduce(0, +)
        guard waiting == 0 else { return waiting }
        for segment in segments {
            let mark = IncomingLogFormat.Mark(kind: .all, sackCount: 0, sack: 0, end: segment.indexed, metric: nil)
            try IncomingLogSegment.append([mark], toMarksOf: segment.name, in: self.directory)
        }
        try self.collect()
        return 0
    }
}
