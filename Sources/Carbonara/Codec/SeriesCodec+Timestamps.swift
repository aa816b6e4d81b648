/// Timestamp section: first timestamp, first delta, then delta-of-deltas packed in blocks.
extension SeriesCodec {
    /// Values per packed block (the last block of a section may be shorter).
    static let blockLength = 128

    /// Bytes of a packed block of `count` values whose bitwise union is `union`: a width byte, then
    /// `width × count` bits rounded up to whole bytes.
    @inline(__always)
    static func packedBlockSize(union: UInt64, count: Int) -> Int {
        1 &+ ((bitWidth(union) &* count &+ 7) &>> 3)
    }

    /// Bytes of the timestamp section.
    static func timestampSectionSize(_ timestamps: UnsafeBufferPointer<Int64>) -> Int {
        let count = timestamps.count
        guard count > 0 else { return 0 }
        var size = BitWriter.varintSize(zigzag(timestamps[0]))
        guard count > 1 else { return size }
        var delta = timestamps[1] &- timestamps[0]
        size &+= BitWriter.varintSize(UInt64(bitPattern: delta))
        var index = 2
        while index < count {
            let end = Swift.min(index &+ blockLength, count)
            var union: UInt64 = 0
            var previous = timestamps[index &- 1]
            for position in index..<end {
                let next = timestamps[position] &- previous
                union |= zigzag(next &- delta)
                delta = next
                previous = timestamps[position]
            }
            size &+= packedBlockSize(union: union, count: end &- index)
            index = end
        }
        return size
    }

    /// Writes the timestamp section; the writer must be at a byte boundary.
    static func writeTimestamps(_ timestamps: UnsafeBufferPointer<Int64>, into writer: inout BitWriter) {
        let count = timestamps.count
        guard count > 0 else { return }
        writer.writeVarint(zigzag(timestamps[0]))
        guard count > 1 else { return }
        var delta = timestamps[1] &- timestamps[0]
        writer.writeVarint(UInt64(bitPattern: delta))
        var index = 2
        while index < count {
            let end = Swift.min(index &+ blockLength, count)
            // First pass: the block's bit width; second pass: the bits.
            var union: UInt64 = 0
            var blockDelta = delta
            for position in index..<end {
                let next = timestamps[position] &- timestamps[position &- 1]
                union |= zigzag(next &- blockDelta)
                blockDelta = next
            }
            let width = bitWidth(union)
            writer.writeByte(UInt8(truncatingIfNeeded: width))
            if width == 0 {
                delta = blockDelta
            } else {
                for position in index..<end {
                    let next = timestamps[position] &- timestamps[position &- 1]
                    writer.write(zigzag(next &- delta), width: width)
                    delta = next
                }
                writer.alignToByte()
            }
            index = end
        }
    }

    /// Reads `output.count` timestamps into `output`.
    static func readTimestamps(
        _ reader: inout BitReader, into output: UnsafeMutableBufferPointer<Int64>
    ) throws(SeriesCodecError) {
        let count = output.count
        guard count > 0 else { return }
        guard let first = reader.readVarint() else {
            throw SeriesCodecError(.corrupt, "first timestamp varint is longer than 64 bits", offset: reader.alignedByteOffset)
        }
        var timestamp = unzigzag(first)
        output[0] = timestamp
        guard count > 1 else { return }
        guard let firstDelta = reader.readVarint() else {
            throw SeriesCodecError(.corrupt, "first timestamp delta varint is longer than 64 bits", offset: reader.alignedByteOffset)
        }
        var delta = Int64(bitPattern: firstDelta)
        timestamp &+= delta
        output[1] = timestamp
        var index = 2
        while index < count {
            let end = Swift.min(index &+ blockLength, count)
            let width = Int(reader.readByte())
            if width == 0 {
                for position in index..<end {
                    timestamp &+= delta
                    output[position] = timestamp
                }
            } else if width <= 57 {
                for position in index..<end {
                    delta &+= unzigzag(reader.read(width))
                    timestamp &+= delta
                    output[position] = timestamp
                }
            } else if width <= 64 {
                for position in index..<end {
                    delta &+= unzigzag(reader.readWide(width))
                    timestamp &+= delta
                    output[position] = timestamp
                }
            } else {
                throw SeriesCodecError(.corrupt, "timestamp block bit width \(width) exceeds 64", offset: reader.alignedByteOffset &- 1)
            }
            reader.alignToByte()
            if reader.isOverrun { break }
            index = end
        }
    }
}
