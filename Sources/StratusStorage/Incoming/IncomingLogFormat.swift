import Foundation

/// The binary formats of the incoming log (see `docs/storage-format.md`, "Incoming batches"):
/// segments of frames of batch records, and each segment's marks file.
///
/// All integers little-endian. A segment is an 8-byte header (`SWAL`, version, 3 zero bytes), then
/// frames: a 24-byte header (u32 length of the records that follow, u32 number of records, i64
/// time in ns, u32 zero, u32 CRC-32 of the 20 bytes before it), then records exactly as in a batch
/// file. A marks file is a 64-byte header (`SWMK`, version, 3 zero bytes, u64 durable end, u32
/// CRC-32 of that u64, zeros), then 64-byte marks.
enum IncomingLogFormat {
    static let version: UInt8 = 1
    static let segmentMagic: [UInt8] = Array("SWAL".utf8)
    static let segmentHeaderSize = 8
    static let frameHeaderSize = 24
    /// Frames are cut at record boundaries once they reach this size.
    static let maxFrameBytes = 16 << 20

    static let marksMagic: [UInt8] = Array("SWMK".utf8)
    static let marksHeaderSize = 64
    static let markSize = 64

    /// The header of a new segment.
    static var segmentHeader: [UInt8] { self.segmentMagic + [self.version, 0, 0, 0] }

    /// Whether `bytes` start with a segment header this code reads.
    static func isSegmentHeader(_ bytes: [UInt8]) -> Bool {
        bytes.count >= self.segmentHeaderSize && Array(bytes[0..<4]) == self.segmentMagic && bytes[4] == self.version
    }

    // MARK: frames

    /// Frames ready to append: their bytes, and where each frame header starts (times still zero).
    struct EncodedFrames {
        var bytes: [UInt8]
        var headers: [Int]
    }

