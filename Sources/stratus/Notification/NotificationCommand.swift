import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import StratusCore
import StratusPipeline

/// `stratus notification`: the notification agent (ceilometer-agent-notification). Receives the
/// polling agents' signed batches over HTTP and runs them through pipeline.yaml.
struct NotificationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notification",
        abstract: "Receive sample batches from polling agents and run them through pipeline.yaml.")

    @OptionGroup var options: CommonOptions

    @Option(help: "Address the sample listener binds (default: notification.host, 0.0.0.0).")
    var host: String?

    @Option(help: "Port of the sample listener, 0 for any free port (default: notification.port, 8045).")
    var port: Int?

    @Option(help: "The pipeline.yaml (default: notification.pipeline_cfg_file, else the built-in default).")
    var pipeline: String?

    func run() async throws {
        let logger = options.makeLogger("stratus.notification")
        let configuration = try options.loadConfiguration()
        let built = try NotificationBuilder.build(
            configuration: configuration, configurationFile: options.configFile, pipelineOverride: pipeline, logger: logger)
        let host = self.host ?? built.settings.host
        let settings = NotificationService.Settings(
            host: host, port: port ?? built.settings.port, flushInterval: built.flushInterval,
            reloadInterval: built.reloadInterval, maxRequestBytes: built.settings.maxRequestBytes)
        let service = NotificationService(
            queue: built.queue, decoder: built.decoder, metrics: built.metrics, settings: settings, logger: logger,
            onListening: { port in
                // Printed on stdout so scripts and tests can read the bound port.
                FileHandle.standardOutput.write(Data("Stratus notification agent accepting samples at http://\(host):\(port)/v1/samples\n".utf8))
            })
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service), .init(service: StartupCodePagesService(logger: logger))],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}

/// Wires the notification agent's pipeline from the configuration (shared by `notification` and
/// `all-in-one`).
enum NotificationBuilder {
    struct Built {
        var queue: PipelineQueue
        var decoder: SampleBatchDecoder
        var metrics: NotificationMetrics
        var settings: NotificationConfiguration
        var flushInterval: Duration
        var reloadInterval: Duration?
    }

    static func build(
        configuration: ConfigurationFile, configurationFile: String?, pipelineOverride: String?, logger: Logger,
        gnocchiURL: String? = nil
    ) throws -> Built {
        let settings = try NotificationConfiguration(configuration.section("notification"))
        let publisher = try PublisherConfiguration(configuration.section("publisher"))
        let context = try PipelineCatalog.publisherContext(configuration: configuration, logger: logger, gnocchiURL: gnocchiURL)
        let path = try PipelineFileLocation.resolve(
            pipelineOverride ?? settings.pipelineCfgFile, explicit: pipelineOverride != nil || settings.pipelineCfgFileIsExplicit,
            configurationFile: configurationFile)
        let manager: PipelineManager
        if let path {
            manager = try PipelineManager(path: path, publishers: PipelineCatalog.publishers, context: context)
        } else {
            let definition = try PipelineDefinition.parse(
                yaml: DefaultPipeline.text, file: DefaultPipeline.fileName, publishers: PipelineCatalog.publishers, context: context)
            manager = try PipelineManager(definition: definition, publishers: PipelineCatalog.publishers, context: context)
        }
        let metrics = NotificationMetrics()
        logger.info("Pipeline loaded", metadata: ["pipeline.file": .string(path ?? DefaultPipeline.fileName)])
        return Built(
            queue: PipelineQueue(manager: manager, batchSize: settings.batchSize, metrics: metrics, logger: logger),
            decoder: SampleBatchDecoder(secret: publisher.telemetrySecret), metrics: metrics, settings: settings,
            flushInterval: .nanoseconds(settings.flushInterval),
            reloadInterval: settings.pipelinePollingInterval > 0 && path != nil ? .nanoseconds(settings.pipelinePollingInterval) : nil)
    }
}
