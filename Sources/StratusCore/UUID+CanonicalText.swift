import Foundation

extension UUID {
    /// The canonical lowercase text (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`), as Python's `str(uuid)` prints it
    /// and the index stores it. Formats the 16 bytes directly (Foundation's `uuidString` goes through
    /// `snprintf`, then `lowercased()` copies it again; both showed up in the ingest profile).
    public var lowercaseText: String {
        let digits: StaticString = "0123456789abcdef"
        return withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { buffer in
                digits.withUTF8Buffer { hex in
                    var out = 0
                    for (index, byte) in bytes.enumerated() {
                        if index == 4 || index == 6 || index == 8 || index == 10 {
                            buffer[out] = UInt8(ascii: "-")
                            out += 1
                        }
                        buffer[out] = hex[Int(byte >> 4)]
                        buffer[out + 1] = hex[Int(byte & 0x0f)]
                        out += 2
                    }
                }
                return 36
            }
        }
    }

    /// Parses the canonical 36-character form, hexadecimal digits in either case; nil for anything else.
    /// (The `String` overload reads the contiguous UTF-8 directly: ids read from the index go through it.)
    public init?(lowercaseText text: String) {
        guard text.utf8.count == 36 else { return nil }
        var text = text
        guard let bytes = text.withUTF8(Self.parseCanonical) else { return nil }
        self.init(uuid: bytes)
    }

    /// Parses the canonical 36-character form, hexadecimal digits in either case; nil for anything else.
    public init?(lowercaseText text: some StringProtocol) {
        guard let bytes = text.utf8.withContiguousStorageIfAvailable(Self.parseCanonical) ?? Self.parseCanonical(Array(text.utf8))
        else { return nil }
        self.init(uuid: bytes)
    }

    private static func parseCanonical(_ utf8: [UInt8]) -> uuid_t? {
        utf8.withUnsafeBufferPointer(parseCanonical)
    }

    /// The 16 bytes of `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (hex digits in either case), or nil.
    private static func parseCanonical(_ utf8: UnsafeBufferPointer<UInt8>) -> uuid_t? {
        guard utf8.count == 36 else { return nil }
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed: Bool = withUnsafeMutableBytes(of: &bytes) { out in
            var position = 0
            for index in 0..<16 {
                if position == 8 || position == 13 || position == 18 || position == 23 {
                    guard utf8[position] == UInt8(ascii: "-") else { return false }
                    position += 1
                }
                guard let high = nibble(utf8[position]), let low = nibble(utf8[position + 1]) else { return false }
                out[index] = high << 4 | low
                position += 2
            }
            return true
        }
        return parsed ? bytes : nil
    }

    /// Whether this id sorts before `other` in the order of their canonical texts (which is the order of
    /// their bytes: the hyphens sit at the same places in both).
    public func isOrderedBefore(_ other: UUID) -> Bool {
        withUnsafeBytes(of: uuid) { left in
            withUnsafeBytes(of: other.uuid) { right in
                for index in 0..<16 where left[index] != right[index] {
                    return left[index] < right[index]
                }
                return false
            }
        }
    }

    /// The value of one hexadecimal digit.
    @inline(__always)
    static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte &- UInt8(ascii: "A") &+ 10
        default: nil
        }
    }
}
