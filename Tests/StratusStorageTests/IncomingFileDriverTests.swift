import Foundation
import Logging
import Synchronization
import StratusTesting
import Testing
@testable import StratusStorage
/// A log handler keeping every entry, for checking what the incoming driver reports.
final class IncomingCapturingLogHandler: LogHandler, Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    private let storage = Mutex<(entries: [Entry], metadata: Logger.Metadata, level: Logger.Level)>(([], [:], .trace))

    var entries: [Entry] { self.storage.withLock { $0.entries } }

    var metadata: Logger.Metadata {
        get { self.storage.withLock { $0.metadata } }
        set { self.storage.withLock { $0.metadata = newValue } }
    }

    var logLevel: Logger.Level {
        get { self.storage.withLock { $0.level } }
        set { self.storage.withLock { $0.level = newValue } }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        self.storage.withLock {
            $0.entries.append(Entry(level: event.level, message: "\(event.message)", metadata: event.metadata ?? [:]))
        }
    }

    var logger: Logger { Logger(label: "test.incoming", factory: { _ in self }) }
}

/// Runs `body` with a file incoming driver over a fresh directory, removed afterwards.
func withFileIncoming<T>(
    sacks: Int = 8,
    logHandler: IncomingCapturingLogHandler = IncomingCapturingLogHandler(),
    limits: IncomingLogLimits = IncomingLogLimits(),
    _ body: (FileIncomingDriver, TemporaryDirectory) async throws -> T
) async throws -> T {
    try await TemporaryDirectory.with(prefix: "stratus-incoming") { directory in
        try FileIncomingDriver.initialize(basePath: directory.path, sacks: sacks)
        let driver = try FileIncomingDriver(basePath: directory.path, logger: logHandler.logger, limits: limits)
        return try await body(driver, directory)
    }
}

/// Measures with timestamps `start..<start+count` seconds (in ns) and values equal to the seconds.
func incomingSeries(_ seconds: [Int]) -> PendingMeasures {
    PendingMeasures(timestamps: seconds.map { Int64($0) * 1_000_000_000 }, values: seconds.map(Double.init))
}

/// The batch files (written by versions before the log) of a sack directory, sorted.
func incomingBatchFiles(_ directory: TemporaryDirectory, sacks: Int, sack: Int) throws -> [String] {
    let path = directory.path + "/" + IncomingSacks.name(of: sack, sackCount: sacks)
    return try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".batch") && !$0.hasPrefix(".") }.sorted()
}

/// Writes a batch file as versions before the log did; returns its path.
@discardableResult
func incomingWriteBatchFile(
    _ directory: TemporaryDirectory, sacks: Int, sack: Int, name: String, _ records: [(metric: UUID, measures: PendingMeasures)]
) throws -> String {
    let path = directory.path + "/" + IncomingSacks.name(of: sack, sackCount: sacks) + "/" + name
    try Data(IncomingBatchFormat.encode(records)).write(to: URL(fileURLWithPath: path))
    return path
}

/// A metric id that falls in `sack` out of `sacks`.
func incomingMetric(inSack sack: Int, of sacks: Int) -> UUID {
    while true {
        let id = UUID()
        if IncomingSacks.sack(of: id, sackCount: sacks) == sack { return id }
    }
}

@Suite("File incoming driver")
struct IncomingFileDriverTests {
    // Expected values computed with Python: uuid.UUID(s).int % n.
    @Test(arguments: [
        ("5a301761-f78b-46e2-8900-8b4f6fe6675a", [0, 0, 4, 90, 834, 39824]),
        ("00000000-0000-0000-0000-000000000000", [0, 0, 0, 0, 0, 0]),
        ("ffffffff-ffff-ffff-ffff-ffffffffffff", [0, 1, 3, 127, 455, 0]),
        ("c5d2b4f2-6f5e-4a0a-9f3b-3d3a1d2e4b5c", [0, 0, 4, 92, 492, 31022]),
        ("0c8e7a6b-1b2c-4d3e-8f4a-5b6c7d8e9f01", [0, 1, 2, 1, 281, 63146]),
        ("9b9e1f3a-77c4-4b0e-b8d2-0a1b2c3d4e5f", [0, 1, 2, 95, 415, 47925]),
    ])
    func sackEqualsGnocchisIntModuloSacks(uuid: String, expected: [Int]) throws {
        let id = try #require(UUID(uuidString: uuid))
        let counts = [1, 2, 7, 128, 1000, 65535]
        #expect(counts.map { IncomingSacks.sack(of: id, sackCount: $0) } == expected)
    }

