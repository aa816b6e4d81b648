import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import StratusAPI
import StratusCore
import StratusStorage

/// `stratus all-in-one`: every role in one process on embedded defaults (SQLite and files under --data-dir),
/// running `upgrade` first.
struct AllInOneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all-in-one", abstract: "Run every role in one process (SQLite and files under --data-dir).")

    @OptionGroup var options: CommonOptions
    @OptionGroup var upgrade: UpgradeOptions

    @Option(help: "Address the API listens on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port the API listens on, 0 for any free port.")
    var port: Int = 8041

    @Option(help: "Roles to run, comma-separated: api, metricd.")
    var roles: String = "api,metricd"

    static let knownRoles: Set<String> = ["api", "metricd"]

    var selectedRoles: Set<String> {
        Set(roles.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }

    func validate() throws {
        let unknown = selectedRoles.subtracting(Self.knownRoles)
        guard unknown.isEmpty else {
            throw ValidationError("unknown role(s) \(unknown.sorted().joined(separator: ", ")); known: api, metricd")
        }
        guard !selectedRoles.isEmpty else { throw ValidationError("--roles must name at least one role") }
    }

    func run() async throws {
        let logger = options.makeLogger("stratus.all-in-one")
        let configuration = try options.loadConfiguration()
        try await upgrade.run(configuration: configuration, dataDirectory: options.absoluteDataDirectory, logger: logger)
        let core = try await TimeSeriesCore.open(
            configuration: configuration, dataDirectory: options.absoluteDataDirectory, logger: logger)
        let wakeup = MetricdWakeup()
        let statistics = MetricdStatistics()
        var services: [any Service] = []
        if selectedRoles.contains("metricd") {
            services.append(Metricd(processor: core.processor, configuration: core.metricd, wakeup: wakeup, statistics: statistics))
        }
        if selectedRoles.contains("api") {
            let api = try APIConfiguration(configuration.section("api"))
            let environment = APIEnvironment(
                core: core, configuration: api, cors: try CORSConfiguration(configuration.section("cors")),
                wakeup: wakeup, metricdStatistics: statistics, logger: logger)
            let host = self.host
            let auth = api.authMode
            services.append(APIServer.makeApplication(
                environment: environment, host: host, port: port, logger: logger,
                onListening: { port in
                    // Printed on stdout so scripts and tests can read the bound port.
                    let line = "Stratus API listening on http://\(host):\(port)/ (auth_mode \(auth); with basic auth, the user name is the identity and 'admin' is the administrator)\n"
                    FileHandle.standardOutput.write(Data(line.utf8))
                }))
        }
        logger.info("all-in-one running", metadata: ["data.dir": "\(options.absoluteDataDirectory)", "roles": "\(selectedRoles.sorted())"])
        try await RoleRunner.run(services, core: core, logger: logger)
    }
}
