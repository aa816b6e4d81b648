import Carbonara
import NIOCore
import StratusCore

/// Writes the answer of `GET /v1/metric/{id}/measures` straight into a buffer, byte for byte as Gnocchi's
/// JSON renderer prints it: `[["2015-03-06T14:33:57+00:00", 1.0, 43.1], …]`.
///
/// - Timestamps as `numpy.datetime_as_string(ts, unit='s') + "+00:00"`: whole seconds, fractions dropped.
/// - Granularities in seconds and values as Python's `repr(float)`; NaN and infinities as `NaN`, `Infinity`.
/// - A resampled aggregate prints its resample span, or the calendar letter (`"Y"`) as a string.
struct MeasuresWriter {
    /// What the second column of an aggregate's rows says.
    enum GranularityLabel: Hashable {
        /// A span in nanoseconds, printed in seconds (`300.0`).
        case span(Int64)
        /// A calendar grouping letter, printed as a string (`"M"`).
        case calendar(String)
    }

    private(set) var buffer: ByteBuffer
    private var isFirst = true

    /// Starts an answer, reserving room for about `estimatedPoints` rows.
    init(estimatedPoints: Int = 0) {
        buffer = ByteBufferAllocator().buffer(capacity: 2 + max(0, estimatedPoints) * 48)
        buffer.writeInteger(UInt8(ascii: "["))
    }

    /// Appends every point of one aggregate.
    mutating func append(_ series: TimeSeries, label: GranularityLabel) {
        var labelBytes: [UInt8] = []
        switch label {
        case .span(let nanoseconds): labelBytes.append(contentsOf: Self.pythonRepr(Double(nanoseconds) / 1e9).utf8)
        case .calendar(let letter): JSONWriter.writeString(letter, into: &labelBytes)
        }
        buffer.reserveCapacity(minimumWritableBytes: series.count * (34 + labelBytes.count + 24))
        series.timestamps.withUnsafeBufferPointer { timestamps in
            series.values.withUnsafeBufferPointer { values in
                for index in 0..<timestamps.count {
                    if isFirst {
                        isFirst = false
                        buffer.writeInteger(UInt8(ascii: "["))
                    } else {
                        buffer.writeStaticString(", [")
                    }
                    Self.writeTimestamp(timestamps[index], into: &buffer)
                    buffer.writeStaticString(", ")
                    buffer.writeBytes(labelBytes)
                    buffer.writeStaticString(", ")
                    Self.writeFloat(values[index], into: &buffer)
                    buffer.writeInteger(UInt8(ascii: "]"))
                }
            }
        }
    }

    /// The finished answer.
    mutating func finish() -> ByteBuffer {
        buffer.writeInteger(UInt8(ascii: "]"))
        return buffer
    }

    // MARK: - Scalars

    /// `"YYYY-MM-DDTHH:MM:SS+00:00"` with its quotes, the fraction of the second dropped.
    static func writeTimestamp(_ nanoseconds: Int64, into buffer: inout ByteBuffer) {
        let seconds = nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds + 1) / 1_000_000_000 - 1
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = Timestamps.civil(fromDays: days)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 28) { out in
            func put2(_ value: Int64, _ at: Int) {
                out[at] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value / 10)
                out[at + 1] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10)
            }
            let clampedYear = min(max(year, 0), 9999)
            out[0] = UInt8(ascii: "\"")
            put2(clampedYear / 100, 1)
            put2(clampedYear % 100, 3)
            out[5] = UInt8(ascii: "-")
            put2(month, 6)
            out[8] = UInt8(ascii: "-")
            put2(day, 9)
            out[11] = UInt8(ascii: "T")
            put2(secondOfDay / 3600, 12)
            out[14] = UInt8(ascii: ":")
            put2(secondOfDay / 60 % 60, 15)
            out[17] = UInt8(ascii: ":")
            put2(secondOfDay % 60, 18)
            out[20] = UInt8(ascii: "+")
            out[21] = UInt8(ascii: "0")
            out[22] = UInt8(ascii: "0")
            out[23] = UInt8(ascii: ":")
            out[24] = UInt8(ascii: "0")
            out[25] = UInt8(ascii: "0")
            out[26] = UInt8(ascii: "\"")
            buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: out[0..<27])))
        }
    }

    /// Python's `repr(float)` as its `json` module prints it.
    @inline(__always)
    static func writeFloat(_ value: Double, into buffer: inout ByteBuffer) {
        buffer.writeString(pythonRepr(value))
    }

    /// Python's `repr(float)`: the shortest digits that round-trip (as Swift's `description`), in positional
    /// notation from 1e-4 up to 1e16 and in exponent notation (`1e+16`, `1e-05`) outside; integral values end
    /// in `.0`; NaN and infinities as the `json` module prints them (`NaN`, `Infinity`, `-Infinity`). Swift
    /// switches to exponents at 2^53 already, so integral values below 1e16 are printed here.
    static func pythonRepr(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == value.rounded(.towardZero), abs(value) < 1e16 {
            return (value.sign == .minus ? "-" : "") + String(Int64(abs(value))) + ".0"
        }
        return value.description
    }
}
