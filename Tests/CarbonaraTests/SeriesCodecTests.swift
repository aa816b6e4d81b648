// Tests of the compressed series codec: hand-computed layouts, edge values, sizes of typical
// series, property-based round trips and corruption. Longer than ~300 lines because it covers
// one codec exhaustively, in one place.
import PropertyBased
import StratusTesting
import Testing

@testable import Carbonara

/// A minute in nanoseconds, and a realistic start time (2023-11-14) in nanoseconds.
private let minute: Int64 = 60_000_000_000
private let start: Int64 = 1_700_000_000_000_000_000

private func regularTimestamps(_ count: Int, step: Int64 = minute) -> [Int64] {
    (0..<count).map { start + Int64($0) * step }
}

private func roundedWalk(_ count: Int, decimals: Int, seed: UInt64) -> [Double] {
    var rng = SplitMix64(state: seed)
    let scale = SeriesCodec.powersOfTen[decimals]
    var level = 100.0
    return (0..<count).map { _ in
        level += Double.random(in: -1...1, using: &rng)
        return (level * scale).rounded() / scale
    }
}

/// Sums of `group` consecutive values, added from 0.0 in order as `Aggregates.sum` does: decimals
/// "in disguise", a third of them off their 2-decimal value by an ulp or two.
private func sequentialSums(_ values: [Double], group: Int) -> [Double] {
    stride(from: 0, to: values.count - group + 1, by: group).map { lo in
        var sum = 0.0
        for value in values[lo..<lo + group] { sum += value }
        return sum
    }
}

/// `value` moved `steps` ulps up (positive) or down (negative).
private func ulpsAway(_ value: Double, _ steps: Int) -> Double {
    var result = value
    for _ in 0..<steps.magnitude { result = steps > 0 ? result.nextUp : result.nextDown }
    return result
}

/// Writes and reads back the corrected decimal section at a forced exponent, whatever mode the
/// encoder would choose, checking that the size computation and the reader agree with the writer.
private func correctedDecimalSectionRoundTrip(
    _ values: [Double], exponent: Int, sourceLocation: SourceLocation = #_sourceLocation
) -> [Double] {
    values.withUnsafeBufferPointer { input in
        let size = SeriesCodec.correctedDecimalSectionSize(input, exponent: exponent, limit: .max)!
        var bytes = [UInt8](repeating: 0, count: size)
        bytes.withUnsafeMutableBytes { raw in
            var writer = BitWriter(base: raw.baseAddress!)
            SeriesCodec.writeCorrectedDecimal(input, exponent: exponent, into: &writer)
            #expect(writer.finish() == size, sourceLocation: sourceLocation)
        }
        var output = [Double](repeating: 0, count: values.count)
        bytes.withUnsafeBytes { raw in
            var reader = BitReader(raw)
            output.withUnsafeMutableBufferPointer { buffer in
                #expect(throws: Never.self, sourceLocation: sourceLocation) {
                    try SeriesCodec.readCorrectedDecimal(&reader, into: buffer)
                }
            }
            #expect(!reader.isOverrun && reader.remainingBytes == 0, sourceLocation: sourceLocation)
        }
        return output
    }
}

/// The value mode byte of an encoding, located from the timestamp section's size.
private func valueMode(_ bytes: [UInt8], timestamps: [Int64]) -> SeriesCodec.ValueMode? {
    let offset = timestamps.withUnsafeBufferPointer {
        1 + BitWriter.varintSize(UInt64($0.count)) + SeriesCodec.timestampSectionSize($0)
    }
    return SeriesCodec.ValueMode(rawValue: bytes[offset])
}

