import Carbonara
import Foundation
import Logging
import StratusCore
import StratusIndex

/// The time-series core of one process, wired from configuration: index, incoming sacks, storage and the
/// sack processor. Every role (metricd, api, all-in-one, upgrade) and the tests build it the same way.
public struct TimeSeriesCore: Sendable {
    public let indexer: any Indexer
    public let incoming: any IncomingDriver
    public let storage: any StorageDriver
    public let processor: SackProcessor
    public let metricd: MetricdConfiguration
    public let archivePolicyDefaults: ArchivePolicyConfiguration

    /// Where each component lives for a data directory, unless the configuration names a path.
    public struct Paths: Sendable {
        public var index: String
        public var incoming: String
        public var storage: String

        public init(configuration: ConfigurationFile, dataDirectory: String) throws {
            let indexer = try IndexerConfiguration(configuration.section("indexer"))
            let incoming = try IncomingConfiguration(configuration.section("incoming"))
            let storage = try StorageConfiguration(configuration.section("storage"))
            index = indexer.url.isEmpty ? "sqlite://\(dataDirectory)/index.sqlite" : indexer.url
            self.storage = storage.basePath ?? dataDirectory + "/storage"
            self.incoming = incoming.basePath ?? (storage.basePath.map { $0 + "/incoming" } ?? dataDirectory + "/incoming")
        }
    }

    /// Creates the schema, the sacks and, on a fresh index, the default archive policies and rule
    /// (`stratus upgrade`, as `gnocchi-upgrade`).
    /// - Parameters:
    ///   - sacks: the number of sacks to use; nil keeps the current number (128 on a fresh install).
    ///   - createDefaults: false skips the default archive policies (`--skip-archive-policies-creation`).
    ///   - skipIndex: leaves the index alone (`--skip-index`).
    ///   - skipStorage: leaves storage and incoming alone (`--skip-storage`).
    ///   - createLegacyResourceTypes: also creates Ceilometer's resource types (`--create-legacy-resource-types`).
    public static func upgrade(
        configuration: ConfigurationFile, dataDirectory: String, sacks: Int?, createDefaults: Bool = true,
        skipIndex: Bool = false, skipStorage: Bool = false, createLegacyResourceTypes: Bool = false, logger: Logger
    ) async throws {
        let paths = try Paths(configuration: configuration, dataDirectory: dataDirectory)
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        if !skipStorage {
            let existing = try FileIncomingDriver.storedSackCount(basePath: paths.incoming)
            try FileIncomingDriver.initialize(basePath: paths.incoming, sacks: sacks ?? existing ?? IncomingSacks.defaultCount)
            _ = try FileStorageDriver(basePath: paths.storage, logger: logger)
        }
        guard !skipIndex else { return }
        let indexer = try makeIndexer(url: paths.index, logger: logger)
        do {
            try await indexer.upgrade()
            if createDefaults, try await !indexer.hasArchivePoliciesOrRules() {
                for policy in ArchivePolicy.defaultPolicies {
                    try await indexer.createArchivePolicy(policy)
                }
                try await indexer.createArchivePolicyRule(ArchivePolicyRule(name: "default", metricPattern: "*", archivePolicyName: "low"))
                logger.info("Created the default archive policies and rule")
            }
            if createLegacyResourceTypes {
                let changed = try await indexer.createLegacyResourceTypes()
                logger.info("Created the legacy resource types", metadata: ["resource_types": "\(changed.joined(separator: ","))"])
            }
        } catch {
            try? await indexer.close()
            throw error
        }
        try await indexer.close()
    }

    /// Opens the core of an upgraded installation.
    public static func open(configuration: ConfigurationFile, dataDirectory: String, logger: Logger) async throws -> TimeSeriesCore {
        let paths = try Paths(configuration: configuration, dataDirectory: dataDirectory)
        let indexer = try makeIndexer(url: paths.index, logger: logger)
        do {
            let incoming = try FileIncomingDriver(basePath: paths.incoming, logger: logger)
            let storage = try FileStorageDriver(basePath: paths.storage, logger: logger)
            return TimeSeriesCore(
                indexer: indexer, incoming: incoming, storage: storage,
                processor: SackProcessor(incoming: incoming, storage: storage, indexer: indexer, logger: logger),
                metricd: try MetricdConfiguration(configuration.section("metricd")),
                archivePolicyDefaults: try ArchivePolicyConfiguration(configuration.section("archive_policy")))
        } catch {
            try? await indexer.close()
            throw error
        }
    }
}
