import Logging
import StratusAlarms
import StratusCore
import StratusStorage

extension APIEnvironment {
    /// The alarm store of an installation, in its index database (`indexer.url`, or the data directory's SQLite
    /// file), with its tables created or migrated: what `stratus api` and `stratus all-in-one` serve `/v2` from.
    /// - Throws: configuration errors, `AlarmStoreError`.
    public static func openAlarmStore(
        configuration: ConfigurationFile, dataDirectory: String, logger: Logger
    ) async throws -> any AlarmDatabase {
        let paths = try TimeSeriesCore.Paths(configuration: configuration, dataDirectory: dataDirectory)
        return try await AlarmStores.openUpgraded(indexerURL: paths.index, logger: logger)
    }

    /// Creates or migrates the alarm tables of an installation (`stratus upgrade`).
    public static func upgradeAlarmStore(
        configuration: ConfigurationFile, dataDirectory: String, logger: Logger
    ) async throws {
        let paths = try TimeSeriesCore.Paths(configuration: configuration, dataDirectory: dataDirectory)
        try await AlarmStores.upgrade(indexerURL: paths.index, logger: logger)
    }
}