/// Encodes, decodes (through both APIs) and checks that everything comes back bit for bit.
@discardableResult
private func expectRoundTrip(
    _ timestamps: [Int64], _ values: [Double], sourceLocation: SourceLocation = #_sourceLocation
) -> [UInt8] {
    let bytes = SeriesCodec.encode(timestamps: timestamps, values: values)
    do {
        let decoded = try SeriesCodec.decode(bytes)
        #expect(decoded.timestamps == timestamps, sourceLocation: sourceLocation)
        #expect(decoded.values.map(\.bitPattern) == values.map(\.bitPattern), sourceLocation: sourceLocation)

        // The buffer API appends after existing elements and to an existing output.
        var appended: [UInt8] = [0xAA]
        timestamps.withUnsafeBufferPointer { t in
            values.withUnsafeBufferPointer { v in SeriesCodec.encode(timestamps: t, values: v, into: &appended) }
        }
        #expect(Array(appended.dropFirst()) == bytes, sourceLocation: sourceLocation)
        var moreTimestamps: [Int64] = [7]
        var moreValues: [Double] = [8]
        try bytes.withUnsafeBufferPointer { (buffer) throws(SeriesCodecError) in
            try SeriesCodec.decode(UnsafeRawBufferPointer(buffer), timestamps: &moreTimestamps, values: &moreValues)
        }
        #expect(moreTimestamps == [7] + timestamps, sourceLocation: sourceLocation)
        #expect(moreValues.map(\.bitPattern) == ([8] + values).map(\.bitPattern), sourceLocation: sourceLocation)
    } catch {
        Issue.record("decoding a fresh encoding failed: \(error)", sourceLocation: sourceLocation)
    }
    return bytes
}

/// Decoding must never crash; when it succeeds it yields as many values as timestamps.
private func decodeDoesNotCrash(_ bytes: [UInt8]) {
    if let decoded = try? SeriesCodec.decode(bytes) {
        #expect(decoded.timestamps.count == decoded.values.count)
    }
}

@Suite("SeriesCodec")
struct SeriesCodecTests {
    // MARK: Hand-computed layouts

    @Test func emptySeriesIsVersionAndZeroCount() throws {
        let bytes = expectRoundTrip([], [])
        #expect(bytes == [1, 0])
    }

    @Test func singlePointLayout() throws {
        // version 1, count 1, zigzag(-3) = 5, mode decimal, e = 1, zigzag(25) = 50.
        let bytes = expectRoundTrip([-3], [2.5])
        #expect(bytes == [1, 1, 5, 2, 1, 50])
    }

    @Test func regularTimestampsCostOneWidthBytePerBlock() throws {
        // 3 points: t0, first delta, one block of one zero delta-of-delta (width byte 0).
        let bytes = expectRoundTrip([10, 20, 30], [1, 1, 1])
        // 1, 3 | zigzag(10) = 20 | delta 10 | width 0 | decimal, e 0, m0 = zigzag(1) = 2, width 0
        #expect(bytes == [1, 3, 20, 10, 0, 2, 0, 2, 0])
    }

    @Test func deltaOfDeltasArePackedAtTheBlockWidth() throws {
        // Deltas 10, 11, 9, 10: delta-of-deltas 1, -2, 1 → zigzag 2, 3, 2, width 2 → bits 10 11 10 (LSB first).
        let bytes = expectRoundTrip([0, 10, 21, 30, 40], [0, 0, 0, 0, 0])
        #expect(Array(bytes[0...5]) == [1, 5, 0, 10, 2, 0b10_11_10])
    }

    // MARK: Timestamps

    @Test func irregularTimestampsRoundTrip() {
        expectRoundTrip([1, 2, 4, 8, 1000, 1001, 5_000_000, 5_000_003], [1, 2, 3, 4, 5, 6, 7, 8])
    }

    @Test func negativeAndExtremeTimestampsRoundTrip() {
        expectRoundTrip([Int64.min, -1, 0, Int64.max], [1, 2, 3, 4])
        expectRoundTrip([Int64.min, Int64.max], [1, 2])
        expectRoundTrip([Int64.max], [1])
        expectRoundTrip([-5_000_000_000_000_000_000, -4_000_000_000_000_000_000, 9_000_000_000_000_000_000], [0, 0, 0])
    }

