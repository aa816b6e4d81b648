/// XOR value mode (Gorilla): each value's bits XOR the previous value's, with a reusable window
/// of meaningful bits.
///
/// Per value after the first (64 raw bits), least significant bit first:
/// - `0`: same bits as the previous value;
/// - `1, 0`, then the XOR's bits inside the current window (`windowLength` bits);
/// - `1, 1`, 5 bits of leading zeros `lz` (capped at 31), 6 bits of `length - 1`, then `length`
///   bits; the window becomes (`lz`, `length`).
/// The window starts as (0, 64). The encoder reuses the window only when the XOR fits inside it
/// and reusing is no costlier than opening a new one.
extension SeriesCodec {
    /// How the XOR of a value with its predecessor is written.
    private struct XORStep {
        var reuse: Bool
        var leadingZeros: Int
        var length: Int
    }

    /// The encoder's choice for a non-zero XOR given the current window.
    @inline(__always)
    private static func xorStep(_ xor: UInt64, windowLeadingZeros: Int, windowLength: Int) -> XORStep {
        let leadingZeros = Swift.min(xor.leadingZeroBitCount, 31)
        let trailingZeros = xor.trailingZeroBitCount
        let length = 64 &- leadingZeros &- trailingZeros
        let fits = leadingZeros >= windowLeadingZeros && trailingZeros >= 64 &- windowLeadingZeros &- windowLength
        return XORStep(reuse: fits && windowLength <= length &+ 11, leadingZeros: leadingZeros, length: length)
    }

    /// Bits of the XOR section, or nil as soon as it exceeds `limit` bits.
    static func xorBitCount(_ values: UnsafeBufferPointer<Double>, limit: Int) -> Int? {
        let count = values.count
        var bits = 64
        var previous = values[0].bitPattern
        var windowLeadingZeros = 0
        var windowLength = 64
        for index in 1..<Swift.max(count, 1) {
            let current = values[index].bitPattern
            let xor = current ^ previous
            previous = current
            if xor == 0 {
                bits &+= 1
                continue
            }
            let step = xorStep(xor, windowLeadingZeros: windowLeadingZeros, windowLength: windowLength)
            if step.reuse {
                bits &+= 2 &+ windowLength
            } else {
                bits &+= 13 &+ step.length
                windowLeadingZeros = step.leadingZeros
                windowLength = step.length
            }
            if bits > limit { return nil }
        }
        return bits
    }

    /// Writes the XOR section after its mode byte, padded to a byte boundary.
    static func writeXOR(_ values: UnsafeBufferPointer<Double>, into writer: inout BitWriter) {
        let count = values.count
        var previous = values[0].bitPattern
        writer.write(previous, width: 64)
        var windowLeadingZeros = 0
        var windowLength = 64
        for index in 1..<Swift.max(count, 1) {
            let current = values[index].bitPattern
            let xor = current ^ previous
            previous = current
            if xor == 0 {
                writer.write(0, width: 1)
                continue
            }
            let step = xorStep(xor, windowLeadingZeros: windowLeadingZeros, windowLength: windowLength)
            if !step.reuse {
                windowLeadingZeros = step.leadingZeros
                windowLength = step.length
                let header = 0b11 | UInt64(truncatingIfNeeded: windowLeadingZeros) &<< 2
                    | UInt64(truncatingIfNeeded: windowLength &- 1) &<< 7
                writer.write(header, width: 13)
            } else {
                writer.write(0b01, width: 2)
            }
            let trailingZeros = 64 &- windowLeadingZeros &- windowLength
            writer.write(xor &>> UInt64(truncatingIfNeeded: trailingZeros), width: windowLength)
        }
        writer.alignToByte()
    }

    /// Reads the XOR section (after its mode byte) into `output`.
    static func readXOR(
        _ reader: inout BitReader, into output: UnsafeMutableBufferPointer<Double>
    ) throws(SeriesCodecError) {
        let count = output.count
        var previous = reader.readWide(64)
        output[0] = Double(bitPattern: previous)
        var windowLength = 64
        var trailingZeros = 0
        var index = 1
        while index < count {
            let control = reader.peek()
            if control & 1 == 0 {
                reader.skip(1)
            } else {
                if control & 2 == 0 {
                    reader.skip(2)
                } else {
                    let leadingZeros = Int(truncatingIfNeeded: (control &>> 2) & 31)
                    let length = Int(truncatingIfNeeded: (control &>> 7) & 63) &+ 1
                    reader.skip(13)
                    guard leadingZeros &+ length <= 64 else {
                        throw SeriesCodecError(
                            .corrupt, "XOR window of \(leadingZeros) leading zeros and \(length) bits exceeds 64 bits",
                            offset: reader.bitPosition &>> 3)
                    }
                    windowLength = length
                    trailingZeros = 64 &- leadingZeros &- length
                }
                previous ^= reader.readWide(windowLength) &<< UInt64(truncatingIfNeeded: trailingZeros)
                if reader.isOverrun { break }
            }
            output[index] = Double(bitPattern: previous)
            index &+= 1
        }
        reader.alignToByte()
    }
}
