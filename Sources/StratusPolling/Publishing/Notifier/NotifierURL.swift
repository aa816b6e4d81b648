import Foundation

/// A `notifier://` publisher URL: where the polling agent sends its batches (reference B9,
/// carried over HTTP instead of a message queue).
///
/// `notifier://HOST:PORT[,HOST:PORT…][?spool_dir=DIR&spool_max_bytes=N&timeout=S]`. With several
/// agents, each resource always goes to the same one (``HashRing``). Without a port, 8045.
public struct NotifierURL: Sendable, Hashable {
    /// One notification agent.
    public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// The default port of `stratus notification`.
    public static let defaultPort = 8045
    /// The default spool bound (100 MiB).
    public static let defaultSpoolMaxBytes = 100 << 20

    /// The agents, in the order given.
    public var endpoints: [Endpoint]
    /// Where undeliverable batches wait, one directory per agent below it; nil keeps them in memory.
    public var spoolDirectory: String?
    /// The most bytes the spool of one agent holds; beyond it the oldest batches are dropped.
    public var spoolMaxBytes: Int
    /// Seconds to wait for an agent's acknowledgement.
    public var timeout: Double

    /// Parses `text`.
    /// - Throws: ``PublisherError`` naming what is wrong.
    public init(_ text: String, defaultSpoolDirectory: String? = nil) throws(PublisherError) {
        guard text.hasPrefix("notifier:") else { throw PublisherError("'\(text)' is not a notifier:// URL") }
        var rest = Substring(text.dropFirst("notifier:".count))
        if rest.hasPrefix("//") { rest = rest.dropFirst(2) }
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        var endpoints: [Endpoint] = []
        for part in rest.split(separator: ",", omittingEmptySubsequences: false) {
            let item = part.trimmingCharacters(in: .whitespaces)
            guard !item.isEmpty else { throw PublisherError("publisher '\(text)': empty notification agent address") }
            endpoints.append(try Self.endpoint(item, in: text))
        }
        guard !endpoints.isEmpty else { throw PublisherError("publisher '\(text)' names no notification agent (notifier://HOST:PORT)") }
        guard Set(endpoints).count == endpoints.count else { throw PublisherError("publisher '\(text)' names an agent twice") }
        self.endpoints = endpoints
        spoolDirectory = defaultSpoolDirectory
        spoolMaxBytes = Self.defaultSpoolMaxBytes
        timeout = 10
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0])
            let value = parts.count > 1 ? String(parts[1]).removingPercentEncodingSafely : ""
            switch key {
            case "spool_dir":
                spoolDirectory = value.isEmpty ? nil : value
            case "spool_max_bytes":
                guard let bytes = Int(value), bytes >= 0 else {
                    throw PublisherError("publisher '\(text)': spool_max_bytes must be a number of bytes, got '\(value)'")
                }
                spoolMaxBytes = bytes
            case "timeout":
                guard let seconds = Double(value), seconds > 0 else {
                    throw PublisherError("publisher '\(text)': timeout must be a positive number of seconds, got '\(value)'")
                }
                timeout = seconds
            default:
                throw PublisherError("publisher '\(text)': unknown option '\(key)'; valid: spool_dir, spool_max_bytes, timeout")
            }
        }
    }

    private static func endpoint(_ item: String, in text: String) throws(PublisherError) -> Endpoint {
        var host = Substring(item)
        var portText: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw PublisherError("publisher '\(text)': bad address '\(item)'") }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty {
                throw PublisherError("publisher '\(text)': bad address '\(item)'")
            }
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.lastIndex(of: ":") {
            portText = host[host.index(after: colon)...]
            host = host[..<colon]
        }
        guard !host.isEmpty else { throw PublisherError("publisher '\(text)': address '\(item)' has no host") }
        var port = defaultPort
        if let portText {
            guard let value = Int(portText), (1...65_535).contains(value) else {
                throw PublisherError("publisher '\(text)': bad port in '\(item)'")
            }
            port = value
        }
        return Endpoint(host: String(host), port: port)
    }
}

extension String {
    /// Percent-decoded text, or the text itself when it is not valid percent-encoding.
    fileprivate var removingPercentEncodingSafely: String {
        var bytes: [UInt8] = []
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"), let end = utf8.index(index, offsetBy: 3, limitedBy: utf8.endIndex),
               let value = UInt8(String(decoding: utf8[utf8.index(after: index)..<end], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index = end
            } else {
                bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index = utf8.index(after: index)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
