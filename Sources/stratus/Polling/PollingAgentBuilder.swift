import Foundation
import Logging
import StratusCore
import StratusPolling

/// Wires a polling agent from the configuration: plug-ins from the catalog, definitions,
/// publishers, signing and batching.
enum PollingAgentBuilder {
    struct Built {
        var agent: PollingAgent
        var metrics: PollingMetrics
        var polling: PollingConfiguration
        /// Ceilometer's Prometheus exporter of the polled samples, when `enable_prometheus_exporter` is on.
        var exporter: PrometheusSampleExporter?
    }

    static func build(
        configuration: ConfigurationFile, configurationFile: String?, namespaces: Set<String>, pollsterList: [String],
        dryRun: Bool, logger: Logger, publisherOverride: (any SamplePublisher)? = nil
    ) throws -> Built {
        let polling = try PollingConfiguration(configuration.section("polling"))
        let publisherConfiguration = try PublisherConfiguration(configuration.section("publisher"))
        let definitionsFile = try PollingDefinitionsFile.resolve(polling, configurationFile: configurationFile)
        let dynamic = try DynamicPollsterLoader.load(directories: polling.pollstersDefinitionsDirs, logger: logger)
        let registrations = PollingCatalog.registrations(dynamic: dynamic)
        let environment = PollingEnvironment(
            configuration: configuration, logger: logger, namespaces: namespaces, hostName: polling.host ?? SystemHost.name)
        let plugins = PollingPlugins(
            pollsters: PollsterRegistry(registrations.pollsters), discoverers: DiscovererRegistry(registrations.discoverers),
            namespaces: namespaces, pollsterList: pollsterList, environment: environment)
        let metrics = PollingMetrics()
        var publisher: any SamplePublisher
        if let publisherOverride {
            publisher = publisherOverride
        } else if dryRun {
            publisher = try FilePublisher(path: "-")
        } else if !polling.enableNotifications {
            publisher = FanOutPublisher([])
        } else {
            publisher = try PublisherFactory.make(
                polling.publishers, logger: logger, spool: spoolSettings(polling, logger: logger), statistics: metrics.notifier)
        }
        var exporter: PrometheusSampleExporter?
        if polling.enablePrometheusExporter && !dryRun {
            let made = PrometheusSampleExporter(staleAfter: 900, clock: { Date().timeIntervalSince1970 })
            publisher = PrometheusExportingPublisher(exporter: made, next: publisher)
            exporter = made
        }
        // Batches handed to a pipeline in the same process never cross a network: no signature to compute.
        let settings = PollingTaskSettings(
            telemetrySecret: publisherOverride == nil ? publisherConfiguration.telemetrySecret : "", batchSize: polling.batchSize,
            threadsToProcessPollsters: polling.threadsToProcessPollsters, publisher: publisher, metrics: metrics,
            environment: environment, logger: logger)
        let reload: Duration? = polling.reloadCheckInterval > 0 ? .nanoseconds(polling.reloadCheckInterval) : nil
        let agent = try PollingAgent(
            plugins: plugins, definitionsFile: definitionsFile, settings: settings, reloadCheckInterval: reload)
        logger.info("Polling agent ready", metadata: [
            "polling.file": .string(definitionsFile.path ?? DefaultPollingDefinitions.fileName),
            "polling.namespaces": .string(namespaces.sorted().joined(separator: ",")),
            "polling.pollsters": .stringConvertible(plugins.pollsters.count),
        ])
        // A series the slowest source has not refreshed for three of its intervals is gone.
        exporter?.staleAfter = Double(3 * (agent.definitions.intervals.max() ?? 300))
        return Built(agent: agent, metrics: metrics, polling: polling, exporter: exporter)
    }

    /// The spool of `notifier://`: `polling.spool_dir` when it can be created, else memory (with a warning).
    static func spoolSettings(_ polling: PollingConfiguration, logger: Logger) -> PublisherFactory.Spool {
        guard polling.publishers.contains(where: { $0.hasPrefix("notifier:") }), !polling.spoolDir.isEmpty else {
            return PublisherFactory.Spool(directory: nil, maxBytes: polling.spoolMaxBytes)
        }
        do {
            try FileManager.default.createDirectory(atPath: polling.spoolDir, withIntermediateDirectories: true)
            return PublisherFactory.Spool(directory: polling.spoolDir, maxBytes: polling.spoolMaxBytes)
        } catch {
            logger.warning("Cannot create the spool directory; undelivered batches are kept in memory only", metadata: [
                "polling.spool_dir": .string(polling.spoolDir), "error": .string("\(error)"),
            ])
            return PublisherFactory.Spool(directory: nil, maxBytes: polling.spoolMaxBytes)
        }
    }
}
