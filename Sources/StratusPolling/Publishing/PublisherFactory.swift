import Logging
import StratusCore

/// Builds the publishers named in `polling.publishers`.
public enum PublisherFactory {
    /// The publisher of one URL: `log://` (or `log`) and `file:///path` (or `file:path`).
    /// - Throws: ``PublisherError`` for an unknown scheme, a file URL without a path, or a file
    ///   that cannot be opened.
    public static func make(_ url: String, logger: Logger) throws(PublisherError) -> any SamplePublisher {
        if url == "log" || url.hasPrefix("log:") { return LogPublisher(logger: logger) }
        if url.hasPrefix("file:") {
            var path = String(url.dropFirst("file:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            if let query = path.firstIndex(of: "?") { path = String(path[..<query]) }
            guard !path.isEmpty else { throw PublisherError("publisher '\(url)' names no file") }
            return try FilePublisher(path: path)
        }
        throw PublisherError("unknown publisher '\(url)'; valid: log://, file:///path")
    }

    /// One publisher sending to every URL of `urls`.
    public static func make(_ urls: [String], logger: Logger) throws(PublisherError) -> any SamplePublisher {
        var publishers: [any SamplePublisher] = []
        for url in urls { publishers.append(try make(url, logger: logger)) }
        return publishers.count == 1 ? publishers[0] : FanOutPublisher(publishers)
    }
}
