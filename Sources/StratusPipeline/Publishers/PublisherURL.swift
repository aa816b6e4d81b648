/// A publisher URL of pipeline.yaml, `scheme://location?option=value&…`; a bare `scheme`
/// (no `://`) is read as `scheme://`, as Ceilometer does.
public struct PublisherURL: Sendable, Hashable, CustomStringConvertible {
    /// The URL as written.
    public let text: String
    /// The scheme, lowercased (`file`, `gnocchi`).
    public let scheme: String
    /// What follows `scheme://` (or `scheme:`) up to `?`: host, port and path.
    public let location: String
    /// The query options in order, percent-decoded.
    public let options: [(name: String, value: String)]

    /// Splits a URL.
    /// - Throws: ``PublisherConfigurationError`` when there is no scheme.
    public init(_ text: String) throws(PublisherConfigurationError) {
        self.text = text
        var rest = Substring(text)
        if let colon = rest.firstIndex(of: ":") {
            scheme = rest[..<colon].lowercased()
            rest = rest[rest.index(after: colon)...]
            if rest.hasPrefix("//") { rest = rest.dropFirst(2) }
        } else {
            scheme = text.lowercased()
            rest = ""
        }
        guard !scheme.isEmpty,
              scheme.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0) })
        else {
            throw PublisherConfigurationError("publisher '\(text)' has no valid scheme")
        }
        var options: [(String, String)] = []
        if let question = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: question)...].split(separator: "&") where !pair.isEmpty {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                options.append((Self.decode(parts[0]), parts.count > 1 ? Self.decode(parts[1]) : ""))
            }
            rest = rest[..<question]
        }
        location = String(rest)
        self.options = options
    }

    /// The first value of option `name`, or nil.
    public func option(_ name: String) -> String? { options.first { $0.name == name }?.value }

    public var description: String { text }

    public static func == (lhs: PublisherURL, rhs: PublisherURL) -> Bool { lhs.text == rhs.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }

    private static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "%"), i + 2 < utf8.count,
               let byte = UInt8(String(decoding: utf8[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                bytes.append(byte)
                i += 3
            } else {
                bytes.append(utf8[i] == UInt8(ascii: "+") ? UInt8(ascii: " ") : utf8[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