    @Test func nonIncreasingTimestampsStillRoundTrip() {
        expectRoundTrip([5, 5, 3, Int64.max, Int64.min, 0], [1, 2, 3, 4, 5, 6])
    }

    @Test func timestampsSpanningSeveralBlocksRoundTrip() {
        var rng = SplitMix64(state: 7)
        var t: Int64 = -1_000_000
        let timestamps = (0..<1000).map { index -> Int64 in
            t += index % 300 < 150 ? 10 : Int64.random(in: 1...1_000_000_000, using: &rng)
            return t
        }
        expectRoundTrip(timestamps, timestamps.map { Double($0 % 1000) })
    }

    // MARK: Values

    @Test func decimalValuesUseTheSmallestSharedExponent() throws {
        let timestamps = regularTimestamps(4)
        let bytes = expectRoundTrip(timestamps, [2.35, 100.07, -3.5, 0])
        #expect(valueMode(bytes, timestamps: timestamps) == .decimal)
        #expect(SeriesCodec.encode(timestamps: [0, 1], values: [1, 2.5]).suffix(4).first == 1)  // e = 1
        #expect([2.35, 100.07, -3.5].withUnsafeBufferPointer(SeriesCodec.decimalExponent) == 2)
        #expect([1e-15, 3].withUnsafeBufferPointer(SeriesCodec.decimalExponent) == 15)
        #expect([9_007_199_254_740_991, -9_007_199_254_740_991].withUnsafeBufferPointer(SeriesCodec.decimalExponent) == 0)
    }

    @Test(arguments: [
        [0.1 + 0.2],  // 0.30000000000000004
        [1.0 / 3.0],
        [9_007_199_254_740_992],  // 2^53: mantissa out of range
        [9_007_199_254_740_991, 0.5],  // the mantissa leaves the exact range at e = 1
        [1e-16],
        [1.5, -0.0],
        [1.5, .nan],
        [1.5, .infinity],
        [.leastNonzeroMagnitude],
    ])
    func valuesThatAreNotDecimalAreRejectedByTheDecimalMode(values: [Double]) {
        #expect(values.withUnsafeBufferPointer(SeriesCodec.decimalExponent) == nil)
        let bytes = expectRoundTrip(regularTimestamps(values.count), values)
        #expect(valueMode(bytes, timestamps: regularTimestamps(values.count)) != .decimal)
    }

    @Test func specialValuesRoundTripBitExactly() {
        let signalingNaN = Double(bitPattern: 0x7FF0_0000_0000_0001)
        let payloadNaN = Double(bitPattern: 0xFFF8_0000_DEAD_BEEF)
        let values: [Double] = [
            -0.0, 0.0, .nan, -.nan, signalingNaN, payloadNaN, .infinity, -.infinity,
            .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude,
            -.greatestFiniteMagnitude, .ulpOfOne, 1, 1, -0.0,
        ]
        expectRoundTrip(regularTimestamps(values.count), values)
        for value in values {
            expectRoundTrip([0], [value])
            expectRoundTrip([0, 1, 2], [value, value, 1])
        }
    }

    @Test func uniformNoiseUsesXOR() {
        var rng = SplitMix64(state: 9)
        let timestamps = regularTimestamps(3600)
        let bytes = expectRoundTrip(timestamps, (0..<3600).map { _ in Double.random(in: 0..<1, using: &rng) })
        #expect(valueMode(bytes, timestamps: timestamps) == .xor)
    }

    @Test func periodicNonDecimalSeriesUsesTheSmallerOfXORAndCorrectedDecimal() {
        // 20 + k/3 is 47 bits of correction away from the integer 20 + k/3 rounds to, but a mantissa
        // step of at most 2 bits beats XOR's windows over the changing low bits.
        let timestamps = regularTimestamps(3600)
        let values = (0..<3600).map { 20 + Double($0 % 7) / 3 }
        let bytes = expectRoundTrip(timestamps, values)
        #expect(valueMode(bytes, timestamps: timestamps) == .correctedDecimal)
        let xorBytes = values.withUnsafeBufferPointer { (SeriesCodec.xorBitCount($0, limit: .max)! + 7) / 8 }
        #expect(bytes.count < xorBytes)
    }

