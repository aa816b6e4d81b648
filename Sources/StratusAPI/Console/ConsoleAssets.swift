import Foundation

/// One file of the web console, as compiled into the binary.
public struct ConsoleAsset: Sendable, Hashable {
    /// Path relative to `Console/web/`, `/`-separated (`index.html`, `js/chart.js`).
    public let path: String
    public let bytes: [UInt8]
    /// The media type served, from the file's extension (text types with `charset=utf-8`).
    public let contentType: String
    /// A strong entity tag: a quoted FNV-1a 64-bit hash of the bytes and their length.
    public let etag: String

    init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
        self.contentType = Self.contentType(ofPath: path)
        self.etag = Self.entityTag(of: bytes)
    }

    /// The media type for a file name; `application/octet-stream` for an extension the console does not use.
    public static func contentType(ofPath path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let ext = name.split(separator: ".").count > 1 ? (name.split(separator: ".").last.map(String.init) ?? "") : ""
        switch ext.lowercased() {
        case "html": return "text/html; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "js", "mjs": return "text/javascript; charset=utf-8"
        case "json": return "application/json"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "ico": return "image/x-icon"
        case "txt": return "text/plain; charset=utf-8"
        default: return "application/octet-stream"
        }
    }

    static func entityTag(of bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "-" + String(bytes.count, radix: 16) + "\""
    }
}

/// The web console's files (`Console/web/**`), embedded at build time by the `EmbedConsoleAssets` plugin, which
/// generates `ConsoleAssets.embedded`. Decoded once, on first use.
public enum ConsoleAssets {
    /// Every asset by path.
    public static let byPath: [String: ConsoleAsset] = {
        var table: [String: ConsoleAsset] = [:]
        for (path, base64) in embedded {
            // The generator wrote this literal from the file's bytes: a decoding failure is a build bug.
            guard let data = Data(base64Encoded: base64) else { preconditionFailure("console asset \(path) is not base64") }
            table[path] = ConsoleAsset(path: path, bytes: Array(data))
        }
        return table
    }()

    /// The asset at `path` (relative to `Console/web/`), or nil.
    public static func asset(at path: String) -> ConsoleAsset? { byPath[path] }

    /// Every embedded path, sorted.
    public static var paths: [String] { byPath.keys.sorted() }
}