    /// Encodes the items of one flush as frames: every record of the flush, grouped by sack (for
    /// `sackCount`) so that a reader finds a sack's records of a frame together, each metric's
    /// records kept in the order of the items.
    static func encodeFrames(_ items: [[UUID: PendingMeasures]], sackCount: Int, maxFrameBytes: Int = Self.maxFrameBytes) -> EncodedFrames {
        var entries: [(sack: Int, order: Int, metric: UUID, measures: PendingMeasures)] = []
        entries.reserveCapacity(items.reduce(0) { $0 + $1.count })
        for item in items {
            for (metric, measures) in item where !measures.isEmpty {
                entries.append((IncomingSacks.sack(of: metric, sackCount: sackCount), entries.count, metric, measures))
            }
        }
        entries.sort { ($0.sack, $0.order) < ($1.sack, $1.order) }

        // Lay out the record chunks and the frame boundaries first, to write into one buffer.
        let perRecord = IncomingBatchFormat.maxMeasuresPerRecord
        var chunks: [(entry: Int, range: Range<Int>, frameStart: Bool)] = []
        var size = 0
        var frameBytes = 0
        for (index, entry) in entries.enumerated() {
            var start = 0
            while start < entry.measures.count {
                let end = min(entry.measures.count, start + perRecord)
                let recordBytes = IncomingBatchFormat.recordHeaderSize + (end - start) * IncomingBatchFormat.measureSize
                let newFrame = chunks.isEmpty || frameBytes + recordBytes > maxFrameBytes
                if newFrame {
                    size += self.frameHeaderSize
                    frameBytes = 0
                }
                chunks.append((index, start..<end, newFrame))
                size += recordBytes
                frameBytes += recordBytes
                start = end
            }
        }
        var headers: [Int] = []
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            let out = UnsafeMutableRawBufferPointer(buffer)
            var offset = 0
            var header = -1
            var records: UInt32 = 0
            func closeFrame(at end: Int) {
                guard header >= 0 else { return }
                out.storeBytes(of: UInt32(end - header - self.frameHeaderSize).littleEndian, toByteOffset: header, as: UInt32.self)
                out.storeBytes(of: records.littleEndian, toByteOffset: header + 4, as: UInt32.self)
                for index in 8..<self.frameHeaderSize { out[header + index] = 0 }
            }
            for chunk in chunks {
                if chunk.frameStart {
                    closeFrame(at: offset)
                    header = offset
                    headers.append(offset)
                    records = 0
                    offset += self.frameHeaderSize
                }
                let entry = entries[chunk.entry]
                offset = IncomingBatchFormat.encodeRecord(entry.metric, entry.measures, chunk.range, into: out, at: offset)
                records += 1
            }
            closeFrame(at: offset)
            precondition(offset == size, "encoded size mismatch")
            initialized = size
        }
        return EncodedFrames(bytes: bytes, headers: headers)
    }

    /// Sets the time of every frame (`first`, `first + 1`, …) and seals their headers with their
    /// checksum; returns the last time used.
    static func stamp(_ frames: inout EncodedFrames, firstTime: Int64) -> Int64 {
        var time = firstTime
        frames.bytes.withUnsafeMutableBytes { out in
            for header in frames.headers {
                out.storeBytes(of: time.littleEndian, toByteOffset: header + 8, as: Int64.self)
                let crc = CRC32.checksum(UnsafeRawBufferPointer(rebasing: out[header..<header + 20]))
                out.storeBytes(of: crc.littleEndian, toByteOffset: header + 20, as: UInt32.self)
                time += 1
            }
        }
        return time - 1
    }

    /// A decoded frame header.
    struct FrameHeader: Equatable {
        var length: Int
        var records: Int
        var time: Int64
    }

    /// Decodes a frame header; nil if its checksum does not match.
    static func decodeFrameHeader(_ bytes: UnsafeRawBufferPointer) -> FrameHeader? {
        guard bytes.count >= self.frameHeaderSize else { return nil }
        let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 20, as: UInt32.self))
        guard CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<20])) == stored else { return nil }
        return FrameHeader(
            length: Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self))),
            records: Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self))),
            time: Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: Int64.self))
        )
    }

    // MARK: marks

    /// A marks file header carrying the durable end of its segment.
    static func marksHeader(durableEnd: Int) -> [UInt8] {
        var bytes = self.marksMagic + [self.version, 0, 0, 0]
        bytes += self.durableEndField(durableEnd)
        bytes += [UInt8](repeating: 0, count: self.marksHeaderSize - bytes.count)
        return bytes
    }

    /// The 12 bytes at offset 8 of a marks header: the durable end and its checksum.
    static func durableEndField(_ end: Int) -> [UInt8] {
        var bytes = withUnsafeBytes(of: UInt64(end).littleEndian) { Array($0) }
        let crc = bytes.withUnsafeBytes { CRC32.checksum($0) }
        bytes += withUnsafeBytes(of: crc.littleEndian) { Array($0) }
        return bytes
    }

    /// The durable end of a marks header; nil if the header is not intact (or is being written).
    static func decodeDurableEnd(_ header: [UInt8]) -> Int? {
        guard header.count >= 20, Array(header[0..<4]) == self.marksMagic, header[4] == self.version else { return nil }
        return header.withUnsafeBytes { raw in
            let stored = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
            guard CRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[8..<16])) == stored else { return nil }
            return Int(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
    }

    /// What a consumer marked as consumed in a segment: the records of a sack (or of one metric of
    /// a sack, or of every sack) that start before `end`.
    struct Mark: Equatable {
        enum Kind: UInt8 { case sack = 1, metric = 2, all = 3 }
        var kind: Kind
        /// The number of sacks the sack number refers to (zero for `all`).
        var sackCount: Int
        var sack: Int
        var end: Int
        var metric: UUID?
    }

    /// Encodes a mark as its 64 bytes.
    static func encode(_ mark: Mark) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: self.markSize)
        bytes.withUnsafeMutableBytes { out in
            out[0] = mark.kind.rawValue
            out.storeBytes(of: UInt32(mark.sackCount).littleEndian, toByteOffset: 4, as: UInt32.self)
            out.storeBytes(of: UInt32(mark.sack).littleEndian, toByteOffset: 8, as: UInt32.self)
            out.storeBytes(of: UInt64(mark.end).littleEndian, toByteOffset: 16, as: UInt64.self)
            if let metric = mark.metric {
                withUnsafeBytes(of: metric.uuid) { id in
                    UnsafeMutableRawBufferPointer(rebasing: out[24..<40]).copyMemory(from: id)
                }
            }
            let crc = CRC32.checksum(UnsafeRawBufferPointer(rebasing: out[0..<60]))
            out.storeBytes(of: crc.littleEndian, toByteOffset: 60, as: UInt32.self)
        }
        return bytes
    }

    /// Decodes the 64 bytes of a mark; nil if its checksum does not match or its kind is unknown.
    static func decodeMark(_ bytes: UnsafeRawBufferPointer) -> Mark? {
        guard bytes.count >= self.markSize else { return nil }
        let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 60, as: UInt32.self))
        guard CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<60])) == stored,
              let kind = Mark.Kind(rawValue: bytes[0])
        else { return nil }
        return Mark(
            kind: kind,
            sackCount: Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self))),
            sack: Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self))),
            end: Int(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self))),
            metric: kind == .metric ? UUID(uuid: bytes.loadUnaligned(fromByteOffset: 24, as: uuid_t.self)) : nil
        )
    }
}