    @Test func randomDoublesUseRaw() {
        var rng = SplitMix64(state: 3)
        let timestamps = regularTimestamps(500)
        let values = (0..<500).map { _ in Double(bitPattern: rng.next()) }
        let bytes = expectRoundTrip(timestamps, values)
        #expect(valueMode(bytes, timestamps: timestamps) == .raw)
    }

    // MARK: Corrected decimal

    @Test func correctedDecimalLayoutWithExactBlock() {
        // 0.1 + 0.2 is one ulp above 0.3. e = 1; m = 3, 3, 7; c0 = +1, the block's corrections are 0.
        // 1, 3 | t0 0, delta 1, width 0 | mode 3, e 1, zz(3) = 6, zz(+1) = 2 |
        // mantissa steps zz(0), zz(4) = 0, 8 at width 4 → 0x80 | correction block: dense, width 0.
        let bytes = expectRoundTrip([0, 1, 2], [0.1 + 0.2, 0.3, 0.7])
        #expect(bytes == [1, 3, 0, 1, 0, 3, 1, 6, 2, 4, 0x80, 0])
    }

    @Test func correctedDecimalLayoutWithFlaggedBlock() {
        // Corrections 0 | +1, 0: dense would be 2 × 2 bits, flagged is 2 flag bits + 1 bit of zz(1) − 1.
        // Header 128 + 1; bits: flags 1, 0, then 1 → 0b101.
        let bytes = expectRoundTrip([0, 1, 2], [0.3, 0.1 + 0.2, 0.3])
        #expect(bytes == [1, 3, 0, 1, 0, 3, 1, 6, 0, 0, 129, 0b101])
    }

    @Test func correctedDecimalLayoutWithDenseBlock() {
        // Corrections 0 | +1, +1: dense 2 × 2 bits ties with flagged 2 + 2 × 1 bits; ties go to dense.
        // Header 2; bits: zz(1) = 2, 2 → 0b10_10.
        let bytes = expectRoundTrip([0, 1, 2], [0.3, 0.1 + 0.2, 0.1 + 0.2])
        #expect(bytes == [1, 3, 0, 1, 0, 3, 1, 6, 0, 0, 2, 0b10_10])
        #expect(expectRoundTrip([0], [0.1 + 0.2]) == [1, 1, 0, 3, 1, 6, 2])
        // Negative values: the bit pattern grows with the magnitude, so -(0.1 + 0.2) is also +1.
        #expect(expectRoundTrip([0], [-(0.1 + 0.2)]) == [1, 1, 0, 3, 1, 5, 2])
    }

    @Test func encodingsWrittenBeforeTheCorrectedModeStillDecode() throws {
        // Written by the codec before mode 3 existed (XOR, XOR, raw); today these values encode smaller.
        let golden: [([UInt8], [Double])] = [
            ([1, 3, 0, 1, 0, 1, 52, 51, 51, 51, 51, 51, 211, 63, 127, 240, 0, 0, 0, 192, 170, 174, 170, 170, 170, 170, 170, 170, 1],
             [0.1 + 0.2, 0.3, 0.7]),
            ([1, 3, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 248, 63, 135, 166, 255, 63, 248, 85, 85, 85, 85, 85, 85, 215, 127],
             [1.5, 2.25, 1.0 / 3.0]),
            ([1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 248, 127], [Double(bitPattern: 0x7FF8_0000_0000_0001)]),
        ]
        for (bytes, values) in golden {
            let decoded = try SeriesCodec.decode(bytes)
            #expect(decoded.timestamps == (0..<Int64(values.count)).map { $0 })
            #expect(decoded.values.map(\.bitPattern) == values.map(\.bitPattern))
            #expect(expectRoundTrip(decoded.timestamps, values).count <= bytes.count)
        }
    }

