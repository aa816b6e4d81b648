import NIOCore

/// JSON text written into one growing block of memory, then handed over as a `ByteBuffer`: the
/// hot path of the Gnocchi publisher's request bodies (a million measures a second), where a
/// `ByteBuffer` write per token costs more than the token.
struct JSONBodyWriter: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes written.
    private(set) var count = 0

    /// An empty writer with room for `capacity` bytes (it grows as needed).
    init(capacity: Int) {
        self.capacity = max(64, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deallocate()
    }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    private mutating func grow(to needed: Int) {
        var size = capacity * 2
        while size < needed { size *= 2 }
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        larger.update(from: base, count: count)
        base.deallocate()
        base = larger
        capacity = size
    }

    /// One byte.
    @inline(__always)
    mutating func write(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    /// Bytes as they are.
    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    /// ASCII text known at compile time (punctuation, keys).
    mutating func write(_ text: StaticString) {
        write(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// A JSON string literal; a string needing no escape is copied as is.
    mutating func writeString(_ text: String) {
        if let done: Void = text.utf8.withContiguousStorageIfAvailable({ writeString(utf8: $0) }) { return done }
        var copy = text
        copy.withUTF8 { writeString(utf8: $0) }
    }

    private mutating func writeString(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        var clean = true
        for byte in bytes where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            clean = false
            break
        }
        write(UInt8(ascii: "\""))
        if clean {
            write(bytes)
        } else {
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""): write("\\\"")
                case UInt8(ascii: "\\"): write("\\\\")
                case 0x0A: write("\\n")
                case 0x0D: write("\\r")
                case 0x09: write("\\t")
                case 0..<0x20:
                    let hex: StaticString = "0123456789abcdef"
                    write("\\u00")
                    write(hex.utf8Start[Int(byte >> 4)])
                    write(hex.utf8Start[Int(byte & 15)])
                default: write(byte)
                }
            }
        }
        write(UInt8(ascii: "\""))
    }

    /// The decimal digits of an integer, without making a String.
    mutating func writeInteger(_ value: Int64) {
        reserve(20)
        var magnitude = value.magnitude
        var digits = 0
        var scratch = magnitude
        repeat {
            digits += 1
            scratch /= 10
        } while scratch > 0
        if value < 0 {
            base[count] = UInt8(ascii: "-")
            count += 1
        }
        var position = count + digits
        count = position
        repeat {
            position -= 1
            base[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
    }

    /// A finite number as Python's `repr` (`5.0`, `0.1`, `1e-05`); non-finite numbers are
    /// written as `null` (JSON has no NaN; callers drop them first).
    mutating func writeDouble(_ value: Double) {
        guard value.isFinite else {
            write("null")
            return
        }
        if value == 0, value.sign == .minus {
            write("-0.0")
        } else if value == value.rounded(.towardZero), abs(value) < 1e15 {
            writeInteger(Int64(value))
            write(".0")
        } else {
            writeString(unquoted: value.description)
        }
    }

    /// Text without quotes or escapes (a number's digits).
    private mutating func writeString(unquoted text: String) {
        if text.utf8.withContiguousStorageIfAvailable({ write($0) }) != nil { return }
        var copy = text
        copy.withUTF8 { write($0) }
    }

    /// What was written, in a new buffer of `allocator`.
    consuming func byteBuffer(allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: count)
        buffer.writeBytes(UnsafeRawBufferPointer(start: base, count: count))
        return buffer
    }
}
