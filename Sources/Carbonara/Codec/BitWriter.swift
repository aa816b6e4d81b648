/// Appends bit fields, least significant bit first, to a pre-sized byte region.
///
/// The caller sizes the region exactly before writing (the codec computes every section's size
/// first), so the writer never checks capacity: it stores whole 64-bit words as they fill and the
/// final partial word byte by byte in `finish()`. Bits not yet written are zero.
struct BitWriter {
    private let base: UnsafeMutableRawPointer
    /// Byte offset where the next full accumulator word is stored.
    private var byteOffset: Int
    /// Pending bits; the low `filled` bits are meaningful, the others are zero.
    private var accumulator: UInt64 = 0
    /// Number of pending bits, `0..<64`.
    private var filled: Int = 0

    init(base: UnsafeMutableRawPointer) {
        self.base = base
        self.byteOffset = 0
    }

    /// Number of bits written so far.
    var bitCount: Int { byteOffset &* 8 &+ filled }

    /// Writes the low `width` bits of `value`; `value` must have no bit set at or above `width`.
    /// - Parameter width: `0...64`.
    @inline(__always)
    mutating func write(_ value: UInt64, width: Int) {
        accumulator |= value &<< UInt64(truncatingIfNeeded: filled)
        let total = filled &+ width
        if total >= 64 {
            base.storeBytes(of: accumulator.littleEndian, toByteOffset: byteOffset, as: UInt64.self)
            byteOffset &+= 8
            // The bits of `value` that did not fit; two shifts so that `filled == 0` yields 0.
            accumulator = (value &>> 1) &>> UInt64(truncatingIfNeeded: 63 &- filled)
            filled = total &- 64
        } else {
            filled = total
        }
    }

    /// Writes one byte.
    @inline(__always)
    mutating func writeByte(_ byte: UInt8) {
        write(UInt64(byte), width: 8)
    }

    /// Pads with zero bits up to the next byte boundary.
    @inline(__always)
    mutating func alignToByte() {
        let padding = (8 &- (filled & 7)) & 7
        if padding != 0 { write(0, width: padding) }
    }

    /// Writes `value` as an unsigned LEB128 varint (7 bits per byte, high bit = more follows).
    mutating func writeVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            writeByte(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest &>>= 7
        }
        writeByte(UInt8(truncatingIfNeeded: rest))
    }

    /// Flushes the pending bits (padding the last byte with zeros); returns the number of bytes written.
    mutating func finish() -> Int {
        var rest = accumulator
        var pending = filled
        while pending > 0 {
            base.storeBytes(of: UInt8(truncatingIfNeeded: rest), toByteOffset: byteOffset, as: UInt8.self)
            byteOffset &+= 1
            rest &>>= 8
            pending &-= 8
        }
        accumulator = 0
        filled = 0
        return byteOffset
    }

    /// Number of bytes the unsigned LEB128 varint of `value` takes.
    @inline(__always)
    static func varintSize(_ value: UInt64) -> Int {
        let bits = 64 &- (value | 1).leadingZeroBitCount
        return (bits &+ 6) / 7
    }
}

/// Zigzag encoding: maps signed integers to unsigned ones so that small magnitudes stay small
/// (0 → 0, -1 → 1, 1 → 2, -2 → 3, …).
@inline(__always)
func zigzag(_ value: Int64) -> UInt64 {
    UInt64(bitPattern: (value &<< 1) ^ (value &>> 63))
}

/// The inverse of `zigzag(_:)`.
@inline(__always)
func unzigzag(_ value: UInt64) -> Int64 {
    Int64(bitPattern: (value &>> 1) ^ (0 &- (value & 1)))
}

/// Number of significant bits of `value` (0 for 0, 64 for values with the top bit set).
@inline(__always)
func bitWidth(_ value: UInt64) -> Int {
    64 &- value.leadingZeroBitCount
}
