import Carbonara
import Foundation
import StratusIndex
import StratusStorage
import StratusTesting
import Testing

/// Where things are in a sack pack file (docs/storage-format.md, "Sack pack"): magic and version, the
/// consumed list (length, CRC, bytes), then per metric its id, length, CRC and blob.
struct SackPackLayout {
    struct Record {
        var metric: UUID
        /// From the id to the end of the blob.
        var range: Range<Int>
        var blob: Range<Int>
    }

    var consumed: Range<Int>
    var records: [Record]

    init(_ bytes: [UInt8]) throws {
        func varint(_ position: inout Int) throws -> Int {
            var result = 0, shift = 0
            while true {
                let byte = try #require(bytes.indices.contains(position) ? bytes[position] : nil)
                position += 1
                result |= Int(byte & 0x7F) << shift
                if byte < 0x80 { return result }
                shift += 7
            }
        }
        try #require(bytes.count >= 5 && Array(bytes[0..<4]) == Array("STRK".utf8))
        var position = 5
        let length = try varint(&position)
        position += 4
        consumed = position..<(position + length)
        position += length
        records = []
        while position < bytes.count {
            let start = position
            let id = Array(bytes[position..<(position + 16)]).withUnsafeBytes { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) }
            position += 16
            let size = try varint(&position)
            position += 4
            records.append(Record(metric: id, range: start..<(position + size), blob: position..<(position + size)))
            position += size
        }
    }

    func record(of metric: UUID) throws -> Record {
        try #require(records.first { $0.metric == metric })
    }
}

@Suite("File storage: damaged pack files")
struct FileStorageCorruptionTests {
    typealias D = SackTestData

