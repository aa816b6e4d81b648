import ArgumentParser
import Logging
import ServiceLifecycle
import StratusAPI
import StratusCore
import StratusStorage

/// `stratus api`: the Gnocchi `/v1` REST API (port 8041 by default).
struct ApiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "api", abstract: "Serve the Gnocchi-compatible REST API.")

    @OptionGroup var options: CommonOptions

    @Option(help: "Address to listen on (default: api.host, 0.0.0.0).")
    var host: String?

    @Option(help: "Port to listen on, 0 for any (default: api.port, 8041).")
    var port: Int?

    func run() async throws {
        let logger = options.makeLogger("stratus.api")
        let configuration = try options.loadConfiguration()
        let core = try await TimeSeriesCore.open(configuration: configuration, dataDirectory: options.absoluteDataDirectory, logger: logger)
        let api = try APIConfiguration(configuration.section("api"))
        let environment = APIEnvironment(
            core: core, configuration: api, cors: try CORSConfiguration(configuration.section("cors")),
            alarmStore: try await APIEnvironment.openAlarmStore(configuration: configuration, dataDirectory: options.absoluteDataDirectory, logger: logger),
            logger: logger)
        let app = APIServer.makeApplication(
            environment: environment, host: host ?? api.host, port: port ?? api.port, logger: logger,
            onListening: { port in logger.info("API listening", metadata: ["port": "\(port)"]) })
        try await RoleRunner.run([app], core: core, logger: logger)
    }
}
