/// Reads bit fields, least significant bit first, from a byte region, never past its end.
///
/// Reads beyond the end yield zero bits instead of touching memory; the decoder checks
/// `isOverrun` at section boundaries and reports truncation. Every loop of the decoder is bounded
/// by a count that was itself bounded by the input length, so reading zeros for a while is harmless.
struct BitReader {
    private let base: UnsafeRawPointer?
    /// Input length in bytes.
    let byteCount: Int
    /// Absolute position of the next bit.
    var bitPosition: Int = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.base = bytes.baseAddress
        self.byteCount = bytes.count
    }

    /// True once a read went past the end of the input.
    var isOverrun: Bool { bitPosition > byteCount &* 8 }

    /// Byte offset of the next bit, rounded up to a byte boundary.
    var alignedByteOffset: Int { (bitPosition &+ 7) &>> 3 }

    /// Bytes left after `alignedByteOffset` (negative when overrun).
    var remainingBytes: Int { byteCount &- alignedByteOffset }

    /// The next 57 or more bits, without consuming them.
    @inline(__always)
    func peek() -> UInt64 {
        let byte = bitPosition &>> 3
        let word: UInt64
        if let base, byte &+ 8 <= byteCount {
            word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: byte, as: UInt64.self))
        } else {
            word = tailWord(at: byte)
        }
        return word &>> UInt64(truncatingIfNeeded: bitPosition & 7)
    }

    /// The up to 8 bytes available at `byte`, zero-padded; zero past the end.
    private func tailWord(at byte: Int) -> UInt64 {
        guard let base else { return 0 }
        var word: UInt64 = 0
        var index = byte
        var shift: UInt64 = 0
        while index < byteCount && shift < 64 {
            word |= UInt64(base.load(fromByteOffset: index, as: UInt8.self)) &<< shift
            index &+= 1
            shift &+= 8
        }
        return word
    }

    /// Consumes `width` bits.
    @inline(__always)
    mutating func skip(_ width: Int) {
        bitPosition &+= width
    }

    /// Reads `width` bits, `0...57`.
    @inline(__always)
    mutating func read(_ width: Int) -> UInt64 {
        let value = peek() & lowMask(width)
        bitPosition &+= width
        return value
    }

    /// Reads `width` bits, `0...64`.
    @inline(__always)
    mutating func readWide(_ width: Int) -> UInt64 {
        if width <= 57 { return read(width) }
        let low = read(32)
        let high = read(width &- 32)
        return low | (high &<< 32)
    }

    /// Reads one byte (at any bit position).
    @inline(__always)
    mutating func readByte() -> UInt8 {
        UInt8(truncatingIfNeeded: read(8))
    }

    /// Skips to the next byte boundary.
    @inline(__always)
    mutating func alignToByte() {
        bitPosition = (bitPosition &+ 7) & ~7
    }

    /// Reads an unsigned LEB128 varint; nil when it is longer than 10 bytes or overflows 64 bits.
    mutating func readVarint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = UInt64(readByte())
            if shift == 63 && byte > 1 { return nil }
            result |= (byte & 0x7F) &<< shift
            if byte < 0x80 { return result }
            shift &+= 7
            if shift > 63 { return nil }
        }
    }
}

/// A mask of the low `width` bits, `0...63`.
@inline(__always)
func lowMask(_ width: Int) -> UInt64 {
    (UInt64(1) &<< UInt64(truncatingIfNeeded: width)) &- 1
}
