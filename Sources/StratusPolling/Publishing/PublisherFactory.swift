import Logging
import StratusCore

/// Builds the publishers named in `polling.publishers`.
public enum PublisherFactory {
    /// Where `notifier://` spools, unless its URL says otherwise.
    public struct Spool: Sendable {
        /// The spool directory, nil for memory.
        public var directory: String?
        /// The bound per notification agent.
        public var maxBytes: Int

        /// Creates spool settings.
        public init(directory: String?, maxBytes: Int = NotifierURL.defaultSpoolMaxBytes) {
            self.directory = directory
            self.maxBytes = maxBytes
        }
    }

    /// The publisher of one URL: `notifier://HOST:PORT[,…]`, `log://` (or `log`) and
    /// `file:///path` (or `file:path`).
    /// - Throws: ``PublisherError`` for an unknown scheme, a file URL without a path, or a file
    ///   that cannot be opened.
    public static func make(
        _ url: String, logger: Logger, spool: Spool = Spool(directory: nil), statistics: NotifierStatistics = NotifierStatistics()
    ) throws(PublisherError) -> any SamplePublisher {
        if url.hasPrefix("notifier:") {
            var notifier = try NotifierURL(url, defaultSpoolDirectory: spool.directory)
            if !url.contains("spool_max_bytes=") { notifier.spoolMaxBytes = spool.maxBytes }
            return try NotifierPublisher(url: notifier, statistics: statistics, logger: logger)
        }
        if url == "log" || url.hasPrefix("log:") { return LogPublisher(logger: logger) }
        if url.hasPrefix("file:") {
            var path = String(url.dropFirst("file:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            if let query = path.firstIndex(of: "?") { path = String(path[..<query]) }
            guard !path.isEmpty else { throw PublisherError("publisher '\(url)' names no file") }
            return try FilePublisher(path: path)
        }
        throw PublisherError("unknown publisher '\(url)'; valid: notifier://HOST:PORT, log://, file:///path")
    }

    /// One publisher sending to every URL of `urls`.
    public static func make(
        _ urls: [String], logger: Logger, spool: Spool = Spool(directory: nil), statistics: NotifierStatistics = NotifierStatistics()
    ) throws(PublisherError) -> any SamplePublisher {
        var publishers: [any SamplePublisher] = []
        for url in urls { publishers.append(try make(url, logger: logger, spool: spool, statistics: statistics)) }
        return publishers.count == 1 ? publishers[0] : FanOutPublisher(publishers)
    }
}
