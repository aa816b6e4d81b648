import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import StratusCore
import StratusPolling

/// `stratus polling`: the polling agent (ceilometer-polling).
struct PollingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "polling",
        abstract: "Poll meters (host, instances, endpoints) and publish signed samples.",
        subcommands: [PollingRunCommand.self, PollingValidateCommand.self],
        defaultSubcommand: PollingRunCommand.self)
}

/// `stratus polling [run]`: runs the agent, or one cycle with `--once`.
struct PollingRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the polling agent (the default).")

    @OptionGroup var options: CommonOptions
    @OptionGroup var agent: PollingAgentOptions

    @Flag(help: "Run one cycle of every polling task, then exit.")
    var once = false

    @Flag(name: .customLong("dry-run"), help: "Print each meter message as one line of JSON on standard output instead of publishing.")
    var dryRun = false

    @Option(name: .customLong("metrics-port"), help: "Loopback port of /metrics, 0 for any, -1 for none (default: polling.metrics_port, 9102).")
    var metricsPort: Int?

    func run() async throws {
        let logger = options.makeLogger("stratus.polling")
        let configuration = try options.loadConfiguration()
        let built = try PollingAgentBuilder.build(
            configuration: configuration, configurationFile: options.configFile, namespaces: agent.namespaces,
            pollsterList: agent.patterns, dryRun: dryRun, logger: logger)
        if once {
            let reports = await built.agent.runOnce()
            let samples = reports.reduce(0) { $0 + $1.totalSamples }
            let errors = reports.reduce(0) { $0 + $1.pollsterErrors + $1.discoveryErrors }
            logger.info("Polling cycle done", metadata: [
                "polling.tasks": .stringConvertible(reports.count), "polling.samples": .stringConvertible(samples),
                "polling.errors": .stringConvertible(errors),
            ])
            return
        }
        var services: [any Service] = [built.agent]
        let port = metricsPort ?? built.polling.metricsPort
        if port >= 0 {
            services.append(PollingMetricsServer.makeApplication(
                metrics: built.metrics, port: port, logger: logger,
                onListening: { port in logger.info("Polling metrics listening", metadata: ["port": "\(port)"]) }))
        }
        if let exporter = built.exporter {
            for address in built.polling.prometheusListenAddresses {
                let (host, port) = try PrometheusExporterServer.parse(address)
                services.append(PrometheusExporterServer.makeApplication(
                    exporter: exporter, host: host, port: port, logger: logger,
                    onListening: { port in
                        FileHandle.standardOutput.write(Data("Stratus polling exporter listening on http://\(host):\(port)/\n".utf8))
                    }))
            }
        }
        services.append(StartupCodePagesService(logger: logger))
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}

/// `stratus polling validate FILE`: checks a polling.yaml and the pollster definitions.
struct PollingValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a polling.yaml and the dynamic pollster definitions; print every error with file, line and reason.")

    @OptionGroup var options: CommonOptions

    @Argument(help: "The polling.yaml to check.")
    var file: String

    func run() async throws {
        let configuration = try options.loadConfiguration()
        let polling = try PollingConfiguration(configuration.section("polling"))
        _ = try PublisherConfiguration(configuration.section("publisher"))
        var problems: [ConfigurationError] = DynamicPollsterLoader.validate(directories: polling.pollstersDefinitionsDirs)
        let dynamic = DynamicPollsterLoader.read(directories: polling.pollstersDefinitionsDirs).definitions
        let registrations = PollingCatalog.registrations(dynamic: dynamic)
        let discoverers = DiscovererRegistry(registrations.discoverers)
        var summary = ""
        do {
            let definitions = try PollingDefinitions.load(path: file)
            for source in definitions.sources {
                for text in source.discovery where discoverers.registration(named: DiscoveryName(text).name) == nil {
                    problems.append(ConfigurationError(
                        file: definitions.file, line: source.line,
                        reason: "source '\(source.name)': unknown discovery '\(text)'; valid: " + discoverers.names.joined(separator: ", ")))
                }
            }
            let known = PollsterRegistry(registrations.pollsters).meterNames()
            let selected = known.filter { meter in definitions.sources.contains { $0.meters.selects(meter) } }
            summary = "\(file): \(definitions.sources.count) source(s), interval(s) "
                + definitions.intervals.map(String.init).joined(separator: ", ") + " s, \(selected.count) known meter(s) selected"
        } catch {
            problems.insert(contentsOf: error.problems, at: 0)
        }
        guard problems.isEmpty else {
            for problem in problems { FileHandle.standardError.write(Data((problem.description + "\n").utf8)) }
            throw ExitCode.failure
        }
        print(summary)
    }
}
