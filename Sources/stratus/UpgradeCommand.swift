import ArgumentParser
import Logging
import StratusAlarms
import StratusCore
import StratusStorage

/// gnocchi-upgrade's flags, shared by `upgrade` and `all-in-one`.
struct UpgradeOptions: ParsableArguments {
    @Option(name: .customLong("sacks-number"), help: "Number of incoming sacks (1–65535; default 128 on a fresh install).")
    var sacks: Int?

    @Flag(name: .customLong("skip-archive-policies-creation"), help: "Do not create the default archive policies.")
    var skipArchivePolicies = false

    @Flag(name: .customLong("skip-index"), help: "Do not create or upgrade the index.")
    var skipIndex = false

    @Flag(name: .customLong("skip-storage"), help: "Do not create the storage and incoming sacks.")
    var skipStorage = false

    @Flag(name: .customLong("create-legacy-resource-types"),
          help: "Also create Ceilometer's resource types (instance, instance_disk, …), as ceilometer-upgrade does.")
    var createLegacyResourceTypes = false

    func validate() throws {
        if let sacks, !(1...65535).contains(sacks) {
            throw ValidationError("--sacks-number must be between 1 and 65535")
        }
    }

    func run(configuration: ConfigurationFile, dataDirectory: String, logger: Logger) async throws {
        try await TimeSeriesCore.upgrade(
            configuration: configuration, dataDirectory: dataDirectory, sacks: sacks,
            createDefaults: !skipArchivePolicies, skipIndex: skipIndex, skipStorage: skipStorage,
            createLegacyResourceTypes: createLegacyResourceTypes, logger: logger)
        if !skipIndex { try await AlarmStores.upgrade(indexerURL: try TimeSeriesCore.Paths(configuration: configuration, dataDirectory: dataDirectory).index, logger: logger) }
    }
}

/// `stratus upgrade`: creates or migrates the index schema, the sacks, and on a fresh install the default
/// archive policies `bool`, `low`, `medium`, `high` and the rule `default` (`*` → `low`); the index holds the
/// built-in `generic` resource type, and Ceilometer's types with `--create-legacy-resource-types`.
struct UpgradeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "upgrade", abstract: "Create or upgrade the index schema, sacks and default archive policies.")

    @OptionGroup var options: CommonOptions
    @OptionGroup var upgrade: UpgradeOptions

    func run() async throws {
        let logger = options.makeLogger("stratus.upgrade")
        try await upgrade.run(configuration: try options.loadConfiguration(), dataDirectory: options.absoluteDataDirectory, logger: logger)
        logger.info("Upgrade complete", metadata: ["data.dir": "\(options.absoluteDataDirectory)"])
    }
}
