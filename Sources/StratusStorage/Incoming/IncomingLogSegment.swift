import Foundation
import Logging

/// What one process knows of one segment of the incoming log: where each sack's records are, up to
/// where the segment is durable and indexed, and what consumers marked as consumed.
///
/// Built incrementally: a segment only ever grows, at the end, while its writer lives, and its marks
/// file only grows too. Files stay open only while the segment may grow or is being indexed, so a
/// large backlog of closed segments holds no descriptor. Every mutating method blocks on I/O: call
/// them on a thread pool.
struct IncomingLogSegment {
    /// Consecutive records of one sack in one frame.
    struct Run {
        /// The index of the frame in ``IncomingLogSegment/frameTimes``.
        var frame: Int
        /// The offset of the first record in the segment.
        var offset: Int
        /// The bytes of the records.
        var length: Int
        var end: Int { self.offset + self.length }
    }

    /// The segment's name without suffix (`<ns>-<instance>`).
    let name: String
    let logPath: String
    let marksPath: String
    /// The open segment and marks file, until the segment is sealed and indexed.
    private var log: IncomingFile?
    private var marks: IncomingFile?
    /// Whether the writer is gone: the segment will never grow again.
    private(set) var sealed = false
    /// Whether indexing is over: the segment is sealed and indexed to its end, or damage stopped it.
    private(set) var complete = false
    /// The bytes indexed, up to a frame boundary; 0 until the segment header was checked.
    private(set) var indexed = 0
    /// The time of each frame indexed, in order.
    private(set) var frameTimes: [Int64] = []
    /// The runs of each sack, in order.
    private(set) var runs: [Int: [Run]] = [:]

    private var marksRead = IncomingLogFormat.marksHeaderSize
    private var sackFrontier: [Int: Int] = [:]
    private var allFrontier = 0
    /// Per sack, per metric: the records of the metric starting before this offset are consumed.
    private(set) var metricFrontier: [Int: [UUID: Int]] = [:]

    /// Opens the segment `name` of `directory`; nil if it does not exist (any more).
    init?(name: String, directory: String) throws {
        self.name = name
        self.logPath = directory + "/" + name + IncomingLogReader.segmentSuffix
        self.marksPath = directory + "/" + name + IncomingLogReader.marksSuffix
        guard let log = try IncomingFile.openFile(self.logPath, flags: O_RDONLY) else { return nil }
        self.log = log
        self.marks = try IncomingFile.openFile(self.marksPath, flags: O_RDONLY)
    }

    /// The segment, to read records from; nil if it was deleted.
    func openLog() throws -> IncomingFile? {
        try self.log ?? IncomingFile.openFile(self.logPath, flags: O_RDONLY)
    }

    /// The records of `sack` starting before this offset are consumed.
    func frontier(of sack: Int) -> Int {
        max(self.sackFrontier[sack] ?? 0, self.allFrontier)
    }

    /// The runs of `sack` not yet consumed as a whole (some of their metrics may be).
    func pendingRuns(of sack: Int) -> ArraySlice<Run> {
        guard let runs = self.runs[sack] else { return [] }
        let frontier = self.frontier(of: sack)
        var (low, high) = (0, runs.count)  // the first run at or after the frontier: runs are in offset order
        while low < high {
            let middle = (low + high) / 2
            if runs[middle].offset < frontier { low = middle + 1 } else { high = middle }
        }
        return runs[low...]
    }

    /// Whether the segment is sealed, indexed to its end and every record in it consumed.
    var isFullyConsumed: Bool {
        self.sealed && self.complete && self.runs.allSatisfy { sack, runs in self.frontier(of: sack) >= (runs.last?.end ?? 0) }
    }

    /// Catches up with the segment: whether its writer is gone, its new durable records, new marks.
    mutating func refresh(sackCount: Int, logger: Logger, buffer: inout [UInt8]) throws {
        if self.log != nil && self.marks == nil {
            self.marks = try IncomingFile.openFile(self.marksPath, flags: O_RDONLY)
        }
        if let log = self.log {
            if !self.sealed, try !log.isLockedByAnother() {
                self.sealed = true
            }
            if !self.complete {
                let end = self.sealed ? try log.size() : try self.durableEnd()
                try self.index(log, to: end, sackCount: sackCount, logger: logger, buffer: &buffer)
            }
        }
        if let marks = try self.marks ?? IncomingFile.openFile(self.marksPath, flags: O_RDONLY) {
            try self.readMarks(marks, sackCount: sackCount, logger: logger, buffer: &buffer)
        }
        if self.sealed && self.complete {
            self.log = nil
            self.marks = nil
        }
    }

    /// The durable end its live writer published (nothing while the header reads as damaged,
    /// which a reader racing the writer's update may see for an instant).
    private func durableEnd() throws -> Int {
        guard let marks = self.marks else { return self.indexed }
        var header: [UInt8] = []
        for _ in 0..<3 {
            try marks.read(20, at: 0, into: &header)
            if let end = IncomingLogFormat.decodeDurableEnd(header) { return end }
        }
        return self.indexed
    }

    private func logDamage(_ logger: Logger, _ kind: IncomingBatchFormat.Damage.Kind, at offset: Int) {
        logger.info(
            "Damaged incoming log segment: using the intact records",
            metadata: ["incoming.path": "\(self.logPath)", "incoming.damage": "\(IncomingBatchFormat.Damage(kind: kind, offset: offset))"]
        )
    }

