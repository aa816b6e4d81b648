import Foundation
import Testing
@testable import StratusStorage

@Suite("Incoming batch format")
struct IncomingBatchFormatTests {
    private func decode(_ bytes: [UInt8], only metric: UUID? = nil) -> (records: [(UUID, PendingMeasures)], damage: IncomingBatchFormat.Damage?) {
        var records: [(UUID, PendingMeasures)] = []
        let damage = bytes.withUnsafeBytes { raw in
            IncomingBatchFormat.walk(raw, only: metric) { id, payload in
                var measures = PendingMeasures()
                IncomingBatchFormat.append(payload, to: &measures)
                records.append((id, measures))
            }
        }
        return (records, damage)
    }

    @Test func crc32MatchesZlib() {
        // zlib.crc32(b"123456789") == 0xCBF43926; zlib.crc32(bytes(range(256))) == 0x29058C73
        #expect(Array("123456789".utf8).withUnsafeBytes { CRC32.checksum($0) } == 0xCBF4_3926)
        #expect((0..<256).map(UInt8.init).withUnsafeBytes { CRC32.checksum($0) } == 0x2905_8C73)
        #expect([UInt8]().withUnsafeBytes { CRC32.checksum($0) } == 0)
    }

    @Test func encodesTheDocumentedLayout() throws {
        let id = try #require(UUID(uuidString: "00112233-4455-6677-8899-aabbccddeeff"))
        let bytes = IncomingBatchFormat.encode([(id, PendingMeasures(timestamps: [1], values: [2.0]))])
        #expect(bytes.count == 1 + 24 + 16)
        #expect(bytes[0] == 1)
        #expect(Array(bytes[1..<17]) == [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF])
        #expect(Array(bytes[17..<21]) == [1, 0, 0, 0])
        #expect(Array(bytes[25..<33]) == [1, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[33..<41]) == [0, 0, 0, 0, 0, 0, 0, 0x40])
        // The checksum covers the id, the count and the measures.
        let covered = Array(bytes[1..<21]) + Array(bytes[25...])
        let stored = UInt32(bytes[21]) | UInt32(bytes[22]) << 8 | UInt32(bytes[23]) << 16 | UInt32(bytes[24]) << 24
        #expect(covered.withUnsafeBytes { CRC32.checksum($0) } == stored)
    }

    @Test func recordsDecodeInOrderAndCanBeFiltered() {
        let a = UUID(), b = UUID()
        let records = [
            (a, PendingMeasures(timestamps: [3, 1], values: [0.5, -1])),
            (b, PendingMeasures(timestamps: [2], values: [7])),
            (a, PendingMeasures(timestamps: [1], values: [9])),
        ]
        let bytes = IncomingBatchFormat.encode(records.map { (metric: $0.0, measures: $0.1) })
        let all = self.decode(bytes)
        #expect(all.damage == nil)
        #expect(all.records.map(\.0) == [a, b, a])
        #expect(all.records.map(\.1) == records.map(\.1))
        let onlyA = self.decode(bytes, only: a)
        #expect(onlyA.records.map(\.0) == [a, a])
    }

    @Test func everyTruncationYieldsAPrefixOfTheRecords() {
        let records = (0..<3).map { index in
            (metric: UUID(), measures: PendingMeasures(timestamps: (0..<3).map { Int64($0 + index) }, values: [1, 2, 3]))
        }
        let bytes = IncomingBatchFormat.encode(records)
        for length in 0..<bytes.count {
            let decoded = self.decode(Array(bytes.prefix(length)))
            let recordSize = 24 + 3 * 16
            let atBoundary = length >= 1 && (length - 1) % recordSize == 0  // a shorter but valid file
            #expect((decoded.damage == nil) == atBoundary, "length \(length)")
            let intact = length < 1 ? 0 : (length - 1) / recordSize
            #expect(decoded.records.map(\.0) == records.prefix(intact).map(\.metric), "length \(length)")
        }
    }

    @Test func everySingleBitFlipIsDetectedOrHarmless() {
        let records = [(metric: UUID(), measures: PendingMeasures(timestamps: [1, 2], values: [3, 4]))]
        let bytes = IncomingBatchFormat.encode(records)
        for index in bytes.indices {
            for bit in 0..<8 {
                var damaged = bytes
                damaged[index] ^= 1 << bit
                let decoded = self.decode(damaged)
                #expect(decoded.damage != nil, "byte \(index) bit \(bit)")
                #expect(decoded.records.isEmpty)
            }
        }
    }

    @Test func randomBytesNeverCrash() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let length = Int.random(in: 0..<300, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if !bytes.isEmpty { bytes[0] = 1 }
            _ = self.decode(bytes)
            _ = self.decode(bytes, only: UUID())
        }
    }

    @Test func largeSeriesAreSplitIntoRecords() {
        let count = 1000 + 3
        let measures = PendingMeasures(timestamps: (0..<count).map(Int64.init), values: (0..<count).map(Double.init))
        let id = UUID()
        let bytes = IncomingBatchFormat.encode([(id, measures)], maxMeasuresPerRecord: 1000)
        #expect(bytes.count == 1 + 2 * 24 + count * 16)
        let decoded = self.decode(bytes)
        #expect(decoded.records.count == 2)
        var joined = PendingMeasures()
        for record in decoded.records { joined.append(contentsOf: record.1) }
        #expect(joined == measures)
    }
}
