/// Corrected decimal value mode (decimal with exceptions, after ALP): each value is the double
/// `d = Double(m) / 10^e` of the decimal mode, moved by `c` steps of its bit pattern:
/// `bits(v) = bits(d) + c` (wrapping). For a finite `d` of the same sign as `v`, that is `|c|` ulps
/// away from `d`. Every double round-trips; the mode pays off for values that are decimals up to
/// floating-point accumulation, such as sums of 2-decimal values (`0.1 + 0.2`, one ulp above 0.3).
///
/// Section, after its mode byte: `e`, `zz(m0)` and `zz(c0)` as varints, then per block of up to
/// 128 values: a packed block of mantissa steps as in the decimal mode, then a correction block,
/// either dense (`zz(c)` at one width) or flagged (one bit per value for `c ≠ 0`, then
/// `zz(c) − 1` of the flagged values at one width), whichever is smaller.
extension SeriesCodec {
    /// Values sampled to choose the exponent: one in 16, at least 8 (or all) and at most 32.
    @inline(__always)
    static func correctedDecimalSampleCount(_ count: Int) -> Int {
        Swift.min(count, Swift.max(8, Swift.min(32, count / 16)))
    }

    /// Header bytes from this value up are flagged correction blocks; `header − 128` is the width.
    static let flaggedCorrectionHeader = 128

    /// 2^51: the encoder's mantissas stay below it in magnitude, where `roundingMagic` rounds exactly.
    private static let correctedMantissaLimit = 2_251_799_813_685_248.0

    /// 1.5 × 2^52: `(x + roundingMagic) − roundingMagic` is `x` rounded to an integer (ties to even)
    /// for `|x| < 2^51`, without the libm call that `rounded()` costs.
    private static let roundingMagic = 6_755_399_441_055_744.0

    /// A value's mantissa and correction at the power of ten `power`.
    ///
    /// The mantissa is `value × power` rounded; for a value whose mantissa would be `2^51` or more in
    /// magnitude (NaN and infinities included) it is `previous`, so that the mantissa step is zero
    /// and the correction carries the whole value. Any mantissa gives an exact correction; rounding
    /// only keeps the correction small.
    @inline(__always)
    static func correctedMantissa(_ value: Double, power: Double, previous: Int64) -> (mantissa: Int64, correction: Int64) {
        let scaled = value * power
        // Also false for NaN and infinities.
        let mantissa = scaled.magnitude < correctedMantissaLimit ? Int64((scaled + roundingMagic) - roundingMagic) : previous
        let decimal = Double(mantissa) / power
        return (mantissa, Int64(bitPattern: value.bitPattern &- decimal.bitPattern))
    }

    /// The decoder's side of `correctedMantissa`: the decimal moved by `correction` bit-pattern steps.
    @inline(__always)
    static func correctedValue(mantissa: Int64, power: Double, correction: Int64) -> Double {
        Double(bitPattern: (Double(mantissa) / power).bitPattern &+ UInt64(bitPattern: correction))
    }

    /// How one block of corrections is stored: its header byte and its size in bytes, header included.
    struct CorrectionBlock {
        /// The width of a dense block, or `flaggedCorrectionHeader` + the width of a flagged one.
        var header: Int
        /// Bytes of the block, header included.
        var size: Int

        /// True when the block stores one flag per value and only the non-zero corrections.
        var isFlagged: Bool { header >= SeriesCodec.flaggedCorrectionHeader }

        /// The smaller layout for `count` corrections whose zigzags have the union `denseUnion`, of
        /// which `flagged` are non-zero with `zz(c) − 1` of union `flaggedUnion`; dense on ties.
        @inline(__always)
        init(count: Int, denseUnion: UInt64, flagged: Int, flaggedUnion: UInt64) {
            let denseBits = bitWidth(denseUnion) &* count
            let flaggedWidth = bitWidth(flaggedUnion)
            let flaggedBits = count &+ flaggedWidth &* flagged
            if flaggedBits < denseBits {
                header = SeriesCodec.flaggedCorrectionHeader &+ flaggedWidth
                size = 1 &+ ((flaggedBits &+ 7) &>> 3)
            } else {
                header = bitWidth(denseUnion)
                size = 1 &+ ((denseBits &+ 7) &>> 3)
            }
        }
    }

