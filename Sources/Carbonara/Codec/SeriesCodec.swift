/// Compressed encoding of a series of (integer timestamp, float64 value) points.
///
/// Lossless: timestamps come back identical and values bit-identical (NaN payloads, -0.0,
/// infinities and subnormals included). Timestamps are stored as delta-of-deltas packed in
/// blocks, so a regular series costs almost nothing per point; values in the smallest of four
/// modes — decimal (scaled integers, after VictoriaMetrics), corrected decimal (scaled integers
/// plus small bit-pattern corrections, after ALP), XOR (Gorilla) or raw float64.
/// The byte layout is specified in `docs/storage-format.md`, "Series encoding".
///
/// Pure and allocation-free per point: every section's exact size is computed first, the output
/// grows once, and a 64-bit bit writer fills it.
public enum SeriesCodec {
    /// The format version this build writes and reads.
    static let version: UInt8 = 1

    /// How the values of a series are stored; the byte after the timestamp section.
    enum ValueMode: UInt8 {
        case raw = 0
        case xor = 1
        case decimal = 2
        case correctedDecimal = 3
    }

    /// Encodes strictly increasing integer timestamps (in any unit the caller chooses: nanoseconds for raw series,
    /// granularity units relative to a split key for aggregated splits) and their values.
    ///
    /// Any timestamps round-trip (deltas wrap around); increasing, regularly spaced ones compress best.
    /// - Parameters:
    ///   - timestamps: the points' timestamps.
    ///   - values: the points' values; as many as `timestamps`.
    ///   - output: the encoding is appended to it.
    public static func encode(
        timestamps: UnsafeBufferPointer<Int64>, values: UnsafeBufferPointer<Double>, into output: inout [UInt8]
    ) {
        precondition(timestamps.count == values.count, "SeriesCodec.encode needs as many values as timestamps")
        let count = timestamps.count
        var size = 1 &+ BitWriter.varintSize(UInt64(count))
        var mode = ValueMode.raw
        var exponent = 0
        if count > 0 {
            size &+= timestampSectionSize(timestamps)
            var best = 8 &* count
            let decimalCandidate = decimalExponent(values)
            if let candidate = decimalCandidate {
                let decimalSize = decimalSectionSize(values, exponent: candidate)
                if decimalSize < best {
                    best = decimalSize
                    mode = .decimal
                    exponent = candidate
                }
            }
            // Only exponents below the decimal mode's can beat it: the same exponent adds corrections.
            if let candidate = correctedDecimalCandidate(values, exponentLimit: decimalCandidate ?? maximumDecimalExponent &+ 1),
               candidate.predictedSize < best,
               let correctedSize = correctedDecimalSectionSize(values, exponent: candidate.exponent, limit: best &- 1) {
                best = correctedSize
                mode = .correctedDecimal
                exponent = candidate.exponent
            }
            // XOR needs at least 64 bits plus one per further value.
            if (64 &+ count &- 1 &+ 7) / 8 < best, let bits = xorBitCount(values, limit: best &* 8 &- 1) {
                best = (bits &+ 7) / 8
                mode = .xor
            }
            size &+= 1 &+ best
        }

        let start = output.count
        output.append(contentsOf: repeatElement(0, count: size))
        output.withUnsafeMutableBytes { bytes in
            var writer = BitWriter(base: bytes.baseAddress! + start)
            writer.writeByte(version)
            writer.writeVarint(UInt64(count))
            if count > 0 {
                writeTimestamps(timestamps, into: &writer)
                writer.writeByte(mode.rawValue)
                switch mode {
                case .raw:
                    for value in values { writer.write(value.bitPattern, width: 64) }
                case .xor:
                    writeXOR(values, into: &writer)
                case .decimal:
                    writeDecimal(values, exponent: exponent, into: &writer)
                case .correctedDecimal:
                    writeCorrectedDecimal(values, exponent: exponent, into: &writer)
                }
            }
            let written = writer.finish()
            assert(written == size, "SeriesCodec size computation disagrees with the writer")
        }
    }

    /// Encodes a series; see `encode(timestamps:values:into:)`.
    /// - Parameters:
    ///   - timestamps: the points' timestamps, preferably strictly increasing.
    ///   - values: the points' values; as many as `timestamps`.
    /// - Returns: the encoding.
    public static func encode(timestamps: [Int64], values: [Double]) -> [UInt8] {
        var output: [UInt8] = []
        timestamps.withUnsafeBufferPointer { timestamps in
            values.withUnsafeBufferPointer { values in
                encode(timestamps: timestamps, values: values, into: &output)
            }
        }
        return output
    }

