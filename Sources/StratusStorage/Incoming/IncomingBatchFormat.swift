import Foundation

/// The binary format of an incoming batch file (see `docs/storage-format.md`, "Incoming batches").
///
/// A version byte, then records: metric id (16 bytes, RFC 4122 order), count (UInt32 LE),
/// CRC-32 (UInt32 LE) of the id, count and payload, then count × (Int64 LE ns, Float64 LE value).
enum IncomingBatchFormat {
    /// The version byte of the files this code writes.
    static let version: UInt8 = 1
    /// Size of a record header: id, count, checksum.
    static let recordHeaderSize = 24
    /// Size of one encoded measure.
    static let measureSize = 16
    /// The largest number of measures in one record; longer series are split over several.
    static let maxMeasuresPerRecord = 1 << 24

    /// Where and how a file is damaged; the records before `offset` are intact.
    struct Damage: Sendable, Equatable, CustomStringConvertible {
        enum Kind: String, Sendable { case empty, unsupportedVersion, truncatedHeader, truncatedPayload, checksumMismatch }
        var kind: Kind
        var offset: Int
        var description: String { "\(self.kind.rawValue) at byte \(self.offset)" }
    }

    /// Encodes records, in order, into one file's content.
    static func encode(
        _ records: [(metric: UUID, measures: PendingMeasures)],
        maxMeasuresPerRecord: Int = Self.maxMeasuresPerRecord
    ) -> [UInt8] {
        var size = 1
        for record in records {
            let count = record.measures.count
            let chunks = (count + maxMeasuresPerRecord - 1) / maxMeasuresPerRecord
            size += chunks * self.recordHeaderSize + count * self.measureSize
        }
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            let out = UnsafeMutableRawBufferPointer(buffer)
            out.storeBytes(of: self.version, toByteOffset: 0, as: UInt8.self)
            var offset = 1
            for record in records {
                let total = record.measures.count
                var start = 0
                while start < total {
                    let end = min(total, start + maxMeasuresPerRecord)
                    offset = self.encodeRecord(record.metric, record.measures, start..<end, into: out, at: offset)
                    start = end
                }
            }
            precondition(offset == size, "encoded size mismatch")
            initialized = size
        }
    }

    /// Encodes `measures[range]` of `metric` as one record at `start` of `out`; returns the offset after it.
    static func encodeRecord(
        _ metric: UUID, _ measures: PendingMeasures, _ range: Range<Int>,
        into out: UnsafeMutableRawBufferPointer, at start: Int
    ) -> Int {
        withUnsafeBytes(of: metric.uuid) { id in
            UnsafeMutableRawBufferPointer(rebasing: out[start..<start + 16]).copyMemory(from: id)
        }
        out.storeBytes(of: UInt32(range.count).littleEndian, toByteOffset: start + 16, as: UInt32.self)
        var offset = start + self.recordHeaderSize
        measures.timestamps.withUnsafeBufferPointer { timestamps in
            measures.values.withUnsafeBufferPointer { values in
                for index in range {
                    out.storeBytes(of: timestamps[index].littleEndian, toByteOffset: offset, as: Int64.self)
                    out.storeBytes(of: values[index].bitPattern.littleEndian, toByteOffset: offset + 8, as: UInt64.self)
                    offset += self.measureSize
                }
            }
        }
        var crc = CRC32()
        crc.update(UnsafeRawBufferPointer(rebasing: out[start..<start + 20]))
        crc.update(UnsafeRawBufferPointer(rebasing: out[start + self.recordHeaderSize..<offset]))
        out.storeBytes(of: crc.value.littleEndian, toByteOffset: start + 20, as: UInt32.self)
        return offset
    }

    /// Walks the records of a file, calling `body` with each intact record's metric and payload.
    ///
    /// - Parameters:
    ///   - verify: whether to check checksums (counting the backlog skips it).
    ///   - metric: when set, only this metric's records are checked and handed to `body`.
    /// - Returns: the damage stopping the walk, or nil if the whole file is intact.
    static func walk(
        _ bytes: UnsafeRawBufferPointer, verify: Bool = true, only metric: UUID? = nil,
        _ body: (UUID, UnsafeRawBufferPointer) -> Void
    ) -> Damage? {
        guard bytes.count > 0 else { return Damage(kind: .empty, offset: 0) }
        guard bytes[0] == self.version else { return Damage(kind: .unsupportedVersion, offset: 0) }
        return self.walkRecords(bytes, from: 1, verify: verify, only: metric) { id, payload, _ in body(id, payload) }
    }

    /// Walks records laid end to end from `start` to the end of `bytes` (the body of a batch file
    /// or of a log frame), calling `body` with each intact record's metric, payload and offset.
    /// - Returns: the damage stopping the walk, or nil if every record is intact.
    static func walkRecords(
        _ bytes: UnsafeRawBufferPointer, from start: Int, verify: Bool = true, only metric: UUID? = nil,
        _ body: (UUID, UnsafeRawBufferPointer, Int) -> Void
    ) -> Damage? {
        var offset = start
        while offset < bytes.count {
            guard bytes.count - offset >= self.recordHeaderSize else {
                return Damage(kind: .truncatedHeader, offset: offset)
            }
            let id = UUID(uuid: bytes.loadUnaligned(fromByteOffset: offset, as: uuid_t.self))
            let count = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 16, as: UInt32.self)))
            let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 20, as: UInt32.self))
            let payloadStart = offset + self.recordHeaderSize
            guard (bytes.count - payloadStart) / self.measureSize >= count else {
                return Damage(kind: .truncatedPayload, offset: offset)
            }
            let payloadEnd = payloadStart + count * self.measureSize
            let payload = UnsafeRawBufferPointer(rebasing: bytes[payloadStart..<payloadEnd])
            let wanted = metric.map { $0 == id } ?? true
            if verify && wanted {
                var crc = CRC32()
                crc.update(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + 20]))
                crc.update(payload)
                guard crc.value == stored else { return Damage(kind: .checksumMismatch, offset: offset) }
            }
            if wanted { body(id, payload, offset) }
            offset = payloadEnd
        }
        return nil
    }

    /// Appends an intact record's payload to measures.
    static func append(_ payload: UnsafeRawBufferPointer, to measures: inout PendingMeasures) {
        let count = payload.count / self.measureSize
        let needed = measures.timestamps.count + count
        if measures.timestamps.capacity < needed {  // grow geometrically: exact reservations would copy on every append
            measures.timestamps.reserveCapacity(max(needed, 2 * measures.timestamps.capacity))
            measures.values.reserveCapacity(max(needed, 2 * measures.values.capacity))
        }
        var offset = 0
        for _ in 0..<count {
            measures.timestamps.append(Int64(littleEndian: payload.loadUnaligned(fromByteOffset: offset, as: Int64.self)))
            let bits = UInt64(littleEndian: payload.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
            measures.values.append(Double(bitPattern: bits))
            offset += self.measureSize
        }
    }
}