    /// The exponent below `exponentLimit` that a sample of the values suggests, with the section size
    /// it predicts in bytes; nil when `exponentLimit` is 0.
    ///
    /// For each exponent from 0 it adds, over `correctedDecimalSampleCount` values spread over the
    /// series, the bit widths of the mantissa step from the preceding value and of the correction,
    /// and keeps the smallest total (the smaller exponent on ties). It stops once the corrections
    /// average at most two bits: a larger exponent could save at most that, while it adds about
    /// 3.3 bits to every mantissa step (small corrections stay the same at larger exponents: the
    /// decimals are the same, scaled). The prediction allows one more bit per value for the widest
    /// value of a block, plus the block headers; it decides only whether the exact size is worth
    /// computing.
    static func correctedDecimalCandidate(
        _ values: UnsafeBufferPointer<Double>, exponentLimit: Int
    ) -> (exponent: Int, predictedSize: Int)? {
        let count = values.count
        let samples = correctedDecimalSampleCount(count)
        guard samples > 0 else { return nil }
        let spacing = count / samples
        var bestExponent = -1
        var bestBits = Int.max
        var exponent = 0
        while exponent < exponentLimit {
            let power = powersOfTen[exponent]
            var mantissaBits = 0
            var correctionBits = 0
            var index = 0
            for _ in 0..<samples {
                let previous = index > 0 ? correctedMantissa(values[index &- 1], power: power, previous: 0).mantissa : 0
                let (mantissa, correction) = correctedMantissa(values[index], power: power, previous: previous)
                mantissaBits &+= bitWidth(zigzag(mantissa &- previous))
                correctionBits &+= bitWidth(zigzag(correction))
                index &+= spacing
            }
            if mantissaBits &+ correctionBits < bestBits {
                bestBits = mantissaBits &+ correctionBits
                bestExponent = exponent
            }
            if correctionBits <= 2 &* samples { break }
            exponent &+= 1
        }
        guard bestExponent >= 0 else { return nil }
        let blocks = (count &+ blockLength &- 1) / blockLength
        return (bestExponent, (bestBits &+ samples) &* count / (samples &* 8) &+ 2 &* blocks)
    }

    /// Bytes of the corrected decimal section after its mode byte, or nil as soon as they exceed `limit`.
    static func correctedDecimalSectionSize(_ values: UnsafeBufferPointer<Double>, exponent: Int, limit: Int) -> Int? {
        let count = values.count
        let power = powersOfTen[exponent]
        let (first, firstCorrection) = correctedMantissa(values[0], power: power, previous: 0)
        var previous = first
        var size = 1 &+ BitWriter.varintSize(zigzag(first)) &+ BitWriter.varintSize(zigzag(firstCorrection))
        var index = 1
        while index < count {
            let end = Swift.min(index &+ blockLength, count)
            var mantissaUnion: UInt64 = 0
            var denseUnion: UInt64 = 0
            var flaggedUnion: UInt64 = 0
            var flagged = 0
            for position in index..<end {
                let (mantissa, correction) = correctedMantissa(values[position], power: power, previous: previous)
                mantissaUnion |= zigzag(mantissa &- previous)
                previous = mantissa
                let folded = zigzag(correction)
                denseUnion |= folded
                let isFlagged = folded != 0
                flaggedUnion |= isFlagged ? folded &- 1 : 0
                flagged &+= isFlagged ? 1 : 0
            }
            size &+= packedBlockSize(union: mantissaUnion, count: end &- index)
            size &+= CorrectionBlock(count: end &- index, denseUnion: denseUnion, flagged: flagged, flaggedUnion: flaggedUnion).size
            if size > limit { return nil }
            index = end
        }
        return size
    }