    @Test func sumsOfTwoDecimalValuesUseCorrectedDecimal() {
        let timestamps = (0..<Int64(3600)).map { $0 }
        let sums = sequentialSums(roundedWalk(6 * 3600, decimals: 2, seed: 17), group: 6)
        let inexact = sums.filter { (($0 * 100).rounded() / 100).bitPattern != $0.bitPattern }.count
        #expect(inexact > 3600 / 5)
        #expect(sums.withUnsafeBufferPointer(SeriesCodec.decimalExponent) == nil)
        let bytes = expectRoundTrip(timestamps, sums)
        #expect(valueMode(bytes, timestamps: timestamps) == .correctedDecimal)
        // 6.8 B/pt in XOR mode; the same sums rounded to their decimals take 1.53 B/pt.
        #expect(Double(bytes.count) / 3600 <= 2.0)
    }

    @Test func aFewSpecialValuesInADecimalSeriesCostLittle() {
        let timestamps = regularTimestamps(3600)
        var values = roundedWalk(3600, decimals: 2, seed: 11)
        values[100] = .nan
        values[1000] = -0.0
        values[2000] = .infinity
        values[3599] = 1e300
        let bytes = expectRoundTrip(timestamps, values)
        #expect(valueMode(bytes, timestamps: timestamps) == .correctedDecimal)
        #expect(Double(bytes.count) / 3600 <= 1.1)
    }

    @Test func aValueWithMoreDecimalsIsCorrectedInsteadOfRaisingTheExponent() {
        let timestamps = regularTimestamps(3600)
        var values = roundedWalk(3600, decimals: 0, seed: 4)
        values[1234] += 0.5
        let bytes = expectRoundTrip(timestamps, values)
        #expect(values.withUnsafeBufferPointer(SeriesCodec.decimalExponent) == 1)
        #expect(valueMode(bytes, timestamps: timestamps) == .correctedDecimal)
        #expect(Double(bytes.count) / 3600 <= 0.9)
    }

    @Test func correctedDecimalSectionRoundTripsAnyBitsAtAnyExponent() async {
        await propertyCheck(input: Gen.uint64().array(of: 1...300), Gen.int(in: 0...15)) { bits, exponent in
            let values = bits.map(Double.init(bitPattern:))
            let decoded = correctedDecimalSectionRoundTrip(values, exponent: exponent)
            #expect(decoded.map(\.bitPattern) == bits)
        }
    }

    @Test func correctedDecimalSectionRoundTripsSpecialValues() {
        let special: [Double] = [
            0, -0.0, .nan, -.nan, Double(bitPattern: 0x7FF0_0000_0000_0001), .infinity, -.infinity,
            .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude,
            -.greatestFiniteMagnitude, 2_251_799_813_685_247, 2_251_799_813_685_248, -9_007_199_254_740_994, 0.1 + 0.2, 1e-300,
        ]
        for exponent in 0...15 {
            let decoded = correctedDecimalSectionRoundTrip(special + special.reversed(), exponent: exponent)
            #expect(decoded.map(\.bitPattern) == (special + special.reversed()).map(\.bitPattern), "e = \(exponent)")
        }
    }

