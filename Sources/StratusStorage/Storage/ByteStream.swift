/// Appends little-endian integers, varints and byte strings to a byte array (storage containers).
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func signed(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func uint32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func uint64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func blob(_ data: [UInt8]) {
        varint(UInt64(data.count))
        bytes.append(contentsOf: data)
    }

    mutating func string(_ text: String) {
        blob(Array(text.utf8))
    }
}

/// Reads what `ByteWriter` wrote; every read is bounds-checked and throws `StorageError.corrupt` past the end.
struct ByteReader {
    let bytes: [UInt8]
    var position: Int
    let path: String

    init(_ bytes: [UInt8], at position: Int = 0, path: String) {
        self.bytes = bytes
        self.position = position
        self.path = path
    }

    var isAtEnd: Bool { position >= bytes.count }

    private func corrupt(_ what: String) -> StorageError {
        StorageError(code: .corrupt, message: "truncated or corrupt data (\(what) at byte \(position))", path: path)
    }

    mutating func byte() throws(StorageError) -> UInt8 {
        guard position < bytes.count else { throw corrupt("byte") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func varint() throws(StorageError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw corrupt("varint") }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    mutating func signed() throws(StorageError) -> Int64 {
        let v = try varint()
        return Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1)
    }

    mutating func count(limit: Int) throws(StorageError) -> Int {
        let v = try varint()
        guard v <= UInt64(limit) else { throw corrupt("count") }
        return Int(v)
    }

    mutating func uint32() throws(StorageError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw corrupt("uint32") }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[position + i]) << (8 * UInt32(i)) }
        position += 4
        return v
    }

    mutating func uint64() throws(StorageError) -> UInt64 {
        guard position + 8 <= bytes.count else { throw corrupt("uint64") }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += 8
        return v
    }

    mutating func blob() throws(StorageError) -> ArraySlice<UInt8> {
        let n = try count(limit: bytes.count - position)
        defer { position += n }
        return bytes[position..<(position + n)]
    }

    mutating func string() throws(StorageError) -> String {
        let raw = try blob()
        guard let text = String(validating: raw, as: UTF8.self) else { throw corrupt("string") }
        return text
    }
}