    /// Writes the corrected decimal section after its mode byte; the writer must be at a byte boundary.
    static func writeCorrectedDecimal(_ values: UnsafeBufferPointer<Double>, exponent: Int, into writer: inout BitWriter) {
        let count = values.count
        let power = powersOfTen[exponent]
        let (first, firstCorrection) = correctedMantissa(values[0], power: power, previous: 0)
        writer.writeByte(UInt8(truncatingIfNeeded: exponent))
        writer.writeVarint(zigzag(first))
        writer.writeVarint(zigzag(firstCorrection))
        // One block's zigzagged mantissa steps and corrections; 1 KiB each, which is always on the stack.
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: blockLength) { steps in
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: blockLength) { corrections in
            var previous = first
            var index = 1
            while index < count {
                let end = Swift.min(index &+ blockLength, count)
                let blockCount = end &- index
                var mantissaUnion: UInt64 = 0
                var denseUnion: UInt64 = 0
                var flaggedUnion: UInt64 = 0
                var flagged = 0
                var flags: (low: UInt64, high: UInt64) = (0, 0)
                for offset in 0..<blockCount {
                    let (mantissa, correction) = correctedMantissa(values[index &+ offset], power: power, previous: previous)
                    let step = zigzag(mantissa &- previous)
                    previous = mantissa
                    mantissaUnion |= step
                    steps[offset] = step
                    let folded = zigzag(correction)
                    corrections[offset] = folded
                    denseUnion |= folded
                    let isFlagged = folded != 0
                    flaggedUnion |= isFlagged ? folded &- 1 : 0
                    flagged &+= isFlagged ? 1 : 0
                    let flag: UInt64 = isFlagged ? 1 : 0
                    if offset < 64 {
                        flags.low |= flag &<< UInt64(truncatingIfNeeded: offset)
                    } else {
                        flags.high |= flag &<< UInt64(truncatingIfNeeded: offset &- 64)
                    }
                }

                let width = bitWidth(mantissaUnion)
                writer.writeByte(UInt8(truncatingIfNeeded: width))
                if width != 0 {
                    for offset in 0..<blockCount { writer.write(steps[offset], width: width) }
                    writer.alignToByte()
                }

                let block = CorrectionBlock(count: blockCount, denseUnion: denseUnion, flagged: flagged, flaggedUnion: flaggedUnion)
                writer.writeByte(UInt8(truncatingIfNeeded: block.header))
                if block.isFlagged {
                    let flaggedWidth = block.header &- flaggedCorrectionHeader
                    writer.write(flags.low, width: Swift.min(blockCount, 64))
                    if blockCount > 64 { writer.write(flags.high, width: blockCount &- 64) }
                    for offset in 0..<blockCount {
                        let folded = corrections[offset]
                        if folded != 0 { writer.write(folded &- 1, width: flaggedWidth) }
                    }
                } else if block.header != 0 {
                    for offset in 0..<blockCount { writer.write(corrections[offset], width: block.header) }
                }
                writer.alignToByte()
                index = end
            }
        }
        }
    }

    /// Reads the corrected decimal section (after its mode byte) into `output`.
    static func readCorrectedDecimal(
        _ reader: inout BitReader, into output: UnsafeMutableBufferPointer<Double>
    ) throws(SeriesCodecError) {
        let count = output.count
        let power = try readDecimalExponent(&reader)
        guard let first = reader.readVarint(), let firstCorrection = reader.readVarint() else {
            throw SeriesCodecError(.corrupt, "first mantissa or correction varint is longer than 64 bits", offset: reader.alignedByteOffset)
        }
        var mantissa = unzigzag(first)
        output[0] = correctedValue(mantissa: mantissa, power: power, correction: unzigzag(firstCorrection))
        var index = 1
        while index < count {
            let end = Swift.min(index &+ blockLength, count)
            try readMantissaBlock(&reader, mantissa: &mantissa, power: power, into: output, from: index, to: end)
            let header = Int(reader.readByte())
            if header == 0 {
                // Every value of the block is its decimal.
            } else if header <= 64 {
                readDenseCorrections(&reader, width: header, into: output, from: index, to: end)
            } else if header >= flaggedCorrectionHeader && header <= flaggedCorrectionHeader &+ 64 {
                let width = header &- flaggedCorrectionHeader
                let blockCount = end &- index
                let low = reader.readWide(Swift.min(blockCount, 64))
                let high = blockCount > 64 ? reader.readWide(blockCount &- 64) : 0
                readFlaggedCorrections(&reader, flags: low, width: width, into: output, at: index)
                readFlaggedCorrections(&reader, flags: high, width: width, into: output, at: index &+ 64)
            } else {
                throw SeriesCodecError(.corrupt, "correction block header \(header) is invalid", offset: reader.alignedByteOffset &- 1)
            }
            reader.alignToByte()
            if reader.isOverrun { break }
            index = end
        }
    }

    /// Adds `width`-bit zigzagged corrections to the bit patterns of `output[start..<end]`.
    @inline(__always)
    private static func readDenseCorrections(
        _ reader: inout BitReader, width: Int, into output: UnsafeMutableBufferPointer<Double>, from start: Int, to end: Int
    ) {
        if width <= 57 {
            for position in start..<end {
                let correction = UInt64(bitPattern: unzigzag(reader.read(width)))
                output[position] = Double(bitPattern: output[position].bitPattern &+ correction)
            }
        } else {
            for position in start..<end {
                let correction = UInt64(bitPattern: unzigzag(reader.readWide(width)))
                output[position] = Double(bitPattern: output[position].bitPattern &+ correction)
            }
        }
    }

    /// For each set bit `b` of `flags`, reads `zz(c) − 1` in `width` bits and adds `c` to the bit
    /// pattern of `output[base + b]`. The caller guarantees that every such index is in the block.
    @inline(__always)
    private static func readFlaggedCorrections(
        _ reader: inout BitReader, flags: UInt64, width: Int, into output: UnsafeMutableBufferPointer<Double>, at base: Int
    ) {
        var remaining = flags
        while remaining != 0 {
            let position = base &+ remaining.trailingZeroBitCount
            remaining &= remaining &- 1
            let correction = UInt64(bitPattern: unzigzag(reader.readWide(width) &+ 1))
            output[position] = Double(bitPattern: output[position].bitPattern &+ correction)
        }
    }
}
