import ArgumentParser
import Foundation
import Logging
import StratusCore

/// Options every role takes: the configuration file, the data directory, overrides and logging.
struct CommonOptions: ParsableArguments {
    @Option(name: .customLong("config-file"), help: "The stratus.yaml configuration file (embedded defaults when absent).")
    var configFile: String?

    @Option(name: .customLong("data-dir"), help: "Directory for the SQLite index, incoming sacks and storage.")
    var dataDirectory: String = "./stratus-data"

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a configuration key, e.g. --set metricd.workers=4.", valueName: "section.key=value"))
    var overrides: [String] = []

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    /// The configuration: file, then `STRATUS_<SECTION>_<KEY>` variables, then `--set` overrides.
    func loadConfiguration() throws -> ConfigurationFile {
        try ConfigurationFile.load(path: configFile, environment: ProcessInfo.processInfo.environment, overrides: overrides)
    }

    /// The absolute data directory.
    var absoluteDataDirectory: String {
        let url = URL(fileURLWithPath: dataDirectory, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        return url.standardizedFileURL.path
    }

    func makeLogger(_ label: String) -> Logger {
        LoggingSetup.bootstrapOnce()
        var logger = Logger(label: label)
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        return logger
    }
}

enum LoggingSetup {
    private static let once: Void = {
        LoggingSystem.bootstrap { label in StreamLogHandler.standardError(label: label) }
    }()

    static func bootstrapOnce() { _ = once }
}