    /// Three metrics of one sack with 20 processed measures each.
    private func prepare(_ fixture: TimeSeriesCoreFixture) async throws -> (ArchivePolicy, [Metric]) {
        let policy = try D.countingPolicy()
        var metrics = [Metric]()
        for _ in 0..<3 {
            let metric = try await fixture.createMetric(policy: policy)
            try await D.postSeconds(fixture, metric.id, from: 0, count: 20)
            metrics.append(metric)
        }
        try await fixture.drain()
        for metric in metrics { #expect(try await D.countTotal(fixture, metric, policy) == 20) }
        return (policy, metrics)
    }

    private func rewrite(_ path: String, _ change: (inout [UInt8]) throws -> Void) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        try change(&bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Posts 5 more measures per metric (20 s ..< 25 s) and processes them.
    private func processMore(_ fixture: TimeSeriesCoreFixture, _ metrics: [Metric]) async throws -> ProcessingReport {
        for metric in metrics { try await D.postSeconds(fixture, metric.id, from: 20, count: 5) }
        return try await fixture.drain()
    }

    private func damageLogs(_ fixture: TimeSeriesCoreFixture, path: String) -> [TimeSeriesCoreFixture.LogRecorder.Entry] {
        fixture.logs.entries(mentioning: path).filter { $0.level >= .error }
    }

    @Test func flippedBytesInOneRecordLoseOnlyThatMetric() async throws {
        try await TimeSeriesCoreFixture.with(sacks: 1) { fixture in
            let (policy, metrics) = try await prepare(fixture)
            let path = fixture.packPath(sack: 0)
            let victim = metrics[1]
            try rewrite(path) { bytes in
                let blob = try SackPackLayout(bytes).record(of: victim.id).blob
                bytes[blob.lowerBound + blob.count / 2] ^= 0xFF
                bytes[blob.upperBound - 1] ^= 0x01
            }

            #expect(try await fixture.storage.read(metric: victim.id, sack: 0) == nil)
            #expect(!damageLogs(fixture, path: path).isEmpty, "the damage is logged with the pack path")
            #expect(fixture.logs.entries(mentioning: victim.id.uuidString.lowercased()).contains { $0.level >= .error })
            for metric in metrics where metric != victim {
                #expect(try await D.countTotal(fixture, metric, policy) == 20)
            }

            let report = try await processMore(fixture, metrics)
            #expect(report.metrics == 3)
            #expect(try await D.countTotal(fixture, metrics[0], policy) == 25)
            #expect(try await D.countTotal(fixture, metrics[2], policy) == 25)
            #expect(try await D.countTotal(fixture, victim, policy) == 5, "rebuilt from the new measures")
            #expect(try await fixture.incoming.backlog() == Backlog())
            // The rewritten pack is whole again.
            let layout = try SackPackLayout([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
            #expect(Set(layout.records.map(\.metric)) == Set(metrics.map(\.id)))
        }
    }

    @Test func aTruncatedPackKeepsTheRecordsBeforeTheCut() async throws {
        try await TimeSeriesCoreFixture.with(sacks: 1) { fixture in
            let (policy, metrics) = try await prepare(fixture)
            let path = fixture.packPath(sack: 0)
            var lost: UUID?
            try rewrite(path) { bytes in
                let last = try #require(try SackPackLayout(bytes).records.last)
                lost = last.metric
                bytes.removeSubrange((last.blob.lowerBound + last.blob.count / 2)...)
            }
            let victim = try #require(metrics.first { $0.id == lost })

            #expect(try await fixture.storage.read(metric: victim.id, sack: 0) == nil)
            #expect(!damageLogs(fixture, path: path).isEmpty)
            for metric in metrics where metric != victim {
                #expect(try await D.countTotal(fixture, metric, policy) == 20)
            }

            _ = try await processMore(fixture, metrics)
            for metric in metrics {
                #expect(try await D.countTotal(fixture, metric, policy) == (metric == victim ? 5 : 25))
            }
        }
    }

    @Test func aPackCutInsideTheFirstRecordHeaderKeepsProcessingGoing() async throws {
        try await TimeSeriesCoreFixture.with(sacks: 1) { fixture in
            let (policy, metrics) = try await prepare(fixture)
            let path = fixture.packPath(sack: 0)
            try rewrite(path) { bytes in
                let first = try #require(try SackPackLayout(bytes).records.first)
                bytes.removeSubrange((first.range.lowerBound + 7)...)
            }
            for metric in metrics { #expect(try await fixture.storage.read(metric: metric.id, sack: 0) == nil) }
            #expect(!damageLogs(fixture, path: path).isEmpty)

            let report = try await processMore(fixture, metrics)
            #expect(report.metrics == 3)
            for metric in metrics { #expect(try await D.countTotal(fixture, metric, policy) == 5) }
        }
    }

    @Test func aPackWithAnotherMagicIsIgnoredAndReplaced() async throws {
        try await TimeSeriesCoreFixture.with(sacks: 1) { fixture in
            let (policy, metrics) = try await prepare(fixture)
            let path = fixture.packPath(sack: 0)
            try rewrite(path) { bytes in bytes.replaceSubrange(0..<4, with: Array("JUNK".utf8)) }
            #expect(try await fixture.storage.load(sack: 0).metrics.isEmpty)
            #expect(!damageLogs(fixture, path: path).isEmpty)

            _ = try await processMore(fixture, metrics)
            for metric in metrics { #expect(try await D.countTotal(fixture, metric, policy) == 5) }
            #expect(try SackPackLayout([UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))).records.count == 3)
        }
    }

    @Test func aDamagedConsumedListKeepsEveryMetric() async throws {
        try await TimeSeriesCoreFixture.with(sacks: 1) { fixture in
            let (policy, metrics) = try await prepare(fixture)
            let path = fixture.packPath(sack: 0)
            try rewrite(path) { bytes in
                let consumed = try SackPackLayout(bytes).consumed
                try #require(!consumed.isEmpty)
                bytes[consumed.lowerBound] ^= 0x5A
            }
            let contents = try await fixture.storage.load(sack: 0)
            #expect(contents.consumed.isEmpty)
            #expect(Set(contents.metrics.keys) == Set(metrics.map(\.id)))
            #expect(!damageLogs(fixture, path: path).isEmpty)

            _ = try await processMore(fixture, metrics)
            for metric in metrics { #expect(try await D.countTotal(fixture, metric, policy) == 25) }
        }
    }

    @Test func leftoverTemporaryPackFilesAreNotReadAndAreRemovedWhenStale() async throws {
        try await TimeSeriesCoreFixture.with(sacks: 1) { fixture in
            let (policy, metrics) = try await prepare(fixture)
            // What a crash while writing the next pack leaves behind: a partial temporary file.
            let temporary = fixture.packPath(sack: 0) + ".tmp-" + UUID().uuidString
            try Data("STRK".utf8).write(to: URL(fileURLWithPath: temporary))
            // Written an hour ago: no writer can still be using it.
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3_600)], ofItemAtPath: temporary)
            for metric in metrics { #expect(try await D.countTotal(fixture, metric, policy) == 20) }
            _ = try await processMore(fixture, metrics)
            for metric in metrics { #expect(try await D.countTotal(fixture, metric, policy) == 25) }
            #expect(!FileManager.default.fileExists(atPath: temporary), "stale temporary pack left behind")
            
        }
    }

    @Test func aMissingPackIsAnEmptySack() async throws {
        try await TimeSeriesCoreFixture.with(sacks: 2) { fixture in
            let contents = try await fixture.storage.load(sack: 1)
            #expect(contents.metrics.isEmpty && contents.consumed.isEmpty)
            #expect(try await fixture.storage.read(metric: UUID(), sack: 1) == nil)
            #expect(fixture.logs.entries.allSatisfy { $0.level < .error })
        }
    }
}
