import StratusCore

/// MessagePack, as Python's `msgpack.dumps(value, use_bin_type=True)` writes telemetry values
/// (the `udp://` publisher's datagrams): the smallest integer format (unsigned formats for
/// non-negative numbers), float64 for floats, str formats for strings, maps in the order given.
public enum MsgPack {
    /// A value in the map order of `keyOrder` at the top level (keys not listed follow, sorted),
    /// nested mappings with sorted keys.
    public static func encode(_ value: TelemetryValue, topLevelOrder keyOrder: [String] = []) -> [UInt8] {
        var out: [UInt8] = []
        write(value, order: keyOrder, to: &out)
        return out
    }

    private static func write(_ value: TelemetryValue, order: [String], to out: inout [UInt8]) {
        switch value {
        case .null: out.append(0xC0)
        case .bool(let flag): out.append(flag ? 0xC3 : 0xC2)
        case .int(let number): writeInt(number, to: &out)
        case .double(let number):
            out.append(0xCB)
            appendBigEndian(number.bitPattern, to: &out)
        case .string(let text):
            let bytes = Array(text.utf8)
            switch bytes.count {
            case 0..<32: out.append(0xA0 | UInt8(bytes.count))
            case 32..<256: out += [0xD9, UInt8(bytes.count)]
            case 256..<65536:
                out.append(0xDA)
                appendBigEndian(UInt16(bytes.count), to: &out)
            default:
                out.append(0xDB)
                appendBigEndian(UInt32(truncatingIfNeeded: bytes.count), to: &out)
            }
            out += bytes
        case .list(let items):
            writeHeader(items.count, fix: 0x90, sixteen: 0xDC, thirtyTwo: 0xDD, to: &out)
            for item in items { write(item, order: [], to: &out) }
        case .dictionary(let entries):
            writeHeader(entries.count, fix: 0x80, sixteen: 0xDE, thirtyTwo: 0xDF, to: &out)
            var keys = order.filter { entries[$0] != nil }
            let listed = Set(keys)
            keys += entries.keys.filter { !listed.contains($0) }.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
            for key in keys {
                write(.string(key), order: [], to: &out)
                write(entries[key]!, order: [], to: &out)
            }
        }
    }

    private static func writeHeader(_ count: Int, fix: UInt8, sixteen: UInt8, thirtyTwo: UInt8, to out: inout [UInt8]) {
        if count < 16 {
            out.append(fix | UInt8(count))
        } else if count < 65536 {
            out.append(sixteen)
            appendBigEndian(UInt16(count), to: &out)
        } else {
            out.append(thirtyTwo)
            appendBigEndian(UInt32(truncatingIfNeeded: count), to: &out)
        }
    }

    private static func writeInt(_ number: Int64, to out: inout [UInt8]) {
        switch number {
        case 0...0x7F: out.append(UInt8(number))
        case -32..<0: out.append(UInt8(bitPattern: Int8(number)))
        case 0x80...0xFF: out += [0xCC, UInt8(number)]
        case 0x100...0xFFFF:
            out.append(0xCD)
            appendBigEndian(UInt16(number), to: &out)
        case 0x1_0000...0xFFFF_FFFF:
            out.append(0xCE)
            appendBigEndian(UInt32(number), to: &out)
        case 0x1_0000_0000...Int64.max:
            out.append(0xCF)
            appendBigEndian(UInt64(number), to: &out)
        case -128 ..< -32: out += [0xD0, UInt8(bitPattern: Int8(number))]
        case -32768 ..< -128:
            out.append(0xD1)
            appendBigEndian(UInt16(bitPattern: Int16(number)), to: &out)
        case -2_147_483_648 ..< -32768:
            out.append(0xD2)
            appendBigEndian(UInt32(bitPattern: Int32(number)), to: &out)
        default:
            out.append(0xD3)
            appendBigEndian(UInt64(bitPattern: number), to: &out)
        }
    }