    @Test func nearDecimalsRoundTripAndStayCompact() async {
        // Decimals with mantissas of up to 9 digits, a third of them 1–3 ulps off, of either sign, with
        // zeros mixed in; with `farOff`, also zeros moved by ulps (to ±subnormals) and huge values.
        await propertyCheck(
            input: Gen.uint64(), Gen.int(in: 0...9), Gen.int(in: 1...600), Gen.int(in: 0...3), Gen.bool()
        ) { seed, exponent, count, maximumOffset, farOff in
            var rng = SplitMix64(state: seed)
            let power = SeriesCodec.powersOfTen[exponent]
            var mantissa = Int64.random(in: -999_999_999...999_999_999, using: &rng)
            var exact: [Double] = []
            var values: [Double] = []
            for _ in 0..<count {
                mantissa = Swift.min(Swift.max(mantissa + Int64.random(in: -5000...5000, using: &rng), -999_999_999), 999_999_999)
                var decimal = Double(mantissa) / power
                switch Int.random(in: 0..<40, using: &rng) {
                case 0, 1: decimal = 0
                case 2 where farOff:
                    decimal = [1e300, -1e300, .greatestFiniteMagnitude, -.greatestFiniteMagnitude].randomElement(using: &rng)!
                default: break
                }
                exact.append(decimal)
                var offset = Int.random(in: 0..<3, using: &rng) == 0 ? Int.random(in: -maximumOffset...maximumOffset, using: &rng) : 0
                if decimal == 0 && !farOff { offset = 0 }
                values.append(ulpsAway(decimal, offset))
            }
            let timestamps = (0..<Int64(count)).map { $0 * 60 }
            let bytes = expectRoundTrip(timestamps, values)
            guard !farOff else { return }
            // The encoder's choice costs at most 3 bits per value more than the exact decimals in this
            // mode at their exponent (plus padding and c0): the exponent search finds it or better.
            // Values far from every decimal in ulps would cost 64 bits and widen their whole block.
            let header = timestamps.withUnsafeBufferPointer {
                2 + BitWriter.varintSize(UInt64(count)) + SeriesCodec.timestampSectionSize($0)
            }
            let exactSection = exact.withUnsafeBufferPointer {
                SeriesCodec.correctedDecimalSectionSize($0, exponent: exponent, limit: .max)!
            }
            #expect(bytes.count <= header + exactSection + (3 * count + 7) / 8 + count / 128 + 2)
        }
    }

    // MARK: Sizes

    @Test func constantSeriesCostsUnderATenthOfABytePerPoint() {
        let bytes = expectRoundTrip(regularTimestamps(3600), Array(repeating: 42.5, count: 3600))
        #expect(Double(bytes.count) / 3600 < 0.1)
    }

    @Test func twoDecimalRandomWalkCostsAtMostOneAndAHalfBytesPerPoint() {
        let timestamps = regularTimestamps(3600)
        let bytes = expectRoundTrip(timestamps, roundedWalk(3600, decimals: 2, seed: 11))
        #expect(Double(bytes.count) / 3600 <= 1.5)
        #expect(valueMode(bytes, timestamps: timestamps) == .decimal)
    }

    @Test func randomDoublesCostAtMostEightAndAHalfBytesPerPoint() {
        var rng = SplitMix64(state: 5)
        let values = (0..<3600).map { _ in Double(bitPattern: rng.next()) }
        let bytes = expectRoundTrip(regularTimestamps(3600), values)
        #expect(Double(bytes.count) / 3600 <= 8.5)
    }

    // MARK: Errors