    @Test func initializeWritesGnocchiSackLayout() async throws {
        try await withFileIncoming(sacks: 4) { driver, directory in
            #expect(driver.sackCount == 4)
            let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            #expect(names == ["incoming4-0", "incoming4-1", "incoming4-2", "incoming4-3", "sacks", "wal"])
            #expect(try String(contentsOfFile: directory.path + "/sacks", encoding: .utf8) == "4\n")
            #expect(try FileIncomingDriver.storedSackCount(basePath: directory.path) == 4)
            let id = try #require(UUID(uuidString: "5a301761-f78b-46e2-8900-8b4f6fe6675a"))
            #expect(driver.sack(of: id) == 2)  // 90 % 4
        }
    }

    @Test func measuresRoundTripPerMetricAndSack() async throws {
        try await withFileIncoming(sacks: 4) { driver, _ in
            let a = incomingMetric(inSack: 1, of: 4)
            let b = incomingMetric(inSack: 1, of: 4)
            let c = incomingMetric(inSack: 3, of: 4)
            let special = PendingMeasures(
                timestamps: [.min, -1, 0, .max],
                values: [.nan, -.infinity, -0.0, .greatestFiniteMagnitude]
            )
            try await driver.add([a: incomingSeries([1, 2, 3]), b: special, c: incomingSeries([7])])
            #expect(try await driver.sacksWithMeasures() == [1, 3])

            let one = try await driver.read(sack: 1)
            #expect(one.sack == 1)
            #expect(Set(one.measures.keys) == [a, b])
            #expect(one.measures[a] == incomingSeries([1, 2, 3]))
            let readSpecial = try #require(one.measures[b])
            #expect(readSpecial.timestamps == special.timestamps)
            #expect(readSpecial.values.map(\.bitPattern) == special.values.map(\.bitPattern))
            #expect(one.handles.count == 1)

            let three = try await driver.read(sack: 3)
            #expect(three.measures == [c: incomingSeries([7])])
            #expect(try await driver.read(sack: 0).measures.isEmpty)
            #expect(try await driver.read(sack: 0).handles.isEmpty)
        }
    }

    @Test func addWithNothingWritesNothing() async throws {
        try await withFileIncoming { driver, _ in
            try await driver.add([:])
            try await driver.add([UUID(): PendingMeasures()])
            #expect(try await driver.sacksWithMeasures().isEmpty)
        }
    }