    /// Indexes the frames between ``indexed`` and `end`, checking every checksum. Damage stops the
    /// frame it is in (its later records are skipped); a damaged frame header stops the segment.
    private mutating func index(_ log: IncomingFile, to end: Int, sackCount: Int, logger: Logger, buffer: inout [UInt8]) throws {
        if self.indexed == 0 {
            guard end >= IncomingLogFormat.segmentHeaderSize || !self.sealed else {
                if end > 0 { self.logDamage(logger, .truncatedHeader, at: 0) }
                self.complete = true
                return
            }
            guard end >= IncomingLogFormat.segmentHeaderSize else { return }
            try log.read(IncomingLogFormat.segmentHeaderSize, at: 0, into: &buffer)
            guard IncomingLogFormat.isSegmentHeader(buffer) else {
                self.logDamage(logger, .unsupportedVersion, at: 0)
                self.complete = true
                return
            }
            self.indexed = IncomingLogFormat.segmentHeaderSize
        }
        while self.indexed < end {
            guard end - self.indexed >= IncomingLogFormat.frameHeaderSize else {
                self.logDamage(logger, .truncatedHeader, at: self.indexed)
                self.complete = true
                return
            }
            try log.read(IncomingLogFormat.frameHeaderSize, at: self.indexed, into: &buffer)
            guard buffer.count == IncomingLogFormat.frameHeaderSize,
                  let header = buffer.withUnsafeBytes({ IncomingLogFormat.decodeFrameHeader($0) })
            else {
                self.logDamage(logger, .checksumMismatch, at: self.indexed)
                self.complete = true
                return
            }
            let bodyStart = self.indexed + IncomingLogFormat.frameHeaderSize
            guard header.length <= end - bodyStart else {
                self.logDamage(logger, .truncatedPayload, at: self.indexed)
                self.complete = true
                return
            }
            try log.read(header.length, at: bodyStart, into: &buffer)
            guard buffer.count == header.length else {
                self.logDamage(logger, .truncatedPayload, at: self.indexed)
                self.complete = true
                return
            }
            let frame = self.frameTimes.count
            let damage = buffer.withUnsafeBytes { body in
                IncomingBatchFormat.walkRecords(body, from: 0) { id, payload, offset in
                    let sack = IncomingSacks.sack(of: id, sackCount: sackCount)
                    let start = bodyStart + offset
                    let length = IncomingBatchFormat.recordHeaderSize + payload.count
                    if let last = self.runs[sack]?.last, last.frame == frame, last.end == start {
                        self.runs[sack]![self.runs[sack]!.count - 1].length += length
                    } else {
                        self.runs[sack, default: []].append(Run(frame: frame, offset: start, length: length))
                    }
                }
            }
            if let damage { self.logDamage(logger, damage.kind, at: bodyStart + damage.offset) }
            self.frameTimes.append(header.time)
            self.indexed = bodyStart + header.length
        }
        if self.sealed { self.complete = true }
    }

    /// Applies the marks appended since the last call (whole marks only: a mark being appended is
    /// read next time).
    private mutating func readMarks(_ marks: IncomingFile, sackCount: Int, logger: Logger, buffer: inout [UInt8]) throws {
        let size = try marks.size()
        let whole = max(0, size - self.marksRead) / IncomingLogFormat.markSize
        guard whole > 0 else { return }
        try marks.read(whole * IncomingLogFormat.markSize, at: self.marksRead, into: &buffer)
        let count = buffer.count / IncomingLogFormat.markSize
        buffer.withUnsafeBytes { raw in
            for index in 0..<count {
                let start = index * IncomingLogFormat.markSize
                guard let mark = IncomingLogFormat.decodeMark(UnsafeRawBufferPointer(rebasing: raw[start..<start + IncomingLogFormat.markSize])) else {
                    logger.info(
                        "Damaged mark in an incoming log marks file: skipped",
                        metadata: ["incoming.path": "\(self.marksPath)", "incoming.offset": "\(self.marksRead + start)"]
                    )
                    continue
                }
                switch mark.kind {
                case .all:
                    self.allFrontier = max(self.allFrontier, mark.end)
                case .sack where mark.sackCount == sackCount:
                    self.sackFrontier[mark.sack] = max(self.sackFrontier[mark.sack] ?? 0, mark.end)
                case .metric where mark.sackCount == sackCount:
                    if let metric = mark.metric {
                        self.metricFrontier[mark.sack, default: [:]][metric] = max(self.metricFrontier[mark.sack]?[metric] ?? 0, mark.end)
                    }
                default:
                    break  // marks of another number of sacks: superseded by an `all` mark
                }
            }
        }
        self.marksRead += count * IncomingLogFormat.markSize
    }

    /// Appends marks durably to the marks file at `path` (created if missing, unless the segment is
    /// gone: then nothing is left to mark, and false is returned): under an exclusive `flock`
    /// (several threads and processes may consume the same segment), after cutting a torn mark a
    /// crash may have left at its end.
    @discardableResult
    static func append(_ marks: [IncomingLogFormat.Mark], toMarksOf segment: String, in directory: String) throws -> Bool {
        let base = directory + "/" + segment
        guard !marks.isEmpty, try IncomingFileSystem.modificationTime(base + IncomingLogReader.segmentSuffix) != nil,
              let file = try IncomingFile.openFile(base + IncomingLogReader.marksSuffix, flags: O_RDWR | O_CREAT)
        else { return false }
        let bytes = marks.flatMap(IncomingLogFormat.encode)
        try file.withExclusiveLock {
            let size = try file.size()
            let aligned = size < IncomingLogFormat.marksHeaderSize
                ? IncomingLogFormat.marksHeaderSize
                : size - (size - IncomingLogFormat.marksHeaderSize) % IncomingLogFormat.markSize
            if aligned != size { try file.truncate(to: aligned) }
            try bytes.withUnsafeBytes { try file.write($0, at: aligned) }
        }
        try file.syncData()
        return true
    }
}
