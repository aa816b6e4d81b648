import ArgumentParser
import Logging
import ServiceLifecycle
import StratusStorage

/// `stratus metricd`: aggregates incoming measures into storage (Gnocchi's metricd).
struct MetricdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "metricd", abstract: "Aggregate incoming measures into storage.")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let logger = options.makeLogger("stratus.metricd")
        let core = try await TimeSeriesCore.open(
            configuration: try options.loadConfiguration(), dataDirectory: options.absoluteDataDirectory, logger: logger)
        try await RoleRunner.run([Metricd(processor: core.processor, configuration: core.metricd)], core: core, logger: logger)
    }
}

/// `stratus all-in-one`: every role of this build in one process on embedded defaults.
struct AllInOneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all-in-one", abstract: "Run every role in one process (SQLite and files under --data-dir).")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let logger = options.makeLogger("stratus.all-in-one")
        let configuration = try options.loadConfiguration()
        try await TimeSeriesCore.upgrade(
            configuration: configuration, dataDirectory: options.absoluteDataDirectory, sacks: nil, logger: logger)
        let core = try await TimeSeriesCore.open(
            configuration: configuration, dataDirectory: options.absoluteDataDirectory, logger: logger)
        logger.info("all-in-one running", metadata: ["data.dir": "\(options.absoluteDataDirectory)"])
        try await RoleRunner.run([Metricd(processor: core.processor, configuration: core.metricd)], core: core, logger: logger)
    }
}

/// Runs services in one ServiceGroup until SIGTERM/SIGINT, then closes the index.
enum RoleRunner {
    static func run(_ services: [any Service], core: TimeSeriesCore, logger: Logger) async throws {
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await group.run()
        } catch {
            try? await core.indexer.close()
            throw error
        }
        try await core.indexer.close()
    }
}
