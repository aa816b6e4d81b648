import Foundation
import Logging
import StratusTesting
import Testing
@testable import StratusStorage

/// The segments (`wal/*.log`) of incoming storage, sorted, as full paths.
func incomingSegments(_ directory: TemporaryDirectory) throws -> [String] {
    let wal = directory.path + "/wal"
    return try FileManager.default.contentsOfDirectory(atPath: wal).filter { $0.hasSuffix(".log") && !$0.hasPrefix(".") }.sorted().map { wal + "/" + $0 }
}

/// Waits until no writer holds a segment open: a dropped driver's segment is closed when the thread
/// pool lets go of its last flush, a moment after the flush returned.
private func incomingWaitForWritersToClose(_ directory: TemporaryDirectory) async throws {
    for _ in 0..<10_000 {
        let open = try incomingSegments(directory).contains { path in
            try IncomingFile.openFile(path, flags: O_RDONLY)?.isLockedByAnother() ?? false
        }
        if !open { return }
        try await Task.sleep(for: .milliseconds(1))
    }
    Issue.record("a writer kept its segment open")
}

/// Every file of the log directory, sorted.
private func incomingLogFiles(_ directory: TemporaryDirectory) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory.path + "/wal").sorted()
}

/// Opens another driver on the same storage, as another process would.
private func incomingDriver(_ directory: TemporaryDirectory, logger: Logger = Logger(label: "test"), limits: IncomingLogLimits = IncomingLogLimits()) throws -> FileIncomingDriver {
    try FileIncomingDriver(basePath: directory.path, logger: logger, limits: limits)
}

/// Reads every sack of a driver, merging the measures per metric.
private func incomingReadAll(_ driver: FileIncomingDriver) async throws -> (measures: [UUID: PendingMeasures], handles: [IncomingHandle]) {
    var measures: [UUID: PendingMeasures] = [:]
    var handles: [IncomingHandle] = []
    for sack in 0..<driver.sackCount {
        let batch = try await driver.read(sack: sack)
        for (metric, series) in batch.measures { measures[metric, default: PendingMeasures()].append(contentsOf: series) }
        handles += batch.handles
    }
    return (measures, handles)
}

