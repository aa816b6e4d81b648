#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A cursor over the bytes of a JSON document, for decoders that read values in place instead of building a
/// tree: strings and numbers come back as byte ranges of the document, containers can be walked member by
/// member or skipped whole.
///
/// It accepts what ujson (Gnocchi's JSON decoder) accepts beyond RFC 8259 — `NaN`, `Infinity`, `-Infinity`,
/// leading zeros, `1.`, a lone `-`, control characters other than NUL inside strings — and words its errors as
/// ujson does ("Expected object or value", "Trailing data", …).
///
/// The caller keeps the bytes alive and unmoved while the scanner is used. Every read is bounds-checked:
/// malformed input throws `SyntaxError`, never traps.
struct JSONByteScanner {
    /// Why the bytes are not JSON, and where.
    struct SyntaxError: Error, Equatable, CustomStringConvertible {
        var reason: String
        var offset: Int
        /// The reason alone, as Gnocchi reports it.
        var description: String { reason }
    }

    /// A string's content (between the quotes) in the document.
    struct StringSpan: Equatable {
        /// Byte range of the content, escapes still encoded.
        var range: Range<Int>
        /// Whether the content has backslash escapes (then `range` is not the decoded text).
        var hasEscapes: Bool
    }

    /// A value read by `scanValue`: scalars as ranges of the document, containers already skipped.
    enum Token: Equatable {
        case number(Range<Int>)
        case string(StringSpan)
        case bool(Bool)
        case null
        case array
        case object
    }

    /// Containers nested deeper than this are refused (as the generic parser does).
    static let maximumDepth = 512

