import Foundation
import Testing
@testable import StratusStorage

@Suite("Incoming log format")
struct IncomingLogFormatTests {
    /// The frames of encoded bytes: header, and the records as (metric, measures).
    private func decode(_ bytes: [UInt8]) -> [(header: IncomingLogFormat.FrameHeader, records: [(UUID, PendingMeasures)])] {
        var frames: [(IncomingLogFormat.FrameHeader, [(UUID, PendingMeasures)])] = []
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                guard let header = IncomingLogFormat.decodeFrameHeader(UnsafeRawBufferPointer(rebasing: raw[offset..<offset + 24])) else {
                    Issue.record("damaged frame header at \(offset)")
                    return
                }
                let body = UnsafeRawBufferPointer(rebasing: raw[offset + 24..<offset + 24 + header.length])
                var records: [(UUID, PendingMeasures)] = []
                let damage = IncomingBatchFormat.walkRecords(body, from: 0) { id, payload, _ in
                    var measures = PendingMeasures()
                    IncomingBatchFormat.append(payload, to: &measures)
                    records.append((id, measures))
                }
                #expect(damage == nil)
                #expect(records.count == header.records)
                frames.append((header, records))
                offset += 24 + header.length
            }
        }
        return frames
    }

    @Test func aFlushIsOneFrameGroupedBySackKeepingEachMetricsOrder() {
        let sacks = 4
        let metrics = (0..<12).map { index in incomingMetric(inSack: index % sacks, of: sacks) }
        let items: [[UUID: PendingMeasures]] = (0..<3).map { item in
            Dictionary(uniqueKeysWithValues: metrics.map { ($0, incomingSeries([item * 10, item * 10 + 1])) })
        }
        var frames = IncomingLogFormat.encodeFrames(items, sackCount: sacks)
        #expect(frames.headers == [0])
        #expect(IncomingLogFormat.stamp(&frames, firstTime: 42) == 42)
        let decoded = self.decode(frames.bytes)
        #expect(decoded.count == 1)
        #expect(decoded[0].header.time == 42)
        let records = decoded[0].records
        #expect(records.count == 36)
        let recordSacks = records.map { IncomingSacks.sack(of: $0.0, sackCount: sacks) }
        #expect(recordSacks == recordSacks.sorted())
        for metric in metrics {
            let series = records.filter { $0.0 == metric }.map(\.1)
            #expect(series == (0..<3).map { incomingSeries([$0 * 10, $0 * 10 + 1]) })
        }
    }

    @Test func largeFlushesAreCutIntoFramesWithIncreasingTimes() {
        let metric = UUID()
        let items = (0..<5).map { [metric: incomingSeries([$0])] }
        let recordSize = 24 + 16
        var frames = IncomingLogFormat.encodeFrames(items, sackCount: 1, maxFrameBytes: 2 * recordSize)
        #expect(frames.headers.count == 3)
        #expect(IncomingLogFormat.stamp(&frames, firstTime: 100) == 102)
        let decoded = self.decode(frames.bytes)
        #expect(decoded.map(\.header.time) == [100, 101, 102])
        #expect(decoded.map(\.records.count) == [2, 2, 1])
        var joined = PendingMeasures()
        for frame in decoded { for record in frame.records { joined.append(contentsOf: record.1) } }
        #expect(joined == incomingSeries([0, 1, 2, 3, 4]))
    }

    @Test func emptyFlushesEncodeNothing() {
        #expect(IncomingLogFormat.encodeFrames([], sackCount: 8).bytes.isEmpty)
        #expect(IncomingLogFormat.encodeFrames([[UUID(): PendingMeasures()]], sackCount: 8).bytes.isEmpty)
    }

    @Test func everyBitFlipOfAFrameHeaderIsDetected() {
        var frames = IncomingLogFormat.encodeFrames([[UUID(): incomingSeries([1])]], sackCount: 1)
        _ = IncomingLogFormat.stamp(&frames, firstTime: 7)
        let header = Array(frames.bytes[0..<24])
        #expect(header.withUnsafeBytes { IncomingLogFormat.decodeFrameHeader($0) } == .init(length: 40, records: 1, time: 7))
        for index in header.indices {
            for bit in 0..<8 {
                var damaged = header
                damaged[index] ^= 1 << bit
                #expect(damaged.withUnsafeBytes { IncomingLogFormat.decodeFrameHeader($0) } == nil, "byte \(index) bit \(bit)")
            }
        }
        #expect([UInt8](repeating: 0, count: 24).withUnsafeBytes { IncomingLogFormat.decodeFrameHeader($0) } == nil)
    }

    @Test func marksRoundTripAndEveryBitFlipIsDetected() {
        let marks: [IncomingLogFormat.Mark] = [
            .init(kind: .sack, sackCount: 128, sack: 127, end: 1 << 40, metric: nil),
            .init(kind: .metric, sackCount: 65535, sack: 3, end: 9, metric: UUID()),
            .init(kind: .all, sackCount: 0, sack: 0, end: 8, metric: nil),
        ]
        for mark in marks {
            let bytes = IncomingLogFormat.encode(mark)
            #expect(bytes.count == 64)
            #expect(bytes.withUnsafeBytes { IncomingLogFormat.decodeMark($0) } == mark)
        }
        let bytes = IncomingLogFormat.encode(marks[1])
        for index in bytes.indices {
            var damaged = bytes
            damaged[index] ^= 0x10
            #expect(damaged.withUnsafeBytes { IncomingLogFormat.decodeMark($0) } == nil, "byte \(index)")
        }
    }

    @Test func theDurableEndOfAMarksHeaderIsSelfChecking() {
        let header = IncomingLogFormat.marksHeader(durableEnd: 123_456)
        #expect(header.count == 64)
        #expect(IncomingLogFormat.decodeDurableEnd(header) == 123_456)
        var updated = header
        updated.replaceSubrange(8..<20, with: IncomingLogFormat.durableEndField(99))
        #expect(IncomingLogFormat.decodeDurableEnd(updated) == 99)
        var torn = updated
        torn[9] ^= 1
        #expect(IncomingLogFormat.decodeDurableEnd(torn) == nil)
        #expect(IncomingLogFormat.decodeDurableEnd([UInt8](repeating: 0, count: 64)) == nil)
    }

    @Test func segmentAndHandleNamesAreStrict() {
        let name = BatchFileNamer(suffix: ".log").next()
        #expect(BatchFileNamer.isGeneratedName(name, suffix: ".log"))
        let key = IncomingLogReader.key(segment: String(name.dropLast(4)), end: 77)
        #expect(IncomingLogReader.parse(key: key)?.segment == String(name.dropLast(4)))
        #expect(IncomingLogReader.parse(key: key)?.end == 77)
        for bad in ["", "@1", name, name + "@", name + "@x", "/" + name + "@1", name.uppercased() + "@1", "../" + name + "@1"] {
            #expect(IncomingLogReader.parse(key: bad) == nil, "\(bad)")
        }
    }
}