@Suite("Incoming log")
struct IncomingLogTests {
    @Test func aFlushTouchingManySacksWritesOneSegmentAndNoSackFile() async throws {
        try await withFileIncoming(sacks: 128) { driver, directory in
            var measures: [UUID: PendingMeasures] = [:]
            for index in 0..<100 { measures[UUID()] = incomingSeries(Array(index..<index + 10)) }
            try await driver.add(measures)
            #expect(try incomingSegments(directory).count == 1)
            for sack in 0..<128 { #expect(try incomingBatchFiles(directory, sacks: 128, sack: sack).isEmpty) }
            let all = try await incomingReadAll(driver)
            #expect(all.measures == measures)
            #expect(try await driver.sacksWithMeasures() == Set(measures.keys.map(driver.sack(of:))).sorted())
        }
    }

    @Test func deletedHandlesNeverReturnDataAgainEvenWhenReplayed() async throws {
        try await withFileIncoming(sacks: 2) { driver, directory in
            let metric = incomingMetric(inSack: 1, of: 2)
            try await driver.add([metric: incomingSeries([1])])
            let first = try await driver.read(sack: 1)
            try await driver.add([metric: incomingSeries([2])])
            try await driver.delete(first.handles)
            #expect(try await driver.read(sack: 1).measures == [metric: incomingSeries([2])])

            // Another process (or this one after a restart) sees the same, and replaying the delete
            // (as metricd does with the handles stored in its sack pack) consumes nothing new.
            let other = try incomingDriver(directory)
            #expect(try await other.read(sack: 1).measures == [metric: incomingSeries([2])])
            try await other.delete(first.handles)
            let second = try await other.read(sack: 1)
            #expect(second.measures == [metric: incomingSeries([2])])
            try await other.delete(second.handles)
            #expect(try await driver.read(sack: 1).measures.isEmpty)
            #expect(try await driver.read(sack: 1).handles.isEmpty)
            #expect(try await driver.backlog() == Backlog())
        }
    }

    @Test func truncatedSegmentTailYieldsItsWholeFramesOnceTheWriterIsGone() async throws {
        let logs = IncomingCapturingLogHandler()
        try await TemporaryDirectory.with(prefix: "stratus-incoming") { directory in
            try FileIncomingDriver.initialize(basePath: directory.path, sacks: 1)
            let metric = UUID()
            do {
                let writer = try incomingDriver(directory)
                for add in 1...3 { try await writer.add([metric: incomingSeries([add])]) }
            }  // the writer is gone, as after a crash
            try await incomingWaitForWritersToClose(directory)
            let segment = try #require(try incomingSegments(directory).first)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
            try bytes.prefix(bytes.count - 5).write(to: URL(fileURLWithPath: segment))

            let reader = try incomingDriver(directory, logger: logs.logger)
            let batch = try await reader.read(sack: 0)
            #expect(batch.measures == [metric: incomingSeries([1, 2])])
            let entry = try #require(logs.entries.first { $0.metadata["incoming.path"] != nil })
            #expect(entry.metadata["incoming.path"]?.description == segment)
            #expect(entry.metadata["incoming.damage"]?.description.hasPrefix("truncatedPayload") == true)

            try await reader.delete(batch.handles)
            #expect(try incomingLogFiles(directory).isEmpty)  // consumed and closed: deleted with its marks
            try await reader.add([metric: incomingSeries([4])])
            #expect(try await reader.read(sack: 0).measures == [metric: incomingSeries([4])])
        }
    }

    @Test func everyTruncationOfASegmentYieldsWholeFramesOnly() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-incoming") { directory in
            try FileIncomingDriver.initialize(basePath: directory.path, sacks: 1)
            let metric = UUID()
            let adds = [[1], [2, 3], [4]]
            do {
                let writer = try incomingDriver(directory)
                for add in adds { try await writer.add([metric: incomingSeries(add)]) }
            }
            try await incomingWaitForWritersToClose(directory)
            let segment = try #require(try incomingSegments(directory).first)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
            // Frame ends: the 8-byte segment header, then per frame a 24-byte header and one record.
            var ends: [Int] = []
            for add in adds { ends.append((ends.last ?? 8) + 24 + 24 + 16 * add.count) }
            #expect(ends.last == bytes.count)
            for length in 0...bytes.count {
                for name in try incomingLogFiles(directory) { try FileManager.default.removeItem(atPath: directory.path + "/wal/" + name) }
                try bytes.prefix(length).write(to: URL(fileURLWithPath: segment))
                let reader = try incomingDriver(directory, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
                let batch = try await reader.read(sack: 0)
                let whole = ends.filter { $0 <= length }.count
                let expected = incomingSeries(adds.prefix(whole).flatMap { $0 })
                #expect((batch.measures[metric] ?? PendingMeasures()) == expected, "length \(length)")
                try await reader.delete(batch.handles)
                #expect(try await reader.sacksWithMeasures().isEmpty, "length \(length)")
                #expect(try incomingSegments(directory).isEmpty, "length \(length)")
            }
        }
    }

