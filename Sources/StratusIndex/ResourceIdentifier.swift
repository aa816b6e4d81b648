import Foundation
import StratusCore

/// Resource ids as Gnocchi's `utils.ResourceUUID` makes them: a UUID as given, or any other text of at most
/// 289 characters (without `/`) turned into `uuid5(namespace, text + "\0" + creator)` — so per creator.
public enum ResourceIdentifier {
    /// Gnocchi's `RESOURCE_ID_NAMESPACE`.
    public static let namespace = UUID(uuidString: "0a7a15ff-aa13-4ac2-897c-9bdf30ce175b")!

    /// Why a text cannot be a resource id.
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// The text contains `/`.
        case slash
        /// A non-UUID text longer than 289 characters.
        case tooLong

        /// Gnocchi's `ValueError` message.
        public var description: String {
            switch self {
            case .slash: "'/' is not supported in resource id"
            case .tooLong: "transformable resource id >289 max allowed characters"
            }
        }
    }

    /// The resource id of `text` for `creator` (nil creator: Gnocchi's `"\0"`).
    /// - Throws: `Failure`.
    public static func uuid(_ text: String, creator: String?) throws(Failure) -> UUID {
        if text.contains("/") { throw .slash }
        if let parsed = parseUUID(text) { return parsed }
        guard text.unicodeScalars.count <= 289 else { throw .tooLong }
        return uuid5(namespace: namespace, name: text + "\u{0}" + (creator ?? "\u{0}"))
    }

    /// RFC 4122 version 5 UUID (Python's `uuid.uuid5`): SHA-1 of the namespace bytes and the UTF-8 name.
    public static func uuid5(namespace: UUID, name: String) -> UUID {
        var input = withUnsafeBytes(of: namespace.uuid) { Array($0) }
        input += Array(name.utf8)
        var bytes = Array(SHA1.digest(input).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    /// Python's `uuid.UUID(text)`: optional `urn:uuid:` prefix and braces, hyphens anywhere, 32 hex digits.
    public static func parseUUID(_ text: String) -> UUID? {
        // The usual case, the canonical form, parsed from its bytes (the general path below goes
        // through Foundation's string replacing, which showed up in the batch ingest profile).
        if text.utf8.count == 36, let parsed = UUID(lowercaseText: text) { return parsed }
        // Python accepts hex digits, `-`, braces and the `urn:`/`uuid:` prefixes: any other byte means
        // the text is not a UUID (most non-UUID ids, `<uuid>-vda`, `instance-…-tap0`, stop here).
        guard text.utf8.allSatisfy({ isHexDigit($0) || Self.uuidPunctuation.contains($0) }) else { return nil }
        var hex = text.replacingOccurrences(of: "urn:", with: "").replacingOccurrences(of: "uuid:", with: "")
        hex = hex.trimmingCharacters(in: CharacterSet(charactersIn: "{}")).replacingOccurrences(of: "-", with: "")
        guard hex.utf8.count == 32, hex.utf8.allSatisfy({ isHexDigit($0) }) else { return nil }
        let scalars = Array(hex.utf8)
        var canonical = ""
        for (i, byte) in scalars.enumerated() {
            if i == 8 || i == 12 || i == 16 || i == 20 { canonical += "-" }
            canonical.append(Character(Unicode.Scalar(byte)))
        }
        return UUID(uuidString: canonical)
    }

    /// Bytes of `-`, `{`, `}`, `urn:` and `uuid:` that are not hex digits.
    private static let uuidPunctuation: Set<UInt8> = Set("-{}urn:i".utf8)

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }
}