    let base: UnsafePointer<UInt8>
    let count: Int
    var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        // An empty buffer may have no base address; with a count of 0 the placeholder is never read.
        self.base = bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!
        self.count = bytes.count
    }

    func fail(_ reason: String) -> SyntaxError { SyntaxError(reason: reason, offset: position) }

    /// The byte at the cursor, nil at the end.
    @inline(__always)
    var current: UInt8? { position < count ? base[position] : nil }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < count {
            switch base[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position &+= 1
            default: return
            }
        }
    }

    /// Throws unless only whitespace is left.
    mutating func expectEnd() throws(SyntaxError) {
        skipWhitespace()
        guard position == count else { throw fail("Trailing data") }
    }

    /// The bytes of a range of the document.
    func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    // MARK: - Containers

    /// Consumes the opening byte of a container and tells whether it has a first element (consuming the
    /// closing byte when it has none). The cursor must be on `[` or `{`.
    @inline(__always)
    mutating func open(closing: UInt8) -> Bool {
        position &+= 1
        skipWhitespace()
        if position < count, base[position] == closing {
            position &+= 1
            return false
        }
        return true
    }

    /// After an element: consumes `,` (true, another element follows) or the closing byte (false).
    @inline(__always)
    mutating func next(closing: UInt8) throws(SyntaxError) -> Bool {
        skipWhitespace()
        let what = closing == UInt8(ascii: "]") ? "array" : "object"
        guard position < count else { throw fail("Unexpected character found when decoding \(what) value") }
        let byte = base[position]
        if byte == UInt8(ascii: ",") {
            position &+= 1
            skipWhitespace()
            return true
        }
        if byte == closing {
            position &+= 1
            return false
        }
        throw fail("Unexpected character found when decoding \(what) value")
    }

    /// Reads an object member's key and the `:` after it, leaving the cursor on the value.
    @inline(__always)
    mutating func memberKey() throws(SyntaxError) -> StringSpan {
        guard position < count, base[position] == UInt8(ascii: "\"") else {
            // ujson reads any value as the key, then complains that it is not a string.
            switch current ?? 0 {
            case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "I"):
                throw fail("Key name of object must be 'string' when decoding 'object'")
            default:
                throw fail("Expected object or value")
            }
        }
        let key = try scanString()
        skipWhitespace()
        guard position < count, base[position] == UInt8(ascii: ":") else {
            throw fail("No ':' found when decoding object value")
        }
        position &+= 1
        skipWhitespace()
        return key
    }

    // MARK: - Values

    /// Reads one value at the cursor; containers are skipped whole (`depth` is the container's own depth).
    mutating func scanValue(depth: Int) throws(SyntaxError) -> Token {
        guard position < count else { throw fail("Expected object or value") }
        switch base[position] {
        case UInt8(ascii: "\""): return .string(try scanString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try scanNumber())
        case UInt8(ascii: "N"):
            let start = position
            try literal("NaN")
            return .number(start..<position)
        case UInt8(ascii: "I"):
            let start = position
            try literal("Infinity")
            return .number(start..<position)
        case UInt8(ascii: "{"):
            try skipContainer(depth: depth)
            return .object
        case UInt8(ascii: "["):
            try skipContainer(depth: depth)
            return .array
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default:
            throw fail("Expected object or value")
        }
    }

    /// Skips the array or object at the cursor.
    mutating func skipContainer(depth: Int) throws(SyntaxError) {
        guard depth < Self.maximumDepth else { throw fail("Reached object decoding depth limit") }
        if base[position] == UInt8(ascii: "[") {
            guard open(closing: UInt8(ascii: "]")) else { return }
            repeat {
                _ = try scanValue(depth: depth + 1)
            } while try next(closing: UInt8(ascii: "]"))
        } else {
            guard open(closing: UInt8(ascii: "}")) else { return }
            repeat {
                _ = try memberKey()
                _ = try scanValue(depth: depth + 1)
            } while try next(closing: UInt8(ascii: "}"))
        }
    }

    private mutating func literal(_ word: StaticString) throws(SyntaxError) {
        let length = word.utf8CodeUnitCount
        let text = word.utf8Start
        let reason = "Unexpected character found when decoding '\(word)'"
        guard count - position >= length else { throw fail(reason) }
        for index in 0..<length where base[position + index] != text[index] {
            throw fail(reason)
        }
        position += length
    }

    /// Reads a number as ujson does (`-?\d*(\.\d*)?([eE][+-]?\d+)?`, or `-Infinity`) and returns its bytes.
    mutating func scanNumber() throws(SyntaxError) -> Range<Int> {
        let start = position
        if base[position] == UInt8(ascii: "-") {
            position &+= 1
            if position < count, base[position] == UInt8(ascii: "I") {
                try literal("Infinity")
                return start..<position
            }
        }
        while position < count, Self.isDigit(base[position]) { position &+= 1 }
        if position < count, base[position] == UInt8(ascii: ".") {
            position &+= 1
            while position < count, Self.isDigit(base[position]) { position &+= 1 }
        }
        if position < count, base[position] | 0x20 == UInt8(ascii: "e") {
            position &+= 1
            if position < count, base[position] == UInt8(ascii: "+") || base[position] == UInt8(ascii: "-") {
                position &+= 1
            }
            let digits = position
            while position < count, Self.isDigit(base[position]) { position &+= 1 }
            guard position > digits else { throw fail("Unexpected character found when decoding number") }
        }
        return start..<position
    }

    /// Reads a string (cursor on the opening quote), checking escapes and UTF-8; NUL ends nothing but is refused.
    mutating func scanString() throws(SyntaxError) -> StringSpan {
        position &+= 1
        let start = position
        var hasEscapes = false
        var hasNonASCII = false
        while true {
            guard position < count else { throw fail("Unmatched '\"' when decoding 'string'") }
            let byte = base[position]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                position &+= 1
                guard position < count else { throw fail("Unmatched '\"' when decoding 'string'") }
                switch base[position] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position &+= 1
                case UInt8(ascii: "u"):
                    guard count - position > 4,
                          Self.hexValue(base[position + 1]) != nil, Self.hexValue(base[position + 2]) != nil,
                          Self.hexValue(base[position + 3]) != nil, Self.hexValue(base[position + 4]) != nil
                    else { throw fail("Unexpected character in unicode escape sequence when decoding 'string'") }
                    position &+= 5
                default:
                    throw fail("Unrecognized escape sequence when decoding 'string'")
                }
                continue
            }
            if byte == 0 { throw fail("Unmatched '\"' when decoding 'string'") }
            if byte >= 0x80 { hasNonASCII = true }
            position &+= 1
        }
        let range = start..<position
        position &+= 1
        if hasNonASCII, String(validating: bytes(range), as: UTF8.self) == nil {
            throw SyntaxError(reason: "Invalid UTF-8 sequence length when decoding 'string'", offset: start)
        }
        return StringSpan(range: range, hasEscapes: hasEscapes)
    }

    // MARK: - String content

    /// Calls `body` with the decoded bytes of a string (in place when it has no escapes).
    func withDecoded<R>(_ span: StringSpan, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        guard span.hasEscapes else { return body(bytes(span.range)) }
        let decoded = unescaped(span)
        return decoded.withUnsafeBufferPointer(body)
    }

    /// The decoded text of a string.
    func string(_ span: StringSpan) -> String {
        withDecoded(span) { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether a string's decoded text is exactly `word` (ASCII).
    @inline(__always)
    func equals(_ span: StringSpan, _ word: StaticString) -> Bool {
        if !span.hasEscapes {
            guard span.range.count == word.utf8CodeUnitCount else { return false }
            return memcmp(base + span.range.lowerBound, word.utf8Start, span.range.count) == 0
        }
        return withDecoded(span) { decoded in
            decoded.count == word.utf8CodeUnitCount && memcmp(decoded.baseAddress!, word.utf8Start, decoded.count) == 0
        }
    }

    /// Decodes the escapes of an already validated string (lone surrogates become U+FFFD).
    private func unescaped(_ span: StringSpan) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(span.range.count)
        var index = span.range.lowerBound
        let end = span.range.upperBound
        func hex4(_ at: Int) -> UInt32 {
            var value: UInt32 = 0
            for offset in 0..<4 { value = value << 4 | UInt32(Self.hexValue(base[at + offset]) ?? 0) }
            return value
        }
        while index < end {
            let byte = base[index]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                index += 1
                continue
            }
            let escape = base[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(index)
                index += 4
                if (0xD800..<0xDC00).contains(scalar), end - index >= 6,
                   base[index] == UInt8(ascii: "\\"), base[index + 1] == UInt8(ascii: "u") {
                    let low = hex4(index + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    }
                }
                let unicode = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                out.append(contentsOf: String(Character(unicode)).utf8)
            default: out.append(escape)  // " \ /
            }
        }
        return out
    }
}

extension JSONByteScanner {
    /// The value of an ASCII hexadecimal digit.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Whether a byte is an ASCII digit.
    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }
}