    @Test func mismatchedTimestampsAndValuesAreRejected() async throws {
        try await withFileIncoming { driver, _ in
            let error = await #expect(throws: IncomingError.self) {
                try await driver.add([UUID(): PendingMeasures(timestamps: [1, 2], values: [1])])
            }
            #expect(error?.code == .invalidMeasures)
            let sacks = try await driver.sacksWithMeasures()
            #expect(sacks.isEmpty)
        }
    }

    @Test func arrivalOrderIsKeptWithDuplicatesAndUnsortedTimestamps() async throws {
        try await withFileIncoming(sacks: 1) { driver, _ in
            let metric = UUID()
            let chunks = [[5, 3, 5], [1], [9, 9, 2], [4]]
            for chunk in chunks {
                try await driver.add([metric: incomingSeries(chunk)])
            }
            let batch = try await driver.read(sack: 0)
            #expect(batch.measures[metric] == incomingSeries(chunks.flatMap { $0 }))
            #expect(batch.handles.count == 1)  // one log segment
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func concurrentWritersAreAllDurableAndNoneLost() async throws {
        try await withFileIncoming(sacks: 8) { driver, directory in
            let writers = 16
            let addsPerWriter = 40
            let metrics = (0..<writers).map { _ in UUID() }
            let shared = UUID()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        for add in 0..<addsPerWriter {
                            // Every writer also adds to a shared metric, so batches mix writers.
                            let own = incomingSeries([add * 10, add * 10 + 1])
                            let mine = PendingMeasures(timestamps: [Int64(writer)], values: [Double(add)])
                            try await driver.add([metrics[writer]: own, shared: mine])
                        }
                    }
                }
                try await group.waitForAll()
            }
            // Read back through a fresh driver: only what reached the disk counts.
            let reopened = try FileIncomingDriver(basePath: directory.path, logger: Logger(label: "test"))
            var all: [UUID: PendingMeasures] = [:]
            for sack in try await reopened.sacksWithMeasures() {
                for (metric, series) in try await reopened.read(sack: sack).measures {
                    all[metric, default: PendingMeasures()].append(contentsOf: series)
                }
            }
            let expectedOwn = incomingSeries((0..<addsPerWriter).flatMap { [$0 * 10, $0 * 10 + 1] })
            for writer in 0..<writers {
                #expect(all[metrics[writer]] == expectedOwn, "writer \(writer)")
            }
            let sharedSeries = try #require(all[shared])
            #expect(sharedSeries.count == writers * addsPerWriter)
            for writer in 0..<writers {
                let values = zip(sharedSeries.timestamps, sharedSeries.values).filter { $0.0 == Int64(writer) }.map(\.1)
                #expect(values == (0..<addsPerWriter).map(Double.init), "writer \(writer) in arrival order")
            }
            let backlog = try await reopened.backlog()
            #expect(backlog.measures == writers * addsPerWriter * 3)
            #expect(backlog.metrics == writers + 1)
        }
    }

    @Test func deleteRemovesOnlyTheGivenHandles() async throws {
        try await withFileIncoming(sacks: 2) { driver, _ in
            let metric = incomingMetric(inSack: 0, of: 2)
            let other = incomingMetric(inSack: 1, of: 2)
            try await driver.add([metric: incomingSeries([1, 2]), other: incomingSeries([3])])
            let first = try await driver.read(sack: 0)
            try await driver.add([metric: incomingSeries([4])])  // arrives while "processing"
            try await driver.delete(first.handles)

            let after = try await driver.read(sack: 0)
            #expect(after.measures == [metric: incomingSeries([4])])
            #expect(after.handles.count == 1)
            #expect(Set(after.handles).isDisjoint(with: first.handles))
            #expect(try await driver.read(sack: 1).measures == [other: incomingSeries([3])])

            try await driver.delete(first.handles)  // already gone: no error
            try await driver.delete(after.handles)
            #expect(try await driver.sacksWithMeasures() == [1])
        }
    }

    @Test func backlogCountsMetricsAndMeasures() async throws {
        try await withFileIncoming(sacks: 4) { driver, _ in
            #expect(try await driver.backlog() == Backlog())
            let a = UUID(), b = UUID()
            try await driver.add([a: incomingSeries([1, 2, 3]), b: incomingSeries([1])])
            try await driver.add([a: incomingSeries([4])])
            let backlog = try await driver.backlog()
            #expect(backlog == Backlog(metrics: 2, measures: 5, perMetric: [a: 4, b: 1]))
        }
    }

    @Test func readMetricReturnsAndDeletesOnlyThatMetric() async throws {
        try await withFileIncoming(sacks: 1) { driver, _ in
            let a = UUID(), b = UUID()
            try await driver.add([a: incomingSeries([1]), b: incomingSeries([2])])
            try await driver.add([b: incomingSeries([3])])
            try await driver.add([a: incomingSeries([4])])

            let onlyA = try await driver.read(metric: a)
            #expect(onlyA.sack == 0)
            #expect(onlyA.measures == [a: incomingSeries([1, 4])])
            #expect(onlyA.handles.count == 1)
            #expect(onlyA.handles.allSatisfy { $0.metric == a })

            try await driver.delete(onlyA.handles)
            #expect(try await driver.read(metric: a).measures.isEmpty)
            let rest = try await driver.read(sack: 0)
            #expect(rest.measures == [b: incomingSeries([2, 3])])
            #expect(rest.handles.count == 1)
            #expect(try await driver.backlog() == Backlog(metrics: 1, measures: 2, perMetric: [b: 2]))
        }
    }

    @Test func truncatedBatchFileYieldsItsIntactRecordsAndIsStillDeleted() async throws {
        let logs = IncomingCapturingLogHandler()
        try await withFileIncoming(sacks: 1, logHandler: logs) { driver, directory in
            let a = UUID(), b = UUID(), later = UUID()
            let path = try incomingWriteBatchFile(
                directory, sacks: 1, sack: 0, name: "00000000000000000001-0000000000000000.batch",
                [(a, incomingSeries([1, 2])), (b, incomingSeries([3, 4]))]
            )
            try incomingWriteBatchFile(directory, sacks: 1, sack: 0, name: "00000000000000000002-0000000000000000.batch", [(later, incomingSeries([5]))])
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            try bytes.prefix(bytes.count - 5).write(to: URL(fileURLWithPath: path))

            let batch = try await driver.read(sack: 0)
            #expect(batch.measures == [a: incomingSeries([1, 2]), later: incomingSeries([5])])
            #expect(batch.handles.count == 2)
            let entry = try #require(logs.entries.first { $0.metadata["incoming.path"] != nil })
            #expect(entry.metadata["incoming.path"] == "\(path)")
            #expect(entry.metadata["sack"] == "0")

            try await driver.delete(batch.handles)
            #expect(try incomingBatchFiles(directory, sacks: 1, sack: 0).isEmpty)
        }
    }

    @Test func corruptChecksumInABatchFileDropsTheDamagedRecordAndWhatFollows() async throws {
        let logs = IncomingCapturingLogHandler()
        try await withFileIncoming(sacks: 1, logHandler: logs) { driver, directory in
            let a = UUID(), b = UUID()
            let name = "00000000000000000001-0000000000000000.batch"
            let path = try incomingWriteBatchFile(directory, sacks: 1, sack: 0, name: name, [(a, incomingSeries([1, 2])), (b, incomingSeries([3, 4]))])
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes[bytes.count - 1] ^= 0x40  // a value bit of the second record
            try bytes.write(to: URL(fileURLWithPath: path))

            let batch = try await driver.read(sack: 0)
            #expect(Array(batch.measures.keys) == [a])
            #expect(batch.handles == [IncomingHandle(sack: 0, key: name)])
            #expect(logs.entries.contains { $0.metadata["incoming.damage"]?.description.hasPrefix("checksumMismatch") == true })
            #expect(try await driver.backlog().measures == 4)  // the backlog does not verify batch files
        }
    }

    @Test(arguments: [
        [UInt8](),
        [0x02, 0x00],  // unknown version
        [0x01, 0xFF, 0xFF],  // short header
        [0x01] + [UInt8](repeating: 0xAB, count: 16) + [0xFF, 0xFF, 0xFF, 0xFF] + [0, 0, 0, 0],  // huge count
        (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) },
    ])
    func garbageFilesNeverCrashAndLeaveOtherFilesIntact(garbage: [UInt8]) async throws {
        try await withFileIncoming(sacks: 2) { driver, directory in
            let metric = incomingMetric(inSack: 0, of: 2)
            let elsewhere = incomingMetric(inSack: 1, of: 2)
            try await driver.add([metric: incomingSeries([1])])
            try await driver.add([elsewhere: incomingSeries([2])])
            let garbageName = "00000000000000000001-0000000000000000.batch"  // sorts first
            try Data(garbage).write(to: URL(fileURLWithPath: directory.path + "/incoming2-0/" + garbageName))

            let batch = try await driver.read(sack: 0)
            #expect(batch.measures[metric] == incomingSeries([1]))
            #expect(batch.handles.contains(IncomingHandle(sack: 0, key: garbageName)))
            #expect(try await driver.read(metric: metric).measures[metric] == incomingSeries([1]))
            _ = try await driver.backlog()
            #expect(try await driver.read(sack: 1).measures == [elsewhere: incomingSeries([2])])
            try await driver.delete(batch.handles)
            #expect(try incomingBatchFiles(directory, sacks: 2, sack: 0).isEmpty)
        }
    }

    @Test func temporaryFilesAreIgnoredAndStaleOnesRemoved() async throws {
        try await withFileIncoming(sacks: 1) { driver, directory in
            let sackPath = directory.path + "/incoming1-0/"
            let fresh = sackPath + ".tmp-fresh.batch.1"
            let stale = sackPath + ".tmp-stale.batch.2"
            try Data([1, 2, 3]).write(to: URL(fileURLWithPath: fresh))
            try Data([1, 2, 3]).write(to: URL(fileURLWithPath: stale))
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -120)], ofItemAtPath: stale)

            #expect(try await driver.sacksWithMeasures().isEmpty)
            #expect(try await driver.backlog() == Backlog())
            let batch = try await driver.read(sack: 0)
            #expect(batch.handles.isEmpty)
            #expect(FileManager.default.fileExists(atPath: fresh))
            #expect(!FileManager.default.fileExists(atPath: stale))
        }
    }

    @Test func initializeIsIdempotentAndKeepsMeasures() async throws {
        try await withFileIncoming(sacks: 4) { driver, directory in
            let metric = incomingMetric(inSack: 0, of: 4)
            try await driver.add([metric: incomingSeries([1])])
            try FileManager.default.removeItem(atPath: directory.path + "/incoming4-3")
            try FileIncomingDriver.initialize(basePath: directory.path, sacks: 4)
            #expect(FileManager.default.fileExists(atPath: directory.path + "/incoming4-3"))
            #expect(try await driver.backlog().measures == 1)
        }
    }

    @Test func changingTheNumberOfSacksIsRefusedWhileMeasuresWait() async throws {
        try await withFileIncoming(sacks: 4) { driver, directory in
            let metric = UUID()
            try await driver.add([metric: incomingSeries([1])])
            let error = #expect(throws: IncomingError.self) {
                try FileIncomingDriver.initialize(basePath: directory.path, sacks: 16)
            }
            #expect(error?.code == .backlogNotEmpty)
            #expect(error?.message.contains("4 to 16") == true)
            #expect(try FileIncomingDriver.storedSackCount(basePath: directory.path) == 4)

            try await driver.delete(try await driver.read(sack: driver.sack(of: metric)).handles)
            try FileIncomingDriver.initialize(basePath: directory.path, sacks: 16)
            let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            #expect(names.filter { $0.hasPrefix("incoming16-") }.count == 16)
            #expect(!names.contains { $0.hasPrefix("incoming4-") })
            let reopened = try FileIncomingDriver(basePath: directory.path, logger: Logger(label: "test"))
            #expect(reopened.sackCount == 16)
            try await reopened.add([metric: incomingSeries([2])])
            #expect(try await reopened.read(metric: metric).measures == [metric: incomingSeries([2])])
        }
    }

    @Test(arguments: [0, -1, 65536])
    func sackCountsOutsideTheRangeAreRefused(count: Int) throws {
        let directory = try TemporaryDirectory(prefix: "stratus-incoming")
        defer { directory.remove() }
        let error = #expect(throws: IncomingError.self) {
            try FileIncomingDriver.initialize(basePath: directory.path, sacks: count)
        }
        #expect(error?.code == .invalidSackCount)
    }

    @Test func openingUninitializedOrBrokenStorageFailsClearly() throws {
        let directory = try TemporaryDirectory(prefix: "stratus-incoming")
        defer { directory.remove() }
        let missing = #expect(throws: IncomingError.self) {
            try FileIncomingDriver(basePath: directory.path, logger: Logger(label: "test"))
        }
        #expect(missing?.code == .notInitialized)
        try Data("lots\n".utf8).write(to: directory.appending("sacks"))
        let broken = #expect(throws: IncomingError.self) {
            try FileIncomingDriver(basePath: directory.path, logger: Logger(label: "test"))
        }
        #expect(broken?.code == .invalidConfiguration)
        #expect(broken?.path == directory.path + "/sacks")
    }

    @Test func readingAnUnknownSackIsAnError() async throws {
        try await withFileIncoming(sacks: 2) { driver, _ in
            await #expect(throws: IncomingError.self) { try await driver.read(sack: 2) }
            await #expect(throws: IncomingError.self) {
                try await driver.delete([IncomingHandle(sack: 0, key: "../../etc/passwd")])
            }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func readingWhileWritingSeesOnlyCompleteBatches() async throws {
        try await withFileIncoming(sacks: 1) { driver, _ in
            let metric = UUID()
            let adds = 200
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for add in 0..<adds { try await driver.add([metric: incomingSeries([add, add])]) }
                }
                group.addTask {
                    var consumed: [Int64] = []
                    while consumed.count < adds * 2 {
                        let batch = try await driver.read(sack: 0)
                        let series = batch.measures[metric] ?? PendingMeasures()
                        #expect(series.count % 2 == 0)
                        consumed += series.timestamps
                        try await driver.delete(batch.handles)
                    }
                    let expected: [Int64] = (0..<adds).flatMap { add -> [Int64] in
                        let timestamp = Int64(add) * 1_000_000_000
                        return [timestamp, timestamp]
                    }
                    #expect(consumed == expected)
                }
                try await group.waitForAll()
            }
        }
    }
}
