import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import StratusAPI
import StratusCore
import StratusPipeline
import StratusPolling
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

    @Option(help: "Roles to run, comma-separated: api, metricd, evaluator (needs api), notification, polling.")
    var roles: String = "api,metricd,evaluator,notification,polling"

    @Option(help: "Port of the notification agent's sample listener, 0 for any free port, -1 for none (default: notification.port, 8045).")
    var notificationPort: Int?

    static let knownRoles: Set<String> = ["api", "metricd", "evaluator", "notification", "polling"]

    var selectedRoles: Set<String> {
        Set(roles.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }

    func validate() throws {
        let unknown = selectedRoles.subtracting(Self.knownRoles)
        guard unknown.isEmpty else {
            throw ValidationError(
                "unknown role(s) \(unknown.sorted().joined(separator: ", ")); known: \(Self.knownRoles.sorted().joined(separator: ", "))")
        }
        guard !selectedRoles.isEmpty else { throw ValidationError("--roles must name at least one role") }
        guard !selectedRoles.contains("evaluator") || selectedRoles.contains("api") else {
            throw ValidationError("--roles: the all-in-one evaluator reads this process's API: add api, or run `stratus evaluator --gnocchi-url URL`")
        }
    }

    func run() async throws {
        let logger = options.makeLogger("stratus.all-in-one")
        var configuration = try options.loadConfiguration()
        if selectedRoles.contains("polling") && !configuration.section("compute").contains("libvirt_uri") {
            // A newcomer's machine has no hypervisor of its own: poll libvirt's built-in test driver on a node
            // with nova instances.
            let uri = try DemoHypervisor.libvirtURI(dataDirectory: options.absoluteDataDirectory)
            configuration = try ConfigurationFile.load(
                path: options.configFile, environment: ProcessInfo.processInfo.environment,
                overrides: options.overrides + ["compute.libvirt_uri=\(uri)"])
        }
        try await upgrade.run(configuration: configuration, dataDirectory: options.absoluteDataDirectory, logger: logger)
        let core = try await TimeSeriesCore.open(
            configuration: configuration, dataDirectory: options.absoluteDataDirectory, logger: logger)
        // The API's port is chosen now when it is 0, so that the in-process gnocchi:// publisher knows it.
        let apiPort = port == 0 && selectedRoles.contains("api") ? try FreePort.pick(host: host) : port
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
                wakeup: wakeup, metricdStatistics: statistics,
                alarmStore: try await APIEnvironment.openAlarmStore(configuration: configuration, dataDirectory: options.absoluteDataDirectory, logger: logger),
                logger: logger)
            let host = self.host
            let auth = api.authMode
            services.append(APIServer.makeApplication(
                environment: environment, host: host, port: apiPort, logger: logger,
                onListening: { port in
                    // Printed on stdout so scripts and tests can read the bound port.
                    let line = "Stratus API listening on http://\(host):\(port)/ (auth_mode \(auth); with basic auth, the user name is the identity and 'admin' is the administrator)\n"
                    FileHandle.standardOutput.write(Data(line.utf8))
                }))
        }
        if selectedRoles.contains("evaluator") {  // The alarm evaluator reads the in-process API.
            services.append(try await EvaluatorCommand.allInOneService(configuration: configuration, dataDirectory: options.absoluteDataDirectory, apiHost: host, apiPort: apiPort, logger: logger))
        }
        if selectedRoles.contains("notification") || selectedRoles.contains("polling") {
            services += try pipelineServices(configuration: configuration, logger: logger, apiPort: apiPort)
        }
        logger.info("all-in-one running", metadata: ["data.dir": "\(options.absoluteDataDirectory)", "roles": "\(selectedRoles.sorted())"])
        try await RoleRunner.run(services, core: core, logger: logger)
    }

    /// The notification agent (pipeline + sample listener) and the polling agent publishing to it in-process.
    private func pipelineServices(configuration: ConfigurationFile, logger: Logger, apiPort: Int) throws -> [any Service] {
        var services: [any Service] = []
        // gnocchi:// writes to this process's own API unless publisher.gnocchi_url says otherwise.
        let apiHost = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        let built = try NotificationBuilder.build(
            configuration: configuration, configurationFile: options.configFile, pipelineOverride: nil, logger: logger,
            gnocchiURL: selectedRoles.contains("api") ? "http://\(apiHost.contains(":") ? "[\(apiHost)]" : apiHost):\(apiPort)" : nil)
        if selectedRoles.contains("notification") {
            let port = notificationPort ?? built.settings.port
            let host = built.settings.host
            services.append(NotificationService(
                queue: built.queue, decoder: built.decoder, metrics: built.metrics,
                settings: .init(
                    host: host, port: max(port, 0), flushInterval: built.flushInterval, reloadInterval: built.reloadInterval,
                    maxRequestBytes: built.settings.maxRequestBytes, listen: port >= 0),
                logger: logger,
                onListening: { port in
                    FileHandle.standardOutput.write(Data("Stratus notification agent accepting samples at http://\(host):\(port)/v1/samples\n".utf8))
                }))
        } else {
            services.append(NotificationService(
                queue: built.queue, decoder: built.decoder, metrics: built.metrics,
                settings: .init(
                    host: built.settings.host, port: 0, flushInterval: built.flushInterval, reloadInterval: built.reloadInterval,
                    listen: false),
                logger: logger))
        }
        if selectedRoles.contains("polling") {
            let polling = try PollingAgentBuilder.build(
                configuration: configuration, configurationFile: options.configFile, namespaces: Set(PollingNamespace.defaults),
                pollsterList: [], dryRun: false, logger: logger,
                publisherOverride: InProcessPipelinePublisher(queue: built.queue, metrics: built.metrics))
            services.append(polling.agent)
        }
        return services
    }
}