    @Test func rejectsMalformedHeaders() {
        func code(_ bytes: [UInt8]) -> SeriesCodecError.Code? {
            do {
                _ = try SeriesCodec.decode(bytes)
                return nil
            } catch {
                return error.code
            }
        }
        #expect(code([]) == .truncated)
        #expect(code([1]) == .truncated)
        #expect(code([2, 0]) == .unsupportedVersion)
        #expect(code([1, 0, 0]) == .corrupt)  // trailing byte
        #expect(code([1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]) == .corrupt)  // varint overflow
        #expect(code([1, 0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0]) == .corrupt)  // count far beyond the input
        #expect(code([1, 1, 0, 9, 0]) == .corrupt)  // unknown value mode
        #expect(code([1, 1, 0, 2, 16, 0]) == .corrupt)  // decimal exponent 16
        #expect(code([1, 3, 0, 1, 65, 2, 0, 0, 0]) == .corrupt)  // block width 65
        #expect(code([1, 2, 0, 1, 0, 0, 0]) == .truncated)  // raw values missing
        #expect(code([1, 2, 0, 1, 1, 0x3F, 0, 0, 0, 0, 0, 0xF0, 0x3F]) == .truncated)  // XOR bits missing
        // Corrected decimal: count 2, t0 0, delta 1, mode 3, then e, zz(m0), zz(c0), mantissa block, correction block.
        #expect(code([1, 2, 0, 1, 3, 1, 6, 2, 0, 0]) == nil)
        #expect(code([1, 2, 0, 1, 3, 16, 6, 2, 0, 0]) == .corrupt)  // exponent 16
        #expect(code([1, 2, 0, 1, 3, 1, 6, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0, 0]) == .corrupt)  // c0 varint
        #expect(code([1, 2, 0, 1, 3, 1, 6, 2, 65, 0, 0]) == .corrupt)  // mantissa width 65
        #expect(code([1, 2, 0, 1, 3, 1, 6, 2, 0, 65, 0]) == .corrupt)  // correction header 65
        #expect(code([1, 2, 0, 1, 3, 1, 6, 2, 0, 127, 0]) == .corrupt)  // correction header 127
        #expect(code([1, 2, 0, 1, 3, 1, 6, 2, 0, 193, 0]) == .corrupt)  // flagged width 65
        #expect(code([1, 2, 0, 1, 3, 1, 6, 2, 0, 128]) == .truncated)  // the flag bit is missing
        #expect(code([1, 2, 0, 1, 3, 1, 6, 2, 0, 192, 1]) == .truncated)  // flagged correction of 64 bits missing
        #expect(code([1, 2, 0, 1, 3, 1, 6, 2, 0, 0, 0]) == .corrupt)  // trailing byte
    }