    private static func appendBigEndian<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        var big = value.bigEndian
        withUnsafeBytes(of: &big) { out += $0 }
    }

    /// A decoding failure: truncated data, an unsupported format or trailing bytes.
    public struct DecodingError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The byte offset.
        public var offset: Int
        /// What is wrong.
        public var reason: String
        public var description: String { "invalid MessagePack at byte \(offset): \(reason)" }
    }

    /// Decodes one value that fills `bytes` (nil, bool, integers, float32/64, str, bin as a
    /// string, array, map with string keys).
    /// - Throws: ``DecodingError``.
    public static func decode(_ bytes: [UInt8]) throws(DecodingError) -> TelemetryValue {
        var reader = Reader(bytes: bytes)
        let value = try reader.value()
        guard reader.offset == bytes.count else { throw DecodingError(offset: reader.offset, reason: "trailing bytes") }
        return value
    }

    /// The keys of the top-level map of `bytes`, in encoded order.
    /// - Throws: ``DecodingError`` when the data is not a map.
    public static func topLevelKeys(_ bytes: [UInt8]) throws(DecodingError) -> [String] {
        var reader = Reader(bytes: bytes)
        let count = try reader.mapCount()
        var keys: [String] = []
        for _ in 0..<count {
            guard case .string(let key) = try reader.value() else { throw DecodingError(offset: reader.offset, reason: "non-string key") }
            keys.append(key)
            _ = try reader.value()
        }
        return keys
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func take(_ count: Int) throws(DecodingError) -> ArraySlice<UInt8> {
            guard count >= 0, offset + count <= bytes.count else { throw DecodingError(offset: offset, reason: "truncated") }
            defer { offset += count }
            return bytes[offset..<(offset + count)]
        }

        mutating func integer<T: FixedWidthInteger>(_: T.Type) throws(DecodingError) -> T {
            var value: T = 0
            for byte in try take(MemoryLayout<T>.size) { value = value << 8 | T(truncatingIfNeeded: byte) }
            return value
        }

        mutating func mapCount() throws(DecodingError) -> Int {
            let marker = try take(1).first!
            switch marker {
            case 0x80...0x8F: return Int(marker & 0x0F)
            case 0xDE: return Int(try integer(UInt16.self))
            case 0xDF: return Int(try integer(UInt32.self))
            default: throw DecodingError(offset: offset - 1, reason: "not a map")
            }
        }

        mutating func string(_ count: Int) throws(DecodingError) -> TelemetryValue {
            let start = offset
            let slice = try take(count)
            guard let text = String(validating: slice, as: UTF8.self) else { throw DecodingError(offset: start, reason: "invalid UTF-8") }
            return .string(text)
        }

        mutating func value() throws(DecodingError) -> TelemetryValue {
            let marker = try take(1).first!
            switch marker {
            case 0x00...0x7F: return .int(Int64(marker))
            case 0xE0...0xFF: return .int(Int64(Int8(bitPattern: marker)))
            case 0xC0: return .null
            case 0xC2: return .bool(false)
            case 0xC3: return .bool(true)
            case 0xCC: return .int(Int64(try integer(UInt8.self)))
            case 0xCD: return .int(Int64(try integer(UInt16.self)))
            case 0xCE: return .int(Int64(try integer(UInt32.self)))
            case 0xCF:
                let value = try integer(UInt64.self)
                guard let exact = Int64(exactly: value) else { throw DecodingError(offset: offset - 8, reason: "integer too large") }
                return .int(exact)
            case 0xD0: return .int(Int64(Int8(bitPattern: try integer(UInt8.self))))
            case 0xD1: return .int(Int64(Int16(bitPattern: try integer(UInt16.self))))
            case 0xD2: return .int(Int64(Int32(bitPattern: try integer(UInt32.self))))
            case 0xD3: return .int(Int64(bitPattern: try integer(UInt64.self)))
            case 0xCA: return .double(Double(Float(bitPattern: try integer(UInt32.self))))
            case 0xCB: return .double(Double(bitPattern: try integer(UInt64.self)))
            case 0xA0...0xBF: return try string(Int(marker & 0x1F))
            case 0xD9, 0xC4: return try string(Int(try integer(UInt8.self)))
            case 0xDA, 0xC5: return try string(Int(try integer(UInt16.self)))
            case 0xDB, 0xC6: return try string(Int(try integer(UInt32.self)))
            case 0x90...0x9F: return try list(Int(marker & 0x0F))
            case 0xDC: return try list(Int(try integer(UInt16.self)))
            case 0xDD: return try list(Int(try integer(UInt32.self)))
            case 0x80...0x8F: return try map(Int(marker & 0x0F))
            case 0xDE: return try map(Int(try integer(UInt16.self)))
            case 0xDF: return try map(Int(try integer(UInt32.self)))
            default: throw DecodingError(offset: offset - 1, reason: "unsupported format 0x" + String(marker, radix: 16))
            }
        }

        mutating func list(_ count: Int) throws(DecodingError) -> TelemetryValue {
            guard count <= bytes.count - offset else { throw DecodingError(offset: offset, reason: "truncated") }
            var items: [TelemetryValue] = []
            for _ in 0..<count { items.append(try value()) }
            return .list(items)
        }

        mutating func map(_ count: Int) throws(DecodingError) -> TelemetryValue {
            guard count <= bytes.count - offset else { throw DecodingError(offset: offset, reason: "truncated") }
            var entries: [String: TelemetryValue] = [:]
            for _ in 0..<count {
                guard case .string(let key) = try value() else { throw DecodingError(offset: offset, reason: "non-string map key") }
                entries[key] = try value()
            }
            return .dictionary(entries)
        }
    }
}
