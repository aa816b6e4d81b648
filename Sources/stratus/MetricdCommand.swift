import ArgumentParser
import Logging
import ServiceLifecycle
import StratusCore
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

/// Runs services in one ServiceGroup until SIGTERM/SIGINT, then closes the index.
enum RoleRunner {
    static func run(_ services: [any Service], core: TimeSeriesCore, logger: Logger) async throws {
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) } + [.init(service: StartupCodePagesService(logger: logger))],
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
