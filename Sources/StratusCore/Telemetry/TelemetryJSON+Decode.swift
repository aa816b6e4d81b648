extension TelemetryJSON {
    /// Malformed JSON text, with the byte offset where reading stopped.
    public struct DecodingError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The byte offset.
        public var offset: Int
        /// What was expected.
        public var reason: String
        public var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    /// Parses JSON text. Numbers without a fraction or exponent become `.int` (when they fit),
    /// others `.double`, so that a decoded meter message signs as it was signed; `NaN`,
    /// `Infinity` and `-Infinity` are accepted as Python's `json` writes them.
    /// - Throws: ``DecodingError``.
    public static func decode(_ text: String) throws(DecodingError) -> TelemetryValue {
        try decode(bytes: Array(text.utf8))
    }

    /// Parses JSON from UTF-8 bytes.
    /// - Throws: ``DecodingError``.
    public static func decode(bytes: [UInt8]) throws(DecodingError) -> TelemetryValue {
        try decode(bytes: bytes, interning: nil)
    }

    /// Parses JSON from UTF-8 bytes; the object values of `interner`'s key are looked up in it by
    /// their text (and kept there), so that equal texts give values sharing their storage.
    /// - Throws: ``DecodingError``.
    public static func decode(bytes: [UInt8], interning interner: JSONObjectInterner?) throws(DecodingError) -> TelemetryValue {
        var parser = Parser(bytes: bytes, interner: interner)
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.index == parser.bytes.count else { throw parser.error("trailing characters") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        let interner: JSONObjectInterner?
        var index = 0

        func error(_ reason: String) -> DecodingError { DecodingError(offset: index, reason: reason) }

        mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x0A, 0x0D, 0x09: index += 1
                default: return
                }
            }
        }

        mutating func literal(_ text: StaticString) -> Bool {
            let count = text.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            let start = text.utf8Start
            for offset in 0..<count where bytes[index + offset] != start[offset] { return false }
            index += count
            return true
        }

        mutating func value(depth: Int) throws(DecodingError) -> TelemetryValue {
            guard depth < 512 else { throw error("nesting too deep") }
            guard index < bytes.count else { throw error("unexpected end") }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var entries: [String: TelemetryValue] = [:]
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .dictionary(entries)
                }
                while true {
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a key") }
                    let key = try string()
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
                    index += 1
                    skipSpace()
                    if let interner, index < bytes.count, bytes[index] == UInt8(ascii: "{"), key == interner.key {
                        entries[key] = try internedObject(depth: depth + 1, interner: interner)
                    } else {
                        entries[key] = try value(depth: depth + 1)
                    }
                    skipSpace()
                    guard index < bytes.count else { throw error("unexpected end") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "}") { index += 1; return .dictionary(entries) }
                    throw error("expected ',' or '}'")
                }
            case UInt8(ascii: "["):
                index += 1
                var items: [TelemetryValue] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .list(items)
                }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard index < bytes.count else { throw error("unexpected end") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "]") { index += 1; return .list(items) }
                    throw error("expected ',' or ']'")
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            default:
                if literal("null") { return .null }
                if literal("true") { return .bool(true) }
                if literal("false") { return .bool(false) }
                if literal("NaN") { return .double(.nan) }
                if literal("Infinity") { return .double(.infinity) }
                if literal("-Infinity") { return .double(-.infinity) }
                return try number()
            }
        }

        /// The object at `index`, from the interner when its text was seen before.
        mutating func internedObject(depth: Int, interner: JSONObjectInterner) throws(DecodingError) -> TelemetryValue {
            let start = index
            guard let end = objectEnd(from: start), end - start <= interner.maximumBytes else { return try value(depth: depth) }
            let (hash, found) = bytes.withUnsafeBufferPointer { all in
                let text = UnsafeBufferPointer(rebasing: all[start..<end])
                let hash = JSONObjectInterner.hash(text)
                return (hash, interner.value(of: text, hash: hash))
            }
            if let found {
                index = end
                return .dictionary(found)
            }
            let parsed = try value(depth: depth)
            if index == end, case .dictionary(let entries) = parsed {
                bytes.withUnsafeBufferPointer { all in
                    interner.keep(entries, of: UnsafeBufferPointer(rebasing: all[start..<end]), hash: hash)
                }
            }
            return parsed
        }

        /// The offset just past the object starting at `start` (brackets counted outside strings),
        /// or nil when the text ends first (the parser then reports the error).
        func objectEnd(from start: Int) -> Int? {
            var depth = 0
            var position = start
            var inString = false
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                if inString {
                    if byte == UInt8(ascii: "\\") {
                        position += 1
                    } else if byte == UInt8(ascii: "\"") {
                        inString = false
                    }
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return position }
                default: break
                }
            }
            return nil
        }

        mutating func number() throws(DecodingError) -> TelemetryValue {
            let start = index
            var isInteger = true
            while index < bytes.count {
                let byte = bytes[index]
                if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") {
                    index += 1
                } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                    isInteger = false
                    index += 1
                } else {
                    break
                }
            }
            if isInteger, let integer = Self.integer(bytes[start..<index]) { return .int(integer) }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            guard !text.isEmpty, let double = Double(text) else {
                index = start
                throw error("expected a value")
            }
            return .double(double)
        }

        /// An optionally signed run of digits that fits 64 bits, without going through a String.
        static func integer(_ digits: ArraySlice<UInt8>) -> Int64? {
            var position = digits.startIndex
            var negative = false
            if position < digits.endIndex, digits[position] == UInt8(ascii: "-") || digits[position] == UInt8(ascii: "+") {
                negative = digits[position] == UInt8(ascii: "-")
                position += 1
            }
            guard position < digits.endIndex, digits.endIndex - position <= 19 else { return nil }
            var magnitude: UInt64 = 0
            while position < digits.endIndex {
                let digit = digits[position] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                magnitude = magnitude * 10 + UInt64(digit)
                position += 1
            }
            if negative {
                return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil
            }
            return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
        }

        mutating func string() throws(DecodingError) -> String {
            index += 1  // opening quote
            // Fast path: no escape before the closing quote.
            var end = index
            while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\") { end += 1 }
            if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
                let text = String(decoding: bytes[index..<end], as: UTF8.self)
                index = end + 1
                return text
            }
            var scalars = String.UnicodeScalarView()
            var run: [UInt8] = []
            func flush() {
                if !run.isEmpty {
                    scalars.append(contentsOf: String(decoding: run, as: UTF8.self).unicodeScalars)
                    run.removeAll()
                }
            }
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    flush()
                    return String(scalars)
                }
                if byte == UInt8(ascii: "\\") {
                    flush()
                    index += 1
                    guard index < bytes.count else { break }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "n"): scalars.append("\n")
                    case UInt8(ascii: "r"): scalars.append("\r")
                    case UInt8(ascii: "t"): scalars.append("\t")
                    case UInt8(ascii: "b"): scalars.append("\u{8}")
                    case UInt8(ascii: "f"): scalars.append("\u{C}")
                    case UInt8(ascii: "u"):
                        var code = try hex4()
                        if (0xD800..<0xDC00).contains(code), literal("\\u") {
                            let low = try hex4()
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        }
                        scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                    default: scalars.append(Unicode.Scalar(escape))
                    }
                    continue
                }
                run.append(byte)
                index += 1
            }
            throw error("unterminated string")
        }

        mutating func hex4() throws(DecodingError) -> UInt32 {
            guard index + 4 <= bytes.count,
                  let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
            else { throw error("bad \\u escape") }
            index += 4
            return value
        }
    }
}

extension MeterMessage {
    /// A meter message read back from one line of JSON (as the file publisher writes it).
    /// - Throws: `TelemetryJSON.DecodingError`, also when the line is not a JSON object.
    public init(json: String) throws(TelemetryJSON.DecodingError) {
        guard case .dictionary(let fields) = try TelemetryJSON.decode(json) else {
            throw TelemetryJSON.DecodingError(offset: 0, reason: "a meter message must be a JSON object")
        }
        self.init(fields: fields)
    }
}
