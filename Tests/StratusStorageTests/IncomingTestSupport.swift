import Foundation
import Logging
import Synchronization
import StratusTesting
@testable import StratusStorage

/// A log handler keeping every entry, for checking what the incoming driver reports.
final class IncomingCapturingLogHandler: LogHandler, Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    private let storage = Mutex<(entries: [Entry], metadata: Logger.Metadata, level: Logger.Level)>(([], [:], .trace))

    var entries: [Entry] { self.storage.withLock { $0.entries } }

    var metadata: Logger.Metadata {
        get { self.storage.withLock { $0.metadata } }
        set { self.storage.withLock { $0.metadata = newValue } }
    }

    var logLevel: Logger.Level {
        get { self.storage.withLock { $0.level } }
        set { self.storage.withLock { $0.level = newValue } }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        self.storage.withLock {
            $0.entries.append(Entry(level: event.level, message: "\(event.message)", metadata: event.metadata ?? [:]))
        }
    }

    var logger: Logger { Logger(label: "test.incoming", factory: { _ in self }) }
}

/// Runs `body` with a file incoming driver over a fresh directory, removed afterwards.
func withFileIncoming<T>(
    sacks: Int = 8,
    logHandler: IncomingCapturingLogHandler = IncomingCapturingLogHandler(),
    _ body: (FileIncomingDriver, TemporaryDirectory) async throws -> T
) async throws -> T {
    try await TemporaryDirectory.with(prefix: "stratus-incoming") { directory in
        try FileIncomingDriver.initialize(basePath: directory.path, sacks: sacks)
        let driver = try FileIncomingDriver(basePath: directory.path, logger: logHandler.logger)
        return try await body(driver, directory)
    }
}

/// Measures with timestamps `start..<start+count` seconds (in ns) and values equal to the seconds.
func incomingSeries(_ seconds: [Int]) -> PendingMeasures {
    PendingMeasures(timestamps: seconds.map { Int64($0) * 1_000_000_000 }, values: seconds.map(Double.init))
}

/// The batch files of a sack directory, sorted.
func incomingBatchFiles(_ directory: TemporaryDirectory, sacks: Int, sack: Int) throws -> [String] {
    let path = directory.path + "/" + IncomingSacks.name(of: sack, sackCount: sacks)
    return try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".batch") && !$0.hasPrefix(".") }.sorted()
}

/// A metric id that falls in `sack` out of `sacks`.
func incomingMetric(inSack sack: Int, of sacks: Int) -> UUID {
    while true {
        let id = UUID()
        if IncomingSacks.sack(of: id, sackCount: sacks) == sack { return id }
    }
}