    @Test func failedDecodeLeavesTheArraysUnchanged() {
        var bytes = SeriesCodec.encode(timestamps: regularTimestamps(300), values: roundedWalk(300, decimals: 1, seed: 1))
        bytes.removeLast()
        var timestamps: [Int64] = [1, 2]
        var values: [Double] = [3]
        #expect(throws: SeriesCodecError.self) {
            try bytes.withUnsafeBufferPointer { (buffer) throws(SeriesCodecError) in
                try SeriesCodec.decode(UnsafeRawBufferPointer(buffer), timestamps: &timestamps, values: &values)
            }
        }
        #expect(timestamps == [1, 2])
        #expect(values == [3])
    }

    @Test(arguments: ["raw", "xor", "decimal", "constant", "sums", "special"])
    func everyTruncationThrows(kind: String) {
        var rng = SplitMix64(state: 13)
        let timestamps = (0..<300).map { start + Int64($0) * minute + Int64.random(in: 0...1000, using: &rng) }
        let values: [Double]
        switch kind {
        case "raw": values = (0..<300).map { _ in Double(bitPattern: rng.next()) }
        case "xor": values = (0..<300).map { Double($0 % 9) / 7 }
        case "decimal": values = roundedWalk(300, decimals: 3, seed: 2)
        case "sums": values = sequentialSums(roundedWalk(1800, decimals: 2, seed: 3), group: 6)
        case "special": values = roundedWalk(300, decimals: 1, seed: 4).enumerated().map { $0 % 50 == 7 ? .nan : $1 }
        default: values = Array(repeating: 1, count: 300)
        }
        let bytes = expectRoundTrip(timestamps, values)
        if kind == "sums" || kind == "special" {
            #expect(valueMode(bytes, timestamps: timestamps) == .correctedDecimal)
        }
        for length in 0..<bytes.count {
            #expect(throws: SeriesCodecError.self, "prefix of \(length) bytes") {
                try SeriesCodec.decode(Array(bytes[..<length]))
            }
        }
    }

    // MARK: Properties

    @Test func arbitraryPointsRoundTrip() async {
        await propertyCheck(input: Gen.int64().array(of: 0...300), Gen.uint64().array(of: 0...300)) { stamps, bits in
            let count = min(stamps.count, bits.count)
            expectRoundTrip(Array(stamps.prefix(count)), bits.prefix(count).map(Double.init(bitPattern:)))
        }
    }

    @Test func sortedTimestampsWithAnyDeltasRoundTrip() async {
        await propertyCheck(input: Gen.int64().array(of: 0...300), Gen.double(in: -1e6...1e6)) { stamps, value in
            let timestamps = Array(Set(stamps)).sorted()
            expectRoundTrip(timestamps, timestamps.map { Double($0 % 1000) * value })
        }
    }

    @Test func decimalSeriesRoundTripForEveryExponent() async {
        await propertyCheck(
            input: Gen.int64(in: -999_999_999...999_999_999).array(of: 1...300), Gen.int(in: 0...15),
            Gen.int64(in: 1...1_000_000_000)
        ) { mantissas, exponent, step in
            let values = mantissas.map { Double($0) / SeriesCodec.powersOfTen[exponent] }
            let timestamps = (0..<Int64(values.count)).map { $0 * step }
            let bytes = expectRoundTrip(timestamps, values)
            #expect(bytes.count <= 2 + 10 + 10 + 3 + values.count * 9 + 2 * (values.count / 128 + 1))
        }
    }

    @Test func jitteredWalksRoundTrip() async {
        await propertyCheck(input: Gen.uint64(), Gen.int(in: 0...6), Gen.int(in: 1...2000)) { seed, decimals, count in
            var rng = SplitMix64(state: seed)
            let timestamps = (0..<count).map { start + Int64($0) * 10_000_000_000 + Int64.random(in: -999...999, using: &rng) }
            var values = roundedWalk(count, decimals: decimals, seed: seed)
            if decimals == 6 { values = values.map { $0 / 3 } }  // no longer decimal: XOR
            expectRoundTrip(timestamps, values)
        }
    }

    @Test func randomByteFlipsNeverCrash() async {
        await propertyCheck(input: Gen.uint64(), Gen.int(in: 0...5), Gen.int(in: 1...8)) { seed, kind, flips in
            var rng = SplitMix64(state: seed)
            let count = Int.random(in: 0...400, using: &rng)
            let timestamps = (0..<count).map { start + Int64($0) * minute + Int64.random(in: 0...(kind == 0 ? 0 : 99), using: &rng) }
            let values: [Double] = switch kind {
            case 0: Array(repeating: 3.25, count: count)
            case 1: roundedWalk(count, decimals: 2, seed: seed)
            case 2: (0..<count).map { Double($0 % 13) / 11 }
            case 4: sequentialSums(roundedWalk(6 * count, decimals: 2, seed: seed), group: 6)
            case 5: roundedWalk(count, decimals: 2, seed: seed).map { $0 == 100 ? .nan : ulpsAway($0, Int($0.bitPattern % 7) - 3) }
            default: (0..<count).map { _ in Double(bitPattern: rng.next()) }
            }
            var bytes = SeriesCodec.encode(timestamps: timestamps, values: values)
            for _ in 0..<flips {
                let index = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[index] ^= UInt8.random(in: 1...255, using: &rng)
            }
            decodeDoesNotCrash(bytes)
            decodeDoesNotCrash(Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng))))
        }
    }

    @Test func randomBytesNeverCrash() async {
        await propertyCheck(count: 300, input: Gen.uint8().array(of: 0...64), Gen.uint8(in: 0...20)) { tail, count in
            decodeDoesNotCrash([1, count] + tail)
            decodeDoesNotCrash([1, count, 0, 1, 2] + tail)
            decodeDoesNotCrash([1, count, 0, 1, 1] + tail)
            decodeDoesNotCrash([1, count, 0, 1, 3] + tail)
            decodeDoesNotCrash([1, count, 0, 1, 3, 2, 0, 0, 0] + tail)
        }
    }
}
