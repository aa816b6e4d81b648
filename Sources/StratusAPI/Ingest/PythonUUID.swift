import Foundation
import StratusCore

/// Python's `uuid.UUID(text)`, which Gnocchi applies to metric ids in paths and to batch keys.
enum PythonUUID {
    /// Python `uuid.UUID(text)`: drops `urn:` and `uuid:`, strips braces from both ends, removes every hyphen,
    /// then needs exactly 32 hexadecimal digits.
    /// - Returns: nil where Python raises `ValueError` ("badly formed hexadecimal UUID string").
    static func parse(_ text: some StringProtocol) -> UUID? {
        // The canonical form, which is what clients send, without copying the text.
        if let id = UUID(lowercaseText: text) { return id }
        let utf8 = Substring(text).utf8[...]
        if utf8.contains(UInt8(ascii: ":")) {
            let stripped = String(text).replacingOccurrences(of: "urn:", with: "").replacingOccurrences(of: "uuid:", with: "")
            return parseStripped(Substring(stripped).utf8[...])
        }
        return parseStripped(utf8)
    }

    /// Braces off both ends, hyphens anywhere, then exactly 32 hexadecimal digits.
    private static func parseStripped(_ text: Substring.UTF8View.SubSequence) -> UUID? {
        var utf8 = text
        while let first = utf8.first, first == UInt8(ascii: "{") || first == UInt8(ascii: "}") { utf8 = utf8.dropFirst() }
        while let last = utf8.last, last == UInt8(ascii: "{") || last == UInt8(ascii: "}") { utf8 = utf8.dropLast() }
        var bytes = [UInt8]()
        bytes.reserveCapacity(16)
        var high: UInt8?
        for byte in utf8 where byte != UInt8(ascii: "-") {
            guard let nibble = JSONByteScanner.hexValue(byte), bytes.count < 16 else { return nil }
            if let h = high {
                bytes.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        guard bytes.count == 16, high == nil else { return nil }
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    /// The canonical lowercase text of a UUID, as Python's `str(uuid)`.
    static func string(_ id: UUID) -> String { id.lowercaseText }
}
