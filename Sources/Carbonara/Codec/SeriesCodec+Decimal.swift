/// Decimal value mode: every value is `Double(m) / 10^e` for integers `m` and one shared `e`.
extension SeriesCodec {
    /// Largest decimal exponent the format allows.
    static let maximumDecimalExponent = 15

    /// Exact powers of ten `10^0 … 10^15` (all exactly representable as doubles).
    static let powersOfTen: [Double] = [
        1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ]

    /// 2^53: mantissas must be smaller in magnitude, so that `Double(m)` is exact.
    private static let mantissaLimit = 9_007_199_254_740_992.0

    /// The integer `m` with `Double(m) / power` bit-identical to `value`, if it is found by rounding
    /// `value × power` (which finds every such `m` with `|m| < 2^51`, and most others).
    @inline(__always)
    static func exactMantissa(_ value: Double, power: Double) -> Int64? {
        let scaled = (value * power).rounded()
        // Also false for NaN and infinities.
        guard scaled.magnitude < mantissaLimit else { return nil }
        let mantissa = Int64(scaled)
        guard (Double(mantissa) / power).bitPattern == value.bitPattern else { return nil }
        return mantissa
    }

    /// The mantissa of a value already verified by `exactMantissa` with the same power.
    @inline(__always)
    static func verifiedMantissa(_ value: Double, power: Double) -> Int64 {
        Int64((value * power).rounded())
    }

    /// The smallest exponent `e` in `0...15` for which every value has an exact mantissa; nil if none.
    ///
    /// Stops at the first value that has no exact mantissa for any exponent, so non-decimal series
    /// cost one failed probe. When a value needs a larger exponent the scan restarts, because a
    /// mantissa scaled by a power of ten may leave the exact range.
    static func decimalExponent(_ values: UnsafeBufferPointer<Double>) -> Int? {
        var exponent = 0
        var power = 1.0
        var index = 0
        let count = values.count
        while index < count {
            if exactMantissa(values[index], power: power) != nil {
                index &+= 1
                continue
            }
            var larger = exponent &+ 1
            while larger <= maximumDecimalExponent {
                if exactMantissa(values[index], power: powersOfTen[larger]) != nil { break }
                larger &+= 1
            }
            guard larger <= maximumDecimalExponent else { return nil }
            exponent = larger
            power = powersOfTen[larger]
            index = 0
        }
        return exponent
    }

    /// Bytes of the decimal value section after its mode byte.
    static func decimalSectionSize(_ values: UnsafeBufferPointer<Double>, exponent: Int) -> Int {
        let count = values.count
        let power = powersOfTen[exponent]
        var previous = verifiedMantissa(values[0], power: power)
        var size = 1 &+ BitWriter.varintSize(zigzag(previous))
        var index = 1
        while index < count {
            let end = Swift.min(index &+ blockLength, count)
            var union: UInt64 = 0
            for position in index..<end {
                let mantissa = verifiedMantissa(values[position], power: power)
                union |= zigzag(mantissa &- previous)
                previous = mantissa
            }
            size &+= packedBlockSize(union: union, count: end &- index)
            index = end
        }
        return size
    }

    /// Writes the decimal value section after its mode byte; the writer must be at a byte boundary.
    static func writeDecimal(_ values: UnsafeBufferPointer<Double>, exponent: Int, into writer: inout BitWriter) {
        let count = values.count
        let power = powersOfTen[exponent]
        var previous = verifiedMantissa(values[0], power: power)
        writer.writeByte(UInt8(truncatingIfNeeded: exponent))
        writer.writeVarint(zigzag(previous))
        var index = 1
        while index < count {
            let end = Swift.min(index &+ blockLength, count)
            var union: UInt64 = 0
            var blockPrevious = previous
            for position in index..<end {
                let mantissa = verifiedMantissa(values[position], power: power)
                union |= zigzag(mantissa &- blockPrevious)
                blockPrevious = mantissa
            }
            let width = bitWidth(union)
            writer.writeByte(UInt8(truncatingIfNeeded: width))
            if width != 0 {
                for position in index..<end {
                    let mantissa = verifiedMantissa(values[position], power: power)
                    writer.write(zigzag(mantissa &- previous), width: width)
                    previous = mantissa
                }
                writer.alignToByte()
            }
            previous = blockPrevious
            index = end
        }
    }

    /// Reads the decimal value section (after its mode byte) into `output`.
    static func readDecimal(
        _ reader: inout BitReader, into output: UnsafeMutableBufferPointer<Double>
    ) throws(SeriesCodecError) {
        let count = output.count
        let power = try readDecimalExponent(&reader)
        guard let first = reader.readVarint() else {
            throw SeriesCodecError(.corrupt, "first mantissa varint is longer than 64 bits", offset: reader.alignedByteOffset)
        }
        var mantissa = unzigzag(first)
        output[0] = Double(mantissa) / power
        var index = 1
        while index < count {
            let end = Swift.min(index &+ blockLength, count)
            try readMantissaBlock(&reader, mantissa: &mantissa, power: power, into: output, from: index, to: end)
            if reader.isOverrun { break }
            index = end
        }
    }

    /// Reads the exponent byte of a decimal section; returns `10^e`.
    @inline(__always)
    static func readDecimalExponent(_ reader: inout BitReader) throws(SeriesCodecError) -> Double {
        let exponent = Int(reader.readByte())
        guard exponent <= maximumDecimalExponent else {
            throw SeriesCodecError(.corrupt, "decimal exponent \(exponent) exceeds 15", offset: reader.alignedByteOffset &- 1)
        }
        return powersOfTen[exponent]
    }

    /// Reads one packed block of mantissa steps into `output[start..<end]` as `Double(m) / power`,
    /// advancing `mantissa`, and skips to the next byte boundary.
    @inline(__always)
    static func readMantissaBlock(
        _ reader: inout BitReader, mantissa: inout Int64, power: Double,
        into output: UnsafeMutableBufferPointer<Double>, from start: Int, to end: Int
    ) throws(SeriesCodecError) {
        let width = Int(reader.readByte())
        if width == 0 {
            let value = Double(mantissa) / power
            for position in start..<end { output[position] = value }
        } else if width <= 57 {
            for position in start..<end {
                mantissa &+= unzigzag(reader.read(width))
                output[position] = Double(mantissa) / power
            }
        } else if width <= 64 {
            for position in start..<end {
                mantissa &+= unzigzag(reader.readWide(width))
                output[position] = Double(mantissa) / power
            }
        } else {
            throw SeriesCodecError(.corrupt, "mantissa block bit width \(width) exceeds 64", offset: reader.alignedByteOffset &- 1)
        }
        reader.alignToByte()
    }
}
