import Logging
import Synchronization

/// Log lines captured by tests, metadata flattened to text. Every logger made by ``logger(label:)``
/// keeps its own metadata (the handler is a value) and writes into this one store.
public final class LogLines: Sendable {
    /// One captured line.
    public struct Line: Sendable {
        public var level: Logger.Level
        public var message: String
        public var metadata: [String: String]
    }

    private let storage = Mutex<[Line]>([])

    public init() {}

    /// Every line so far, in order.
    public var lines: [Line] { storage.withLock { $0 } }

    /// The lines at warning level or above.
    public var warnings: [Line] { lines.filter { $0.level >= .warning } }

    /// Adds a line.
    public func append(_ line: Line) { storage.withLock { $0.append(line) } }

    /// A logger (every level) writing here.
    public func logger(label: String = "stratus.test") -> Logger {
        Logger(label: label) { _ in Handler(lines: self) }
    }

    /// A logger (every level) writing here.
    public var logger: Logger { logger() }

    struct Handler: LogHandler {
        let lines: LogLines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var flat: [String: String] = [:]
            for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { flat[key] = "\(value)" }
            lines.append(Line(level: event.level, message: "\(event.message)", metadata: flat))
        }
    }
}