    /// Decodes what `encode` wrote; appends to the arrays.
    ///
    /// The input must be exactly one encoding (trailing bytes are rejected). A point count is accepted
    /// only if it is at most 64 times the number of bytes that follow it, which bounds what a corrupt
    /// count can make the decoder allocate. On error the arrays are left as they were.
    /// - Parameters:
    ///   - bytes: one encoding.
    ///   - timestamps: the decoded timestamps are appended to it.
    ///   - values: the decoded values are appended to it.
    /// - Throws: `SeriesCodecError` when the input is truncated, corrupt or of an unknown version.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, timestamps: inout [Int64], values: inout [Double]
    ) throws(SeriesCodecError) {
        var reader = BitReader(bytes)
        guard bytes.count >= 2 else {
            throw SeriesCodecError(.truncated, "an encoding has at least 2 bytes, got \(bytes.count)", offset: bytes.count)
        }
        let version = reader.readByte()
        guard version == Self.version else {
            throw SeriesCodecError(.unsupportedVersion, "version \(version), expected \(Self.version)", offset: 0)
        }
        guard let rawCount = reader.readVarint(), !reader.isOverrun else {
            throw SeriesCodecError(.corrupt, "point count is not a valid varint", offset: 1)
        }
        let remaining = reader.remainingBytes
        guard rawCount <= UInt64(remaining) &* 64 else {
            throw SeriesCodecError(
                .corrupt, "point count \(rawCount) is impossible in \(remaining) bytes", offset: reader.alignedByteOffset)
        }
        let count = Int(rawCount)
        guard count > 0 else {
            guard remaining == 0 else {
                throw SeriesCodecError(.corrupt, "\(remaining) bytes follow an empty series", offset: reader.alignedByteOffset)
            }
            return
        }

        let timestampStart = timestamps.count
        let valueStart = values.count
        timestamps.append(contentsOf: repeatElement(0, count: count))
        values.append(contentsOf: repeatElement(0, count: count))
        do throws(SeriesCodecError) {
            try timestamps.withUnsafeMutableBufferPointer { (buffer) throws(SeriesCodecError) in
                try readTimestamps(&reader, into: UnsafeMutableBufferPointer(rebasing: buffer[timestampStart...]))
            }
            guard !reader.isOverrun else {
                throw SeriesCodecError(.truncated, "input ends inside the timestamps", offset: bytes.count)
            }
            try values.withUnsafeMutableBufferPointer { (buffer) throws(SeriesCodecError) in
                try readValues(&reader, into: UnsafeMutableBufferPointer(rebasing: buffer[valueStart...]))
            }
            guard !reader.isOverrun else {
                throw SeriesCodecError(.truncated, "input ends inside the values", offset: bytes.count)
            }
            guard reader.remainingBytes == 0 else {
                throw SeriesCodecError(
                    .corrupt, "\(reader.remainingBytes) bytes follow the encoding", offset: reader.alignedByteOffset)
            }
        } catch {
            timestamps.removeSubrange(timestampStart...)
            values.removeSubrange(valueStart...)
            throw error
        }
    }

    /// Decodes what `encode` wrote; see `decode(_:timestamps:values:)`.
    /// - Parameter bytes: one encoding.
    /// - Returns: the timestamps and values.
    /// - Throws: `SeriesCodecError` when the input is truncated, corrupt or of an unknown version.
    public static func decode(_ bytes: [UInt8]) throws(SeriesCodecError) -> (timestamps: [Int64], values: [Double]) {
        var timestamps: [Int64] = []
        var values: [Double] = []
        try bytes.withUnsafeBufferPointer { (buffer) throws(SeriesCodecError) in
            try decode(UnsafeRawBufferPointer(buffer), timestamps: &timestamps, values: &values)
        }
        return (timestamps, values)
    }

    /// Reads the value mode byte and the value section into `output`.
    private static func readValues(
        _ reader: inout BitReader, into output: UnsafeMutableBufferPointer<Double>
    ) throws(SeriesCodecError) {
        let modeByte = reader.readByte()
        switch ValueMode(rawValue: modeByte) {
        case .raw:
            let needed = output.count &* 8
            guard reader.remainingBytes >= needed else {
                throw SeriesCodecError(
                    .truncated, "raw values need \(needed) bytes, \(reader.remainingBytes) left", offset: reader.alignedByteOffset)
            }
            for index in output.indices {
                output[index] = Double(bitPattern: reader.readWide(64))
            }
        case .xor:
            try readXOR(&reader, into: output)
        case .decimal:
            try readDecimal(&reader, into: output)
        case .correctedDecimal:
            try readCorrectedDecimal(&reader, into: output)
        case nil:
            throw SeriesCodecError(.corrupt, "unknown value mode \(modeByte)", offset: reader.alignedByteOffset &- 1)
        }
    }
}
