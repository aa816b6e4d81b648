import Foundation
import Logging
import Synchronization

/// When the writer of the incoming log starts a new segment.
struct IncomingLogLimits: Sendable {
    /// A segment reaching this size is closed before the next flush.
    var maxSegmentBytes = 64 << 20
    /// A segment older than this (in nanoseconds) is closed before the next flush, so that consumed
    /// segments of a quiet writer get deleted.
    var maxSegmentAge: Int64 = 60_000_000_000
}

/// Appends the flushes of one driver instance to its own active segment of the incoming log: one
/// write and one `fdatasync` per flush, whatever the number of sacks it touches.
///
/// The writer holds an exclusive `flock` on its active segment for as long as the segment may grow:
/// readers read a locked segment only up to the durable end the writer publishes in the segment's
/// marks file after each `fdatasync`, and an unlocked one (closed, or its process dead) to its end.
/// Writes are serialized; the `fdatasync` of several flushes may overlap, each covering every byte
/// written before it started. Every method blocks: call them on a thread pool.
final class IncomingLogWriter: Sendable {
    /// The segment being appended to, kept open by the flushes still syncing it.
    private final class Segment: Sendable {
        let log: IncomingFile
        let marks: IncomingFile
        let created: Int64
        private let published = Mutex(IncomingLogFormat.segmentHeaderSize)

        init(log: IncomingFile, marks: IncomingFile, created: Int64) {
            self.log = log
            self.marks = marks
            self.created = created
        }

        /// Records that the bytes before `end` are durable, unless a later end was published already.
        func publish(durableEnd end: Int) throws {
            try self.published.withLock { current in
                guard end > current else { return }
                try IncomingLogFormat.durableEndField(end).withUnsafeBytes { try self.marks.write($0, at: 8) }
                current = end
            }
        }
    }

    private struct State {
        var active: Segment?
        var size = 0
        var lastTime: Int64 = 0
    }

    let directory: String
    let sackCount: Int
    let limits: IncomingLogLimits
    private let logger: Logger
    private let namer = BatchFileNamer(suffix: IncomingLogReader.segmentSuffix)
    private let state = Mutex(State())

    init(directory: String, sackCount: Int, limits: IncomingLogLimits, logger: Logger) {
        self.directory = directory
        self.sackCount = sackCount
        self.limits = limits
        self.logger = logger
    }

    /// Appends the items of one flush and returns once they are durable.
    /// - Throws: ``IncomingError`` with code `io`; the active segment is then abandoned, and what
    ///   was written of the flush may still be read.
    func append(_ items: [[UUID: PendingMeasures]]) throws {
        var frames = IncomingLogFormat.encodeFrames(items, sackCount: self.sackCount)
        guard !frames.bytes.isEmpty else { return }
        let (segment, end) = try self.state.withLock { state -> (Segment, Int) in
            let now = IncomingFileSystem.nowNanoseconds()
            if let active = state.active,
               state.size >= self.limits.maxSegmentBytes || now - active.created >= self.limits.maxSegmentAge {
                state.active = nil
            }
            let segment: Segment
            if let active = state.active {
                segment = active
            } else {
                segment = try self.createSegment(now: now)
                state.active = segment
                state.size = IncomingLogFormat.segmentHeaderSize
            }
            state.lastTime = IncomingLogFormat.stamp(&frames, firstTime: max(now, state.lastTime + 1))
            do {
                try frames.bytes.withUnsafeBytes { try segment.log.write($0, at: state.size) }
            } catch {
                state.active = nil
                throw error
            }
            state.size += frames.bytes.count
            return (segment, state.size)
        }
        do {
            try segment.log.syncData()
        } catch {
            self.abandon(segment)
            throw error
        }
        do {
            try segment.publish(durableEnd: end)
        } catch {
            // The data is durable; closing the segment makes readers read it to its end.
            self.logger.info(
                "Could not publish the durable end of an incoming log segment: closing it",
                metadata: ["incoming.path": "\(segment.marks.path)", "error": "\(error)"]
            )
            self.abandon(segment)
        }
    }

    /// Stops appending to `segment`: it is closed once the flushes still syncing it are done.
    private func abandon(_ segment: Segment) {
        self.state.withLock { state in
            if state.active === segment { state.active = nil }
        }
    }

    /// Creates a segment: its marks file first (so that a segment never lacks one), then the log
    /// under a temporary name, locked, renamed into place, and the directory fsync'd.
    private func createSegment(now: Int64) throws -> Segment {
        let name = self.namer.next()
        let base = String(name.dropLast(IncomingLogReader.segmentSuffix.count))
        let marksPath = self.directory + "/" + base + IncomingLogReader.marksSuffix
        let temporary = self.directory + "/" + BatchFileNamer.temporaryName(for: name)
        var created: [String] = []
        do {
            guard let marks = try IncomingFile.openFile(marksPath, flags: O_RDWR | O_CREAT | O_EXCL) else {
                throw IncomingError(
                    code: .notInitialized,
                    message: "Incoming log directory missing: run `stratus upgrade` and restart",
                    path: self.directory
                )
            }
            created.append(marksPath)
            try IncomingLogFormat.marksHeader(durableEnd: IncomingLogFormat.segmentHeaderSize).withUnsafeBytes { try marks.write($0, at: 0) }
            try marks.syncData()
            guard let log = try IncomingFile.openFile(temporary, flags: O_RDWR | O_CREAT | O_EXCL) else {
                throw IncomingFileSystem.failure("open", temporary, errno: ENOENT)
            }
            created.append(temporary)
            try log.lockExclusive()
            try IncomingLogFormat.segmentHeader.withUnsafeBytes { try log.write($0, at: 0) }
            try IncomingFileSystem.move(temporary, to: self.directory + "/" + name)
            created[1] = self.directory + "/" + name
            try IncomingFileSystem.syncDirectory(self.directory)
            return Segment(log: log, marks: marks, created: now)
        } catch {
            for path in created.reversed() { _ = try? IncomingFileSystem.removeFile(path) }
            throw error
        }
    }
}