    @Test func aDamagedRecordIsSkippedAndLoggedAndTheOtherFramesAreRead() async throws {
        let logs = IncomingCapturingLogHandler()
        try await withFileIncoming(sacks: 1, logHandler: logs) { driver, directory in
            let a = UUID(), b = UUID(), c = UUID()
            try await driver.add([a: incomingSeries([1])])
            try await driver.add([b: incomingSeries([2, 3])])
            try await driver.add([c: incomingSeries([4])])
            let segment = try #require(try incomingSegments(directory).first)
            var bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
            bytes[8 + 64 + 24 + 24 + 20] ^= 0x01  // a value bit of b's record in the second frame
            try bytes.write(to: URL(fileURLWithPath: segment))

            let batch = try await driver.read(sack: 0)
            #expect(batch.measures == [a: incomingSeries([1]), c: incomingSeries([4])])
            #expect(logs.entries.contains {
                $0.metadata["incoming.path"]?.description == segment
                    && $0.metadata["incoming.damage"]?.description.hasPrefix("checksumMismatch") == true
            })
            #expect(try await driver.backlog() == Backlog(metrics: 2, measures: 2, perMetric: [a: 1, c: 1]))
            try await driver.delete(batch.handles)
            #expect(try await driver.sacksWithMeasures().isEmpty)
        }
    }

    @Test func aLiveSegmentIsReadOnlyUpToItsPublishedDurableEnd() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-incoming") { directory in
            try FileIncomingDriver.initialize(basePath: directory.path, sacks: 1)
            let metric = UUID()
            var writer: FileIncomingDriver? = try incomingDriver(directory)
            try await writer?.add([metric: incomingSeries([1])])
            // Bytes written but not yet published as durable (a flush between its write and its
            // fdatasync): another frame, copied from the first.
            let segment = try #require(try incomingSegments(directory).first)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: segment))
            try handle.seekToEnd()
            try handle.write(contentsOf: bytes.dropFirst(8))
            try handle.close()

            let reader = try incomingDriver(directory)
            #expect(try await reader.read(sack: 0).measures == [metric: incomingSeries([1])])
            #expect(try await writer?.read(sack: 0).measures == [metric: incomingSeries([1])])
            writer = nil  // its process is gone: everything in its segment is read
            try await incomingWaitForWritersToClose(directory)
            #expect(try await reader.read(sack: 0).measures == [metric: incomingSeries([1, 1])])
        }
    }

    @Test(arguments: [
        IncomingLogLimits(maxSegmentBytes: 1),
        IncomingLogLimits(maxSegmentAge: 0),
    ])
    func segmentsRotateAndAreDeletedOnceConsumedAndClosed(limits: IncomingLogLimits) async throws {
        try await withFileIncoming(sacks: 2, limits: limits) { driver, directory in
            let metric = UUID()
            let sack = driver.sack(of: metric)
            for add in 1...5 { try await driver.add([metric: incomingSeries([add])]) }
            #expect(try incomingSegments(directory).count == 5)
            let batch = try await driver.read(sack: sack)
            #expect(batch.measures == [metric: incomingSeries([1, 2, 3, 4, 5])])
            #expect(batch.handles.count == 5)
            try await driver.delete(batch.handles)
            // The closed segments are gone; the writer's active one stays until it is closed too.
            let live = try incomingSegments(directory)
            #expect(live.count == 1)
            #expect(try await driver.sacksWithMeasures().isEmpty)

            try await driver.add([metric: incomingSeries([6])])  // the next flush closes the old segment
            #expect(try await driver.sacksWithMeasures() == [sack])
            #expect(try incomingSegments(directory).count == 1)
            #expect(try !incomingSegments(directory).contains(live[0]))
            #expect(try incomingLogFiles(directory).filter { $0.hasSuffix(".marks") }.count == 1)
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/fd"), "lists descriptors in /proc"))
    func closedSegmentsHoldNoFileDescriptorOnceIndexed() async throws {
        try await withFileIncoming(sacks: 4, limits: IncomingLogLimits(maxSegmentBytes: 1)) { driver, directory in
            let metric = UUID()
            for add in 0..<40 { try await driver.add([metric: incomingSeries([add])]) }
            #expect(try await driver.backlog().measures == 40)
            #expect(try await driver.read(metric: metric).measures == [metric: incomingSeries(Array(0..<40))])
            // Only the writer's active segment and its marks (and the reader's view of them) are open.
            let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").filter { fd in
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + fd))?.hasPrefix(directory.path) == true
            }
            #expect(open.count <= 4, "\(open.count) descriptors open")
        }
    }

    @Test func metricByMetricConsumptionLeavesTheSackReadToConsumeTheRest() async throws {
        try await withFileIncoming(sacks: 1, limits: IncomingLogLimits(maxSegmentBytes: 1)) { driver, directory in
            let a = UUID(), b = UUID()
            try await driver.add([a: incomingSeries([1]), b: incomingSeries([2])])
            try await driver.add([a: incomingSeries([3])])  // closes the first segment
            try await driver.delete(try await driver.read(metric: a).handles)
            try await driver.delete(try await driver.read(metric: b).handles)
            #expect(try await driver.backlog() == Backlog())
            // Every record is consumed, but metric by metric: the sack is still listed, and reading it
            // returns no measure but the handles that consume the segments as a whole.
            #expect(try await driver.sacksWithMeasures() == [0])
            let rest = try await driver.read(sack: 0)
            #expect(rest.measures.isEmpty)
            #expect(rest.handles.count == 2)
            try await driver.delete(rest.handles)
            #expect(try await driver.sacksWithMeasures().isEmpty)
            #expect(try incomingSegments(directory).count == 1)  // the active one
        }
    }

    @Test func twoDriversSharingTheDirectorySeeEachOthersMeasuresAndConsumption() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-incoming") { directory in
            try FileIncomingDriver.initialize(basePath: directory.path, sacks: 4)
            let a = try incomingDriver(directory)
            let b = try incomingDriver(directory)
            let metric = UUID()
            let sack = a.sack(of: metric)
            try await a.add([metric: incomingSeries([1])])
            try await b.add([metric: incomingSeries([2])])
            try await a.add([metric: incomingSeries([3])])
            #expect(try incomingSegments(directory).count == 2)
            // Arrival order across the two writers' segments.
            #expect(try await a.read(sack: sack).measures == [metric: incomingSeries([1, 2, 3])])
            let batch = try await b.read(sack: sack)
            #expect(batch.measures == [metric: incomingSeries([1, 2, 3])])
            #expect(batch.handles.count == 2)

            try await b.delete(batch.handles)
            #expect(try await a.read(sack: sack).measures.isEmpty)
            #expect(try await a.backlog() == Backlog())
            try await a.add([metric: incomingSeries([4])])
            #expect(try await b.read(metric: metric).measures == [metric: incomingSeries([4])])
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func concurrentWritersOnTwoDriversAndAConcurrentConsumerCountEveryMeasureOnce() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-incoming") { directory in
            try FileIncomingDriver.initialize(basePath: directory.path, sacks: 4)
            let small = IncomingLogLimits(maxSegmentBytes: 2048)  // rotate often, so segments get deleted meanwhile
            let writers = [try incomingDriver(directory, limits: small), try incomingDriver(directory, limits: small)]
            let consumer = try incomingDriver(directory)
            let tasks = 8
            let adds = 30
            let metrics = (0..<tasks).map { _ in UUID() }
            let shared = UUID()
            let consumed = try await withThrowingTaskGroup(of: [UUID: PendingMeasures].self) { group in
                for task in 0..<tasks {
                    group.addTask {
                        for add in 0..<adds {
                            let mine = PendingMeasures(timestamps: [Int64(task)], values: [Double(add)])
                            try await writers[task % 2].add([metrics[task]: incomingSeries([add]), shared: mine])
                        }
                        return [:]
                    }
                }
                group.addTask {
                    var all: [UUID: PendingMeasures] = [:]
                    var count = 0
                    while count < tasks * adds * 2 {
                        for sack in try await consumer.sacksWithMeasures() {
                            let batch = try await consumer.read(sack: sack)
                            for (metric, series) in batch.measures {
                                all[metric, default: PendingMeasures()].append(contentsOf: series)
                                count += series.count
                            }
                            try await consumer.delete(batch.handles)
                        }
                        try await Task.sleep(for: .milliseconds(1))
                    }
                    return all
                }
                var merged: [UUID: PendingMeasures] = [:]
                for try await part in group { merged.merge(part) { $1 } }
                return merged
            }
            for task in 0..<tasks {
                #expect(consumed[metrics[task]] == incomingSeries(Array(0..<adds)), "task \(task)")
            }
            let sharedSeries = try #require(consumed[shared])
            #expect(sharedSeries.count == tasks * adds)
            for task in 0..<tasks {
                let values = zip(sharedSeries.timestamps, sharedSeries.values).filter { $0.0 == Int64(task) }.map(\.1)
                #expect(values == (0..<adds).map(Double.init), "task \(task) in arrival order")
            }
            #expect(try await consumer.backlog() == Backlog())
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func concurrentConsumersOfDifferentSacksInOneProcessKeepEveryMark() async throws {
        try await withFileIncoming(sacks: 16) { driver, directory in
            var measures: [UUID: PendingMeasures] = [:]
            for sack in 0..<16 { measures[incomingMetric(inSack: sack, of: 16)] = incomingSeries([sack]) }
            try await driver.add(measures)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for sack in 0..<16 {
                    group.addTask { try await driver.delete(try await driver.read(sack: sack).handles) }
                }
                try await group.waitForAll()
            }
            // Every mark is in the shared marks file: another process sees nothing left.
            #expect(try await incomingDriver(directory).backlog() == Backlog())
            #expect(try await incomingDriver(directory).sacksWithMeasures().isEmpty)
            let marks = String(try #require(try incomingSegments(directory).first).dropLast(".log".count)) + ".marks"
            #expect(try FileManager.default.attributesOfItem(atPath: marks)[.size] as? Int == 64 + 16 * 64)
        }
    }

    @Test func aTornMarkLeftByACrashIsCutAndTheMarksBeforeAndAfterItCount() async throws {
        try await withFileIncoming(sacks: 1) { driver, directory in
            let a = UUID(), b = UUID()
            try await driver.add([a: incomingSeries([1]), b: incomingSeries([2])])
            try await driver.delete(try await driver.read(metric: a).handles)
            let segment = try #require(try incomingSegments(directory).first)
            let marks = String(segment.dropLast(".log".count)) + ".marks"
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: marks))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(repeating: 0xA5, count: 30))
            try handle.close()

            let other = try incomingDriver(directory)
            #expect(try await other.read(sack: 0).measures == [b: incomingSeries([2])])
            try await other.delete(try await other.read(metric: b).handles)
            #expect(try await incomingDriver(directory).backlog() == Backlog())
            #expect(try FileManager.default.attributesOfItem(atPath: marks)[.size] as? Int == 64 + 2 * 64)
        }
    }

    @Test func batchFilesOfEarlierVersionsAreReadBeforeTheLogAndConsumed() async throws {
        try await withFileIncoming(sacks: 2) { driver, directory in
            let metric = incomingMetric(inSack: 1, of: 2)
            let name = "00000000000000000001-0000000000000000.batch"
            try incomingWriteBatchFile(directory, sacks: 2, sack: 1, name: name, [(metric, incomingSeries([1]))])
            try await driver.add([metric: incomingSeries([2])])
            #expect(try await driver.sacksWithMeasures() == [1])
            #expect(try await driver.backlog().measures == 2)
            let batch = try await driver.read(sack: 1)
            #expect(batch.measures == [metric: incomingSeries([1, 2])])
            #expect(batch.handles.count == 2)
            #expect(batch.handles.contains(IncomingHandle(sack: 1, key: name)))
            try await driver.delete(batch.handles)
            #expect(try incomingBatchFiles(directory, sacks: 2, sack: 1).isEmpty)
            #expect(try await driver.sacksWithMeasures().isEmpty)
        }
    }

    @Test func storageInitializedBeforeTheLogExistedIsOpened() async throws {
        try await TemporaryDirectory.with(prefix: "stratus-incoming") { directory in
            try FileIncomingDriver.initialize(basePath: directory.path, sacks: 2)
            try FileManager.default.removeItem(atPath: directory.path + "/wal")
            let driver = try incomingDriver(directory)
            let metric = UUID()
            try await driver.add([metric: incomingSeries([1])])
            #expect(try await driver.read(metric: metric).measures == [metric: incomingSeries([1])])
        }
    }

    @Test func handleKeysAreCheckedAndUnknownSegmentsTolerated() async throws {
        try await withFileIncoming(sacks: 1) { driver, _ in
            for key in ["../x.log@5", "00000000000000000001-0000000000000000.log@-1", "00000000000000000001-000000000000000g.log@1", "x"] {
                await #expect(throws: IncomingError.self, "\(key)") { try await driver.delete([IncomingHandle(sack: 0, key: key)]) }
            }
            try await driver.delete([IncomingHandle(sack: 0, key: "00000000000000000001-0000000000000000.log@12")])
        }
    }
}
